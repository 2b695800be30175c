/**
 * SQL of the exceptions center (02 §3.5): the filtered, scoped list with its summary over the whole filtered set,
 * and the conditional close by a person. Creation and system closes live in exceptions-writer.ts.
 */
import { sql, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../db/pool.ts';

export const EXCEPTION_TYPES = ['late', 'early', 'overtime', 'missing_checkout', 'absent', 'correction_request'] as const;
export const EXCEPTION_STATUSES = ['open', 'resolved', 'dismissed'] as const;

export const ExceptionRow = z.object({
  id: z.string(),
  userId: z.string(),
  userFullName: z.string(),
  userEmail: z.string(),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  type: z.enum(EXCEPTION_TYPES),
  severity: z.enum(['low', 'medium', 'high']),
  status: z.enum(EXCEPTION_STATUSES),
  workDate: z.string(),
  sessionId: z.string().nullable(),
  correctionId: z.string().nullable(),
  shiftName: z.string().nullable(),
  shiftStartTime: z.string().nullable(),
  shiftEndTime: z.string().nullable(),
  checkInAt: z.date().nullable(),
  checkOutAt: z.date().nullable(),
  detectedAt: z.date(),
  reason: z.string().nullable(),
  resolutionNote: z.string().nullable(),
  resolvedById: z.string().nullable(),
  resolvedAt: z.date().nullable(),
});
export type ExceptionRow = z.infer<typeof ExceptionRow>;

/** Users, departments and sessions: what every filter needs. */
const EXCEPTION_FROM = sql.fragment`
  attendance_exceptions e
  JOIN users u ON u.id = e.user_id
  LEFT JOIN departments d ON d.id = u.department_id
  LEFT JOIN attendance_sessions s ON s.id = e.session_id`;

/**
 * The shift shown beside an exception: the session's stored shift, or — without a session — the user's effective
 * shift (assigned and active, else the active default).
 */
const SHIFT_JOIN = sql.fragment`
  LEFT JOIN LATERAL (
    SELECT sh.name, to_char(sh.start_time, 'HH24:MI') AS start_time, to_char(sh.end_time, 'HH24:MI') AS end_time
    FROM shifts sh
    WHERE CASE WHEN s.id IS NOT NULL THEN sh.id = s.shift_id
               ELSE (sh.id = u.shift_id AND sh.is_active)
                 OR (sh.is_default AND sh.is_active AND NOT EXISTS (SELECT 1 FROM shifts a WHERE a.id = u.shift_id AND a.is_active)) END
    ORDER BY (sh.id IS NOT DISTINCT FROM u.shift_id) DESC
    LIMIT 1
  ) shf ON TRUE`;

const EXCEPTION_COLUMNS = sql.fragment`
  e.id, e.user_id, u.full_name AS user_full_name, u.email AS user_email, u.department_id, d.name AS department_name,
  e.type, e.severity, e.status, e.work_date, e.session_id, e.correction_id,
  shf.name AS shift_name, shf.start_time AS shift_start_time, shf.end_time AS shift_end_time,
  s.check_in_at, s.check_out_at, e.detected_at, e.reason, e.resolution_note, e.resolved_by_id, e.resolved_at`;

export async function findException(db: Queryable, exceptionId: string, visible: FragmentSqlToken = sql.fragment`TRUE`): Promise<ExceptionRow | null> {
  return db.maybeOne(sql.type(ExceptionRow)`
    SELECT ${EXCEPTION_COLUMNS} FROM ${EXCEPTION_FROM} ${SHIFT_JOIN}
    WHERE e.id = ${exceptionId} AND ${visible}`);
}

export interface ExceptionFilter {
  /** The scope condition over `e.*` / `u.*`. */
  visible: FragmentSqlToken;
  startDate: string;
  endDate: string;
  status?: (typeof EXCEPTION_STATUSES)[number];
  type?: (typeof EXCEPTION_TYPES)[number];
  userId?: string;
  departmentId?: string;
  /** A literal, case-insensitive substring of the user's name or email. */
  search?: string;
  limit: number;
  offset: number;
}

const Summary = z.object({
  open: z.number(),
  resolved: z.number(),
  dismissed: z.number(),
  late: z.number(),
  early: z.number(),
  overtime: z.number(),
  missingCheckout: z.number(),
  absent: z.number(),
  correctionRequest: z.number(),
});
export type ExceptionSummary = z.infer<typeof Summary>;

/** One page plus the counts of the whole filtered set; two statements whatever the range. */
export async function listExceptions(db: Queryable, filter: ExceptionFilter): Promise<{ rows: readonly ExceptionRow[]; summary: ExceptionSummary }> {
  const conditions: FragmentSqlToken[] = [
    filter.visible,
    sql.fragment`e.work_date BETWEEN ${filter.startDate}::date AND ${filter.endDate}::date`,
  ];
  if (filter.status) conditions.push(sql.fragment`e.status = ${filter.status}`);
  if (filter.type) conditions.push(sql.fragment`e.type = ${filter.type}`);
  if (filter.userId) conditions.push(sql.fragment`e.user_id = ${filter.userId}`);
  if (filter.departmentId) conditions.push(sql.fragment`u.department_id = ${filter.departmentId}`);
  if (filter.search !== undefined) {
    conditions.push(sql.fragment`(strpos(lower(u.full_name), lower(${filter.search})) > 0 OR strpos(lower(u.email), lower(${filter.search})) > 0)`);
  }
  const where = sql.join(conditions, sql.fragment` AND `);
  const summary = await db.one(sql.type(Summary)`
    SELECT count(*) FILTER (WHERE e.status = 'open')::int AS open,
           count(*) FILTER (WHERE e.status = 'resolved')::int AS resolved,
           count(*) FILTER (WHERE e.status = 'dismissed')::int AS dismissed,
           count(*) FILTER (WHERE e.type = 'late')::int AS late,
           count(*) FILTER (WHERE e.type = 'early')::int AS early,
           count(*) FILTER (WHERE e.type = 'overtime')::int AS overtime,
           count(*) FILTER (WHERE e.type = 'missing_checkout')::int AS missing_checkout,
           count(*) FILTER (WHERE e.type = 'absent')::int AS absent,
           count(*) FILTER (WHERE e.type = 'correction_request')::int AS correction_request
    FROM ${EXCEPTION_FROM}
    WHERE ${where}`);
  const rows = await db.any(sql.type(ExceptionRow)`
    SELECT ${EXCEPTION_COLUMNS} FROM ${EXCEPTION_FROM} ${SHIFT_JOIN}
    WHERE ${where}
    ORDER BY e.work_date DESC, e.detected_at DESC, e.id
    LIMIT ${filter.limit} OFFSET ${filter.offset}`);
  return { rows, summary };
}

const Id = z.object({ id: z.string() });

/**
 * Closes an exception on behalf of a person, only while it is still `open` (02 §4.11).
 * @returns false when it was no longer open.
 */
export async function closeException(
  tx: Queryable,
  exceptionId: string,
  change: { status: 'resolved' | 'dismissed'; note: string | null; resolvedById: string },
  now: Date,
): Promise<boolean> {
  const row = await tx.maybeOne(sql.type(Id)`
    UPDATE attendance_exceptions
    SET status = ${change.status}, resolution_note = ${change.note}, resolved_by_id = ${change.resolvedById},
        resolved_at = ${sql.timestamp(now)}, updated_at = ${sql.timestamp(now)}
    WHERE id = ${exceptionId} AND status = 'open'
    RETURNING id`);
  return row !== null;
}
