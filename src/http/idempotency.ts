import { createHash } from 'node:crypto';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Db } from '../db/pool.ts';
import { runInRequestTransaction } from '../db/request-scope.ts';
import { NoRows } from '../db/sql.ts';
import type { Clock } from '../lib/clock.ts';
import { conflict, invalid } from './errors.ts';

/** Records expire after 24 h (05 §4); the purge job deletes them, and an expired key is simply reused. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a duplicate waits for the first request with its key before answering 409. */
const WAIT_FOR_FIRST = '10s';

export interface StoredResponse {
  status: number;
  /** The exact JSON text of the first response (replayed byte for byte), or null for an empty body. */
  bodyText: string | null;
  replayed: boolean;
}

/** Canonical JSON (sorted keys) so that `{a,b}` and `{b,a}` are the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const Existing = z.object({ requestHash: z.string(), statusCode: z.number(), responseBody: z.string().nullable() });
const Claimed = z.object({ claimed: z.boolean() });

/**
 * Runs an operation under an `Idempotency-Key` (05 §4): inside one transaction, claim the key, run the handler
 * (its queries join this transaction), store its response, commit. A concurrent request with the same key blocks
 * on the key's row until the first commits, then replays; the same key with another body is a 422.
 */
export function createIdempotency(db: Db, clock: Clock) {
  return {
    async run(
      scope: { userId: string; operationId: string; key: string; body: unknown; pathParams: unknown },
      execute: () => Promise<{ status: number; body: unknown }>,
    ): Promise<StoredResponse> {
      const requestHash = createHash('sha256').update(canonical({ body: scope.body ?? null, path: scope.pathParams ?? null })).digest('hex');
      const now = clock.now();
      const expiredBefore = sql.timestamp(new Date(now.getTime() - IDEMPOTENCY_TTL_MS));
      try {
        return await db.transaction(async (tx) => {
          await tx.query(sql.type(NoRows)`SET LOCAL lock_timeout = ${sql.literalValue(WAIT_FOR_FIRST)}`);
          // Claim: a fresh key, or one whose record expired. status_code 0 marks "in progress" inside this transaction.
          const claim = await tx.maybeOne(sql.type(Claimed)`
            INSERT INTO idempotency_keys AS k (user_id, operation_id, key, request_hash, status_code, response_body, created_at)
            VALUES (${scope.userId}, ${scope.operationId}, ${scope.key}, ${requestHash}, 0, NULL, ${sql.timestamp(now)})
            ON CONFLICT (user_id, operation_id, key) DO UPDATE
              SET request_hash = excluded.request_hash, status_code = 0, response_body = NULL, created_at = excluded.created_at
              WHERE k.created_at < ${expiredBefore}
            RETURNING true AS claimed`);
          if (!claim) {
            const existing = await tx.one(sql.type(Existing)`
              SELECT request_hash, status_code, response_body FROM idempotency_keys
              WHERE user_id = ${scope.userId} AND operation_id = ${scope.operationId} AND key = ${scope.key}`);
            if (existing.requestHash !== requestHash) {
              throw invalid('header.idempotency-key', 'was already used with a different request');
            }
            return { status: existing.statusCode, bodyText: existing.responseBody, replayed: true };
          }
          const reply = await runInRequestTransaction(tx, execute);
          const bodyText = reply.body === undefined ? null : JSON.stringify(reply.body);
          await tx.query(sql.type(NoRows)`
            UPDATE idempotency_keys SET status_code = ${reply.status}, response_body = ${bodyText}
            WHERE user_id = ${scope.userId} AND operation_id = ${scope.operationId} AND key = ${scope.key}`);
          return { status: reply.status, bodyText, replayed: false };
        });
      } catch (error) {
        if ((error as { code?: string; cause?: { code?: string } })?.cause?.code === '55P03' || (error as { code?: string }).code === '55P03') {
          throw conflict('A request with this Idempotency-Key is still in progress; retry later.');
        }
        throw error;
      }
    },
  };
}
export type Idempotency = ReturnType<typeof createIdempotency>;
