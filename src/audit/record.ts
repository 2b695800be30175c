import { sql } from 'slonik';
import type { Actor } from '../auth/actor.ts';
import type { Db, Queryable } from '../db/pool.ts';
import { outsideRequestTransaction } from '../db/request-scope.ts';
import { NoRows } from '../db/sql.ts';
import type { RequestMeta } from '../http/request-context.ts';

/** Who did it: an authenticated actor, a named user (e.g. failed login, token flows), or the system (null). */
export type AuditActor = Pick<Actor, 'userId' | 'fullName' | 'role'> | null;

export interface AuditEntry {
  actor: AuditActor;
  /** `<entity>.<action>` from the catalogue of 04 §4.6. */
  action: string;
  entityType: string;
  entityId: string | null;
  entityLabel?: string | null;
  outcome?: 'success' | 'denied' | 'failed';
  /** Changed fields only; never secrets. */
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  /** requestId, ip and userAgent are added from `meta` for HTTP-originated entries; jobs pass `{ job }`. */
  metadata?: Record<string, unknown>;
  meta?: RequestMeta | null;
}

/**
 * Appends one row to the hash-chained audit log inside the caller's transaction. The chain trigger locks the
 * chain head until commit, so write the audit row as the last statement of the transaction.
 */
export async function recordAudit(tx: Queryable, entry: AuditEntry): Promise<void> {
  const metadata = {
    ...(entry.meta ? { requestId: entry.meta.requestId, ip: entry.meta.ip, userAgent: entry.meta.userAgent } : {}),
    ...entry.metadata,
  };
  await tx.query(sql.type(NoRows)`
    INSERT INTO audit_logs (actor_user_id, actor_name, actor_role, action, entity_type, entity_id, entity_label,
                            outcome, before, after, metadata)
    VALUES (${entry.actor?.userId ?? null}, ${entry.actor?.fullName ?? null}, ${entry.actor?.role ?? null},
            ${entry.action}, ${entry.entityType}, ${entry.entityId}, ${entry.entityLabel?.slice(0, 255) ?? null},
            ${entry.outcome ?? 'success'},
            ${entry.before ? sql.jsonb(entry.before as never) : null}, ${entry.after ? sql.jsonb(entry.after as never) : null},
            ${sql.jsonb(metadata as never)})`);
}

/** Denied attempts and failed side effects: their own short transaction that contains nothing else (04 §4.6). */
export async function recordAuditAlone(db: Db, entry: AuditEntry): Promise<void> {
  await outsideRequestTransaction(() => db.transaction((tx) => recordAudit(tx, entry)));
}
