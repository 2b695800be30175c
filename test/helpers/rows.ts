/**
 * Typed reads of the governance rows a change leaves behind — audit rows (`audit_logs`) and queued realtime events
 * (`realtime_outbox`) — straight from the table, for asserting on them. Every reader returns rows oldest first.
 */
import type { TestApp } from './harness.ts';

/** Anything with the raw pg client of a test app. */
type RowSource = Pick<TestApp, 'sql'>;

export interface AuditRow {
  /** int8, as pg returns it. */
  seq: string;
  action: string;
  actor_user_id: string | null;
  entity_type: string;
  entity_id: string | null;
  entity_label: string | null;
  outcome: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  metadata: Record<string, unknown>;
}

export interface AuditFilter {
  entityType?: string;
  action?: string;
}

/** Audit rows about one entity, optionally narrowed to an entity type and/or an action, by `seq`. */
export async function auditRows(app: RowSource, entityId: string, filter: AuditFilter = {}): Promise<AuditRow[]> {
  const { rows } = await app.sql.query<AuditRow>(
    `SELECT seq, action, actor_user_id, entity_type, entity_id, entity_label, outcome, before, after, metadata
     FROM audit_logs
     WHERE entity_id = $1 AND ($2::text IS NULL OR entity_type = $2) AND ($3::text IS NULL OR action = $3)
     ORDER BY seq`,
    [entityId, filter.entityType ?? null, filter.action ?? null],
  );
  return rows;
}

export interface OutboxRow {
  audience_kind: string;
  audience_user_ids: string[];
  event: { type: string; actorId?: string; entityType?: string; entityId?: string; payload: Record<string, unknown> };
}

const OUTBOX_COLUMNS = 'audience_kind, audience_user_ids, event';

/**
 * Outbox rows of an event type whose payload `key` equals `value`, by `seq`. `type` is exact (`shift.assigned`) or
 * a family ending in `.*` (`shift.*`: every type starting `shift.`).
 */
export async function outboxEvents(app: RowSource, type: string, key: string, value: string): Promise<OutboxRow[]> {
  const family = type.endsWith('.*');
  const { rows } = await app.sql.query<OutboxRow>(
    `SELECT ${OUTBOX_COLUMNS} FROM realtime_outbox
     WHERE ${family ? `starts_with(event->>'type', $1)` : `event->>'type' = $1`} AND event->'payload'->>$2 = $3
     ORDER BY seq`,
    [family ? type.slice(0, -1) : type, key, value],
  );
  return rows;
}

/** Outbox rows about one entity (`event.entityId`), by `seq`. */
export async function eventsFor(app: RowSource, entityId: string): Promise<OutboxRow[]> {
  const { rows } = await app.sql.query<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM realtime_outbox WHERE event->>'entityId' = $1 ORDER BY seq`, [entityId]);
  return rows;
}
