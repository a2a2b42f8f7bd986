// JSON bodies nested deeper than JSON_MAX_DEPTH are refused before they are parsed (400 json_too_deep):
// parsing, schema validation and request hashing all walk the tree, and some walks recurse. The check is one
// pass over the text, counting [ and { outside strings, with no recursion of its own.
import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { BadRequestError } from '../errors.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** True when `text` nests objects and arrays more than `maxDepth` levels deep (`{}` is one level). */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  // Too short to hold maxDepth + 1 openings: the common case, decided without a scan.
  if (text.length <= maxDepth) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

export const jsonTooDeep = (maxDepth: number) =>
  new BadRequestError(
    'json_too_deep',
    `The JSON body nests objects and arrays more than ${maxDepth} levels deep; the limit is ${maxDepth}.`,
  );

/** `parse` behind the depth check, for a scope that installs its own JSON parser (the Vapi webhook). */
export function limitJsonDepth(
  parse: FastifyBodyParser<string>,
  maxDepth: number,
): FastifyBodyParser<string> {
  return (request, body, done) => {
    if (jsonDepthExceeds(body, maxDepth)) {
      done(jsonTooDeep(maxDepth), undefined);
      return;
    }
    void parse(request, body, done);
  };
}

/** Replaces the app's JSON parser with Fastify's own behind the depth check (every scope inherits it). */
export const jsonDepthPlugin = fp(
  async (app: FastifyInstance, options: { maxDepth: number }) => {
    const parse = app.getDefaultJsonParser(
      app.initialConfig.onProtoPoisoning ?? 'error',
      app.initialConfig.onConstructorPoisoning ?? 'error',
    );
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser(
      'application/json',
      { parseAs: 'string' },
      limitJsonDepth(parse, options.maxDepth),
    );
  },
  { name: 'json-depth' },
);
