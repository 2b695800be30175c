import { sql, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../db/pool.ts';

export const AuditRow = z.object({
  id: z.string(),
  seq: z.number(),
  occurredAt: z.date(),
  actorUserId: z.string().nullable(),
  actorName: z.string().nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  entityLabel: z.string().nullable(),
  outcome: z.enum(['success', 'denied', 'failed']),
  before: z.record(z.unknown()).nullable(),
  after: z.record(z.unknown()).nullable(),
  metadata: z.record(z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditRow = z.infer<typeof AuditRow>;

/** Hashes leave the database as lowercase hex (04 §3.7). */
const AUDIT_COLUMNS = sql.fragment`
  a.id, a.seq, a.occurred_at, a.actor_user_id, a.actor_name, a.actor_role, a.action, a.entity_type, a.entity_id,
  a.entity_label, a.outcome, a.before, a.after, a.metadata, encode(a.prev_hash, 'hex') AS prev_hash, encode(a.hash, 'hex') AS hash`;

export async function findAuditEntry(db: Queryable, id: string): Promise<AuditRow | null> {
  return db.maybeOne(sql.type(AuditRow)`SELECT ${AUDIT_COLUMNS} FROM audit_logs a WHERE a.id = ${id}`);
}

export interface AuditFilter {
  actorUserId?: string;
  actions?: readonly string[];
  entityType?: string;
  entityId?: string;
  outcome?: 'success' | 'denied' | 'failed';
  /** Inclusive calendar dates, interpreted in `timezone`. */
  from?: string;
  to?: string;
  timezone: string;
  sort: '-seq' | 'seq';
  limit: number;
  offset: number;
}

const ORDER: Record<AuditFilter['sort'], FragmentSqlToken> = {
  '-seq': sql.fragment`a.seq DESC`,
  seq: sql.fragment`a.seq`,
};

const Count = z.object({ total: z.number() });

export async function listAuditEntries(db: Queryable, filter: AuditFilter): Promise<{ rows: readonly AuditRow[]; total: number }> {
  const conditions: FragmentSqlToken[] = [sql.fragment`TRUE`];
  if (filter.actorUserId) conditions.push(sql.fragment`a.actor_user_id = ${filter.actorUserId}`);
  if (filter.actions) conditions.push(sql.fragment`a.action = ANY(${sql.array(filter.actions, 'text')})`);
  if (filter.entityType) conditions.push(sql.fragment`a.entity_type = ${filter.entityType}`);
  if (filter.entityId) conditions.push(sql.fragment`a.entity_id = ${filter.entityId}`);
  if (filter.outcome) conditions.push(sql.fragment`a.outcome = ${filter.outcome}`);
  // Local midnight of `from` up to (excluding) local midnight after `to`, in the organization's time zone.
  if (filter.from) conditions.push(sql.fragment`a.occurred_at >= (${filter.from}::date::timestamp AT TIME ZONE ${filter.timezone})`);
  if (filter.to) conditions.push(sql.fragment`a.occurred_at < ((${filter.to}::date + 1)::timestamp AT TIME ZONE ${filter.timezone})`);
  const where = sql.join(conditions, sql.fragment` AND `);
  const total = await db.oneFirst(sql.type(Count)`SELECT count(*)::int AS total FROM audit_logs a WHERE ${where}`);
  const rows = await db.any(sql.type(AuditRow)`
    SELECT ${AUDIT_COLUMNS} FROM audit_logs a WHERE ${where}
    ORDER BY ${ORDER[filter.sort]}
    LIMIT ${filter.limit} OFFSET ${filter.offset}`);
  return { rows, total };
}

// --- Chain verification and anchoring (04 §2.4) -------------------------------------------------------------------

const ChainHead = z.object({ lastSeq: z.number(), lastHash: z.string() });
export type ChainHead = z.infer<typeof ChainHead>;

/** The chain head through the read-only SECURITY DEFINER function of migration 0004 (the app role cannot read the table). */
export async function readChainHead(db: Queryable): Promise<ChainHead> {
  return db.one(sql.type(ChainHead)`SELECT last_seq, encode(last_hash, 'hex') AS last_hash FROM audit_chain_head_state()`);
}

const HashAt = z.object({ hash: z.string() });

/** The stored hash of row `seq` (hex), or null when there is no such row. */
export async function auditHashAt(db: Queryable, seq: number): Promise<string | null> {
  return db.maybeOneFirst(sql.type(HashAt)`SELECT encode(hash, 'hex') AS hash FROM audit_logs WHERE seq = ${seq}::bigint`);
}

export type ChainProblem = 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap';

const ChunkResult = z.object({
  readCount: z.number(),
  checkedCount: z.number(),
  lastSeq: z.number().nullable(),
  lastHash: z.string().nullable(),
  invalidSeq: z.number().nullable(),
  reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'seq_gap']).nullable(),
});
export type ChunkResult = z.infer<typeof ChunkResult>;

/**
 * Checks the next `batch` rows after `afterSeq` (up to `toSeq`) in one statement: each row's hash is recomputed
 * with `audit_row_hash` and compared, each `prev_hash` is compared with the previous row's `hash` (the first row
 * with `afterHash`, skipped when that is unknown), and each `seq` must follow the previous one without a gap.
 * Returns the first problem (for `seq_gap` the first missing seq), how many rows were read, how many were checked
 * up to and including the first invalid one, and the last row read (the carry for the next batch).
 */
export async function verifyAuditChunk(
  db: Queryable,
  range: { afterSeq: number; afterHash: string | null; toSeq: number; batch: number },
): Promise<ChunkResult> {
  return db.one(sql.type(ChunkResult)`
    WITH rows AS (
      SELECT a.seq, a.prev_hash, a.hash, a.occurred_at, a.actor_user_id, a.action, a.entity_type, a.entity_id,
             a.outcome, a.before, a.after, a.metadata
      FROM audit_logs a
      WHERE a.seq > ${range.afterSeq}::bigint AND a.seq <= ${range.toSeq}::bigint
      ORDER BY a.seq
      LIMIT ${range.batch}
    ), checked AS (
      SELECT r.seq, r.hash,
             coalesce(lag(r.seq) OVER w, ${range.afterSeq}::bigint) + 1 AS expected_seq,
             CASE
               WHEN r.seq <> coalesce(lag(r.seq) OVER w, ${range.afterSeq}::bigint) + 1 THEN 'seq_gap'
               WHEN r.prev_hash <> coalesce(lag(r.hash) OVER w, decode(${range.afterHash}::text, 'hex'), r.prev_hash) THEN 'prev_hash_mismatch'
               WHEN audit_row_hash(r.prev_hash, r.seq, r.occurred_at, r.actor_user_id, r.action, r.entity_type, r.entity_id,
                                   r.outcome, r.before, r.after, r.metadata) <> r.hash THEN 'hash_mismatch'
             END AS problem
      FROM rows r
      WINDOW w AS (ORDER BY r.seq)
    ), first_problem AS (
      SELECT seq, expected_seq, problem FROM checked WHERE problem IS NOT NULL ORDER BY seq LIMIT 1
    ), last_row AS (
      SELECT seq, hash FROM checked ORDER BY seq DESC LIMIT 1
    )
    SELECT
      (SELECT count(*) FROM checked)::int AS read_count,
      (SELECT count(*) FROM checked c WHERE NOT EXISTS (SELECT 1 FROM first_problem f WHERE c.seq > f.seq))::int AS checked_count,
      (SELECT seq FROM last_row) AS last_seq,
      (SELECT encode(hash, 'hex') FROM last_row) AS last_hash,
      (SELECT CASE WHEN problem = 'seq_gap' THEN expected_seq ELSE seq END FROM first_problem) AS invalid_seq,
      (SELECT problem FROM first_problem) AS reason`);
}

const AnchorExists = z.object({ exists: z.boolean() });

/** Whether the anchor job already wrote `audit.chain_anchored` for this organization date (kept in `metadata.orgDate`). */
export async function anchorExistsFor(db: Queryable, orgDate: string): Promise<boolean> {
  return db.oneFirst(sql.type(AnchorExists)`
    SELECT EXISTS (
      SELECT 1 FROM audit_logs WHERE action = 'audit.chain_anchored' AND metadata ->> 'orgDate' = ${orgDate}
    ) AS exists`);
}

const OrgTime = z.object({ orgDate: z.string(), pastAnchorTime: z.boolean() });

/** The organization-local date of `now` and whether its local time is 03:00 or later (04 §4.3 `audit.anchor`). */
export async function orgDateAndAnchorTime(db: Queryable, now: Date, timezone: string): Promise<z.infer<typeof OrgTime>> {
  return db.one(sql.type(OrgTime)`
    SELECT to_char(${sql.timestamp(now)} AT TIME ZONE ${timezone}, 'YYYY-MM-DD') AS org_date,
           (${sql.timestamp(now)} AT TIME ZONE ${timezone})::time >= time '03:00' AS past_anchor_time`);
}
