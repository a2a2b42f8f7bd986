// Who may read orders, the dashboard and its event stream. In development everything is open; in staging
// and production every protected route needs DASHBOARD_TOKEN, as `Authorization: Bearer <token>` or as the
// HttpOnly session cookie the login page sets (the cookie holds an HMAC of the token, never the token).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'dashboard_session';
const SESSION_HOURS = 12;

export class DashboardGuard {
  private readonly session: string | null;

  constructor(private readonly token: string | null) {
    this.session = token ? createHmac('sha256', token).update('dashboard-session').digest('hex') : null;
  }

  get required(): boolean {
    return this.token !== null;
  }

  allows(request: FastifyRequest): boolean {
    if (!this.token || !this.session) return true;
    const auth = request.headers.authorization;
    if (typeof auth === 'string' && auth.startsWith('Bearer ') && same(auth.slice(7).trim(), this.token))
      return true;
    const cookie = readCookie(request.headers.cookie, SESSION_COOKIE);
    return cookie !== null && same(cookie, this.session);
  }

  /** True when `candidate` is the token (the login form); constant time. */
  matches(candidate: string): boolean {
    return this.token !== null && same(candidate, this.token);
  }

  setSession(reply: FastifyReply): void {
    reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${this.session ?? ''}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=${SESSION_HOURS * 3600}`,
    );
  }
}

/** Compares hashes so neither length nor content leaks through timing. */
function same(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeCookieValue(value.join('='));
  }
  return null;
}

/** A value that is not valid percent-encoding is no session (a 401), not a URIError (a 500). */
function decodeCookieValue(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * Routes that show orders, customer data or business numbers (the metrics), cancel orders or change the
 * menu (POST /api/orders, GET /api/menu, the webhooks, health and its probes stay open).
 */
export function isProtected(method: string, url: string): boolean {
  const path = url.split('?')[0] ?? '';
  if (path === '/dashboard' || path === '/dashboard/') return true;
  if (path === '/metrics' || path === '/metrics/') return true;
  if (path.startsWith('/api/reports') || path === '/api/dashboard-data' || path === '/api/events')
    return true;
  // Cancelling refunds money: an operator's action, never a caller's.
  if (method === 'POST' && /^\/api\/orders\/[^/]+\/cancel\/?$/.test(path)) return true;
  // Changing the menu (an item sold out today) is the owner's; reading it stays open for callers.
  if (method === 'PATCH' && path.startsWith('/api/menu/')) return true;
  // HEAD runs the GET handler (Fastify's automatic HEAD routes): it reveals the same through its headers.
  const read = method === 'GET' || method === 'HEAD';
  return read && (path === '/api/orders' || path.startsWith('/api/orders/'));
}
