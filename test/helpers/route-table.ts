// The app's routes for one method, read from Fastify's own route table (printRoutes), so a suite that walks
// "every GET route" covers a route the day it is added, without a hand-kept list.
import type { FastifyInstance, HTTPMethods } from 'fastify';

/**
 * Route patterns (`/api/orders/:id`, `/dashboard/assets/*`) of `method`. printRoutes draws the radix tree one
 * node per line, four columns per level (`│   ├── ocs (GET)`); a route is the concatenation of the nodes on
 * its line's path, and a node with `(METHOD)` ends one.
 */
export function routesOf(app: FastifyInstance, method: HTTPMethods): string[] {
  const tree = app.printRoutes({ method });
  const path: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const branch = line.indexOf('── ');
    if (branch < 0) continue;
    const depth = (branch - 1) / 4;
    const node = line.slice(branch + 3);
    const marker = node.lastIndexOf(' (');
    const segment = marker >= 0 && node.endsWith(')') ? node.slice(0, marker) : node;
    path.length = depth;
    path.push(segment);
    if (
      marker >= 0 &&
      node
        .slice(marker + 2, -1)
        .split(', ')
        .includes(method)
    )
      routes.push(path.join(''));
  }
  return routes;
}
