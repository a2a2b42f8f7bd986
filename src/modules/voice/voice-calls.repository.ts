// Call records and the once-only store of tool answers.
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { orders, voiceCalls, voiceToolResults } from '../../db/schema/index.js';

export type VoiceCallRow = typeof voiceCalls.$inferSelect;

export interface CallUpdate {
  callId: string;
  callerNumber?: string | null;
  status?: string | null;
  startedAt?: Date | null;
  endedAt?: Date | null;
  endedReason?: string | null;
  summary?: string | null;
  transcript?: string | null;
  recordingUrl?: string | null;
  costUsd?: number | null;
}

export interface ToolAnswer {
  result: string;
  isError: boolean;
}

export class VoiceCallsRepository {
  constructor(private readonly db: Database) {}

  /** Inserts or merges: fields given as null or undefined never erase what an earlier message stored. */
  async upsertCall(update: CallUpdate): Promise<void> {
    const values = Object.fromEntries(
      Object.entries(update).filter(([, v]) => v !== undefined && v !== null),
    );
    const set: Record<string, unknown> = { ...values, updatedAt: sql`now()` };
    delete set.callId;
    // Messages may arrive out of order: a late "in-progress" must not reopen an ended call.
    if (values.status !== undefined) {
      set.status = sql`CASE WHEN ${voiceCalls.status} = 'ended' THEN 'ended' ELSE excluded.status END`;
    }
    await this.db.orm
      .insert(voiceCalls)
      .values({ ...values, callId: update.callId })
      .onConflictDoUpdate({ target: voiceCalls.callId, set });
  }

  async findCall(callId: string): Promise<VoiceCallRow | null> {
    const [row] = await this.db.orm.select().from(voiceCalls).where(eq(voiceCalls.callId, callId));
    return row ?? null;
  }

  /** The call as GET /api/orders/{id} shows it. */
  async callView(callId: string) {
    const row = await this.findCall(callId);
    if (!row) return null;
    return {
      call_id: row.callId,
      caller_number: row.callerNumber,
      status: row.status,
      started_at: row.startedAt?.toISOString() ?? null,
      ended_at: row.endedAt?.toISOString() ?? null,
      ended_reason: row.endedReason,
      summary: row.summary,
      transcript: row.transcript,
      recording_url: row.recordingUrl,
      cost_usd: row.costUsd,
    };
  }

  /** The newest order placed from any of these spellings of one phone number (any channel). */
  async latestOrderIdByPhone(spellings: readonly string[]): Promise<number | null> {
    // PostgreSQL refuses a NUL in a text parameter (a 500), and no stored phone number has one.
    const phones = spellings.filter((p) => !p.includes('\u0000'));
    if (phones.length === 0) return null;
    const [row] = await this.db.orm
      .select({ id: orders.id })
      .from(orders)
      .where(inArray(orders.customerPhone, phones))
      .orderBy(desc(orders.id))
      .limit(1);
    return row?.id ?? null;
  }

  /** The orders placed during a call, newest first. */
  async ordersOfCall(callId: string): Promise<Array<{ id: number; status: string }>> {
    return this.db.orm
      .select({ id: orders.id, status: orders.status })
      .from(orders)
      .where(eq(orders.vapiCallId, callId))
      .orderBy(desc(orders.id));
  }

  /** True when this caller now owns the tool call `key`; false when it was seen before. */
  async claimToolCall(key: string, callId: string | null, name: string): Promise<boolean> {
    const rows = await this.db.orm
      .insert(voiceToolResults)
      .values({ key, callId, name })
      .onConflictDoNothing()
      .returning({ key: voiceToolResults.key });
    return rows.length > 0;
  }

  async saveToolAnswer(key: string, answer: ToolAnswer): Promise<void> {
    await this.db.orm
      .update(voiceToolResults)
      .set({ result: answer.result, isError: answer.isError, completedAt: sql`now()` })
      .where(and(eq(voiceToolResults.key, key), isNull(voiceToolResults.result)));
  }

  /** The stored answer, null while the first delivery is still running. */
  async findToolAnswer(key: string): Promise<ToolAnswer | null> {
    const [row] = await this.db.orm
      .select({ result: voiceToolResults.result, isError: voiceToolResults.isError })
      .from(voiceToolResults)
      .where(eq(voiceToolResults.key, key));
    return row?.result == null ? null : { result: row.result, isError: row.isError };
  }
}
