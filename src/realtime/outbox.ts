import { randomUUID } from 'node:crypto';
import { sql } from 'slonik';
import type { Queryable } from '../db/pool.ts';
import { NoRows } from '../db/sql.ts';

/** Who receives an event; role and team audiences are resolved to user ids by the caller at publish time. */
export type Audience = { kind: 'users'; userIds: readonly string[] } | { kind: 'org' };

export interface RealtimeEvent {
  /** `<resource>.<past_tense>` from the catalogue of 04 §3.9. */
  type: string;
  payload: Record<string, unknown>;
  actorId?: string | null;
  entityType?: string;
  entityId?: string;
  route?: string;
}

/**
 * Queues an event in the caller's transaction (04 §4.9). The outbox trigger NOTIFYs on commit, so a rolled-back
 * change never produces an event and no event runs ahead of its data.
 */
export async function publishEvent(tx: Queryable, audience: Audience, event: RealtimeEvent, now: Date): Promise<void> {
  const userIds = audience.kind === 'users' ? [...new Set(audience.userIds)] : [];
  if (audience.kind === 'users' && userIds.length === 0) return;
  const envelope = {
    type: event.type,
    eventId: randomUUID(),
    occurredAt: now.toISOString(),
    ...(event.actorId ? { actorId: event.actorId } : {}),
    ...(event.entityType ? { entityType: event.entityType } : {}),
    ...(event.entityId ? { entityId: event.entityId } : {}),
    ...(event.route ? { route: event.route } : {}),
    payload: event.payload,
  };
  const kind = audience.kind === 'org' ? 'org' : userIds.length === 1 ? 'user' : 'users';
  await tx.query(sql.type(NoRows)`
    INSERT INTO realtime_outbox (audience_kind, audience_user_ids, event)
    VALUES (${kind}, ${sql.array(userIds, 'uuid')}, ${sql.jsonb(envelope as never)})`);
}

/** `auth.sessions_revoked` (01 §4.5): every revocation announces the sessions it ended, so sockets bound to them close. */
export async function publishSessionsRevoked(
  tx: Queryable,
  userId: string,
  sessionIds: readonly string[],
  reason: string,
  now: Date,
): Promise<void> {
  if (sessionIds.length === 0) return;
  await publishEvent(
    tx,
    { kind: 'users', userIds: [userId] },
    { type: 'auth.sessions_revoked', payload: { userId, sessionIds, reason }, entityType: 'user', entityId: userId },
    now,
  );
}
