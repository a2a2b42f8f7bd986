// Dashboard logins in the database, so that every API process sees a logout at once and a restart keeps them.
// Expiry is measured on the database's clock (now()), the one clock every process shares.
import { eq, lt, sql } from 'drizzle-orm';
import type { Database, SqlStatement } from '../../db/client.js';
import { dashboardSessions } from '../../db/schema/index.js';
import type { SessionStore } from '../../http/dashboard-auth.js';

// Every protected request with a cookie runs this: one primary-key read, parsed once per connection.
const LIVE: SqlStatement = {
  name: 'dashboard_session_live',
  text: 'SELECT 1 AS live FROM dashboard_sessions WHERE id_hash = $1 AND expires_at > now()',
};

export class DashboardSessionsRepository implements SessionStore {
  constructor(private readonly db: Database) {}

  async create(idHash: string, seconds: number): Promise<void> {
    // Logins are rare: the moment to drop the sessions that have ended, so the table stays small.
    await this.db.orm.delete(dashboardSessions).where(lt(dashboardSessions.expiresAt, sql`now()`));
    await this.db.orm
      .insert(dashboardSessions)
      .values({ idHash, expiresAt: sql`now() + make_interval(secs => ${seconds})` });
  }

  async isLive(idHash: string): Promise<boolean> {
    const rows = await this.db.query<{ live: number }>(LIVE, [idHash]);
    return rows.length > 0;
  }

  async delete(idHash: string): Promise<void> {
    await this.db.orm.delete(dashboardSessions).where(eq(dashboardSessions.idHash, idHash));
  }
}
