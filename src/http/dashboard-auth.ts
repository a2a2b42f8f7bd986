// Who may read orders, the dashboard and its event stream. In development everything is open; in staging
// and production every protected route needs DASHBOARD_TOKEN, as `Authorization: Bearer <token>` (the scheme
// in any case) or as the HttpOnly session cookie the login page sets. The cookie holds a random id per login,
// never the token; the server keeps the session (SessionStore) with its expiry, and a logout deletes it, so a
// copied cookie stops working at logout or expiry.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'dashboard_session';

/** Where sessions live (the database: every API process sees a logout). Ids arrive hashed. */
export interface SessionStore {
  /** Stores a session that ends `seconds` from now. */
  create(idHash: string, seconds: number): Promise<void>;
  /** True while the session exists and has not expired. */
  isLive(idHash: string): Promise<boolean>;
  delete(idHash: string): Promise<void>;
}

/** 32 random bytes, base64url: anything else in the cookie is no session and costs no database read. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const COOKIE_ATTRIBUTES = 'HttpOnly; Secure; SameSite=Strict; Path=/';

export class DashboardGuard {
  private readonly sessionSeconds: number;

  constructor(
    private readonly token: string | null,
    private readonly sessions: SessionStore,
    sessionHours: number,
  ) {
    this.sessionSeconds = Math.max(1, Math.round(sessionHours * 3600));
  }

  get required(): boolean {
    return this.token !== null;
  }

  /**
   * Only the protected routes ask (app.ts checks isProtected first). A bearer token is checked in memory; a
   * cookie costs one primary-key read. Not cached: a logout in one process must end the session in all of them.
   */
  async allows(request: FastifyRequest): Promise<boolean> {
    if (!this.token) return true;
    const bearer = bearerToken(request.headers.authorization);
    if (bearer !== null && same(bearer, this.token)) return true;
    const id = this.sessionId(request);
    return id !== null && this.sessions.isLive(hashId(id));
  }

  /** True when `candidate` is the token (the login form); constant time. */
  matches(candidate: string): boolean {
    return this.token !== null && same(candidate, this.token);
  }

  /** A new session for this login (a fresh id every time), set as the cookie. */
  async startSession(reply: FastifyReply): Promise<void> {
    const id = randomBytes(32).toString('base64url');
    await this.sessions.create(hashId(id), this.sessionSeconds);
    reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${id}; ${COOKIE_ATTRIBUTES}; Max-Age=${this.sessionSeconds}`,
    );
  }

  /** Logout: the request's session is deleted on the server and its cookie cleared in the browser. */
  async endSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const id = this.sessionId(request);
    if (id !== null) await this.sessions.delete(hashId(id));
    reply.header('set-cookie', `${SESSION_COOKIE}=; ${COOKIE_ATTRIBUTES}; Max-Age=0`);
  }

  private sessionId(request: FastifyRequest): string | null {
    const value = readCookie(request.headers.cookie, SESSION_COOKIE);
    return value !== null && SESSION_ID.test(value) ? value : null;
  }
}

/** The credentials of `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 9110 11.1). */
function bearerToken(header: string | undefined): string | null {
  const match = typeof header === 'string' ? /^bearer[ \t]+(.+)$/i.exec(header) : null;
  return match?.[1]?.trim() || null;
}

/** Stored instead of the id, so that the sessions table holds nothing a browser could present. */
function hashId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
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
