import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import { publishSessionsRevoked } from '../realtime/outbox.ts';

export type RevokeReason = 'logout' | 'logout_all' | 'password_reset' | 'password_changed' | 'status_changed' | 'reuse_detected' | 'expired';

const Revoked = z.object({ id: z.string() });

/**
 * Revokes the user's live sessions (all, or all but `exceptSessionId`) in the caller's transaction and queues
 * `auth.sessions_revoked` naming them, so their access tokens fail at once and their sockets close (01 §4.5).
 * @returns the revoked session ids.
 */
export async function revokeUserSessions(
  tx: Queryable,
  userId: string,
  reason: RevokeReason,
  now: Date,
  options: { exceptSessionId?: string; onlySessionIds?: readonly string[] } = {},
): Promise<string[]> {
  const rows = await tx.any(sql.type(Revoked)`
    UPDATE auth_sessions SET revoked_at = ${sql.timestamp(now)}, revoke_reason = ${reason}
    WHERE user_id = ${userId} AND revoked_at IS NULL
      ${options.exceptSessionId ? sql.fragment`AND id <> ${options.exceptSessionId}` : sql.fragment``}
      ${options.onlySessionIds ? sql.fragment`AND id = ANY(${sql.array([...options.onlySessionIds], 'uuid')})` : sql.fragment``}
    RETURNING id`);
  const ids = rows.map((r) => r.id);
  await publishSessionsRevoked(tx, userId, ids, reason, now);
  return ids;
}
