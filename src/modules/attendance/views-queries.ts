/**
 * SQL of the attendance views (02 §3.2): session lists with scope in SQL, a session's breaks and corrections, and
 * the set-based facts of the roster (users with their effective shift, and the sessions of one work date).
 */
import { sql, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../db/pool.ts';
import type { PageWindow } from '../../lib/page.ts';
import { CorrectionRow } from './corrections-queries.ts';
import { BreakRow, SESSION_SELECT, SessionRow } from './sessions-queries.ts';

export type SessionSort = 'checkInAt' | '-checkInAt' | 'workDate' | '-workDate';

const SESSION_ORDER: Record<SessionSort, FragmentSqlToken> = {
  checkInAt: sql.fragment`s.check_in_at ASC, s.id ASC`,
  '-checkInAt': sql.fragment`s.check_in_at DESC, s.id DESC`,
  workDate: sql.fragment`s.work_date ASC, s.check_in_at ASC, s.id ASC`,
  '-workDate': sql.fragment`s.work_date DESC, s.check_in_at DESC, s.id DESC`,
};

export interface SessionFilter {
  /** A scope condition over `s.user_id` (src/auth/scope.ts `inScope`). */
  visible: FragmentSqlToken;
  userId?: string;
  departmentId?: string;
  from: string;
  to: string;
  status?: SessionRow['status'];
  workMode?: SessionRow['workMode'];
  classification?: SessionRow['classification'];
  sort: SessionSort;
  limit: number;
  offset: number;
}

const Count = z.object({ count: z.number() });

/** The user id column of the session lists, for `inScope(actor, scope, SESSION_USER_ID)`. */
export const SESSION_USER_ID = sql.identifier(['s', 'user_id']);
/** The user id column of the roster. */
export const ROSTER_USER_ID = sql.identifier(['u', 'id']);

export async function listSessionRows(db: Queryable, f: SessionFilter): Promise<{ rows: readonly SessionRow[]; total: number }> {
  const conditions: FragmentSqlToken[] = [f.visible, sql.fragment`s.work_date BETWEEN ${f.from} AND ${f.to}`];
  if (f.userId !== undefined) conditions.push(sql.fragment`s.user_id = ${f.userId}`);
  if (f.departmentId !== undefined) conditions.push(sql.fragment`u.department_id = ${f.departmentId}`);
  if (f.status !== undefined) conditions.push(sql.fragment`s.status = ${f.status}`);
  if (f.workMode !== undefined) conditions.push(sql.fragment`s.work_mode = ${f.workMode}`);
  if (f.classification !== undefined) conditions.push(sql.fragment`s.classification = ${f.classification}`);
  const where = sql.join(conditions, sql.fragment` AND `);
  const total = await db.oneFirst(sql.type(Count)`
    SELECT count(*)::int AS count FROM attendance_sessions s JOIN users u ON u.id = s.user_id WHERE ${where}`);
  const rows = await db.any(sql.type(SessionRow)`
    ${SESSION_SELECT} WHERE ${where} ORDER BY ${SESSION_ORDER[f.sort]} LIMIT ${f.limit} OFFSET ${f.offset}`);
  return { rows, total };
}

/** The sessions of one user and work date, oldest first (for "today"). */
export async function listSessionsOnDate(db: Queryable, userId: string, workDate: string): Promise<readonly SessionRow[]> {
  return db.any(sql.type(SessionRow)`
    ${SESSION_SELECT} WHERE s.user_id = ${userId} AND s.work_date = ${workDate} ORDER BY s.check_in_at, s.id`);
}

const Id = z.object({ id: z.string() });

/** Whether the user exists and `visible` (a condition over `u.id`) holds for them. */
export async function userVisible(db: Queryable, userId: string, visible: FragmentSqlToken): Promise<boolean> {
  return (await db.maybeOne(sql.type(Id)`SELECT u.id FROM users u WHERE u.id = ${userId} AND ${visible}`)) !== null;
}

/** Whether the session exists and `visible` (a condition over `s.user_id`) holds. */
export async function sessionVisible(db: Queryable, sessionId: string, visible: FragmentSqlToken): Promise<boolean> {
  return (await db.maybeOne(sql.type(Id)`SELECT s.id FROM attendance_sessions s WHERE s.id = ${sessionId} AND ${visible}`)) !== null;
}

export async function listBreakRows(db: Queryable, sessionId: string, page?: PageWindow): Promise<{ rows: readonly BreakRow[]; total: number }> {
  const total = await db.oneFirst(sql.type(Count)`SELECT count(*)::int AS count FROM attendance_breaks WHERE session_id = ${sessionId}`);
  const paging = page ? sql.fragment`LIMIT ${page.limit} OFFSET ${page.offset}` : sql.fragment``;
  const rows = await db.any(sql.type(BreakRow)`
    SELECT id, session_id, user_id, break_type, note, is_paid, started_at, ended_at, duration_seconds, end_reason
    FROM attendance_breaks WHERE session_id = ${sessionId}
    ORDER BY started_at, id ${paging}`);
  return { rows, total };
}

/** The corrections of a session, newest first (embedded in `getSession`). */
export async function listCorrectionRowsOfSession(db: Queryable, sessionId: string) {
  return db.any(sql.type(CorrectionRow)`
    SELECT c.id, c.session_id, c.user_id, u.full_name AS user_full_name, c.requested_by_id, s.work_date,
      c.original_check_in_at, c.original_check_out_at, c.requested_check_in_at, c.requested_check_out_at, c.reason,
      c.status, c.reviewer_id, c.reviewer_comment, c.resolved_at, c.created_at, c.updated_at
    FROM attendance_corrections c
    JOIN attendance_sessions s ON s.id = c.session_id
    JOIN users u ON u.id = c.user_id
    WHERE c.session_id = ${sessionId}
    ORDER BY c.created_at DESC, c.id DESC`);
}

// --- Day status facts (roster, today) -----------------------------------------------------------------------------

export const DayUserRow = z.object({
  id: z.string(),
  fullName: z.string(),
  departmentId: z.string().nullable(),
  shiftId: z.string().nullable(),
  shiftName: z.string().nullable(),
  startMinutes: z.number().nullable(),
  endMinutes: z.number().nullable(),
  timezone: z.string().nullable(),
  graceMinutes: z.number().nullable(),
  workingDays: z.array(z.number()).nullable(),
});
export type DayUserRow = z.infer<typeof DayUserRow>;

/**
 * Users with their effective shift (02 §4.2: the assigned shift if active, else the default shift), one lateral
 * index lookup per row inside one statement.
 */
const DAY_USER_SELECT = sql.fragment`
  SELECT u.id, u.full_name, u.department_id, es.id AS shift_id, es.name AS shift_name,
    (extract(hour FROM es.start_time) * 60 + extract(minute FROM es.start_time))::int AS start_minutes,
    (extract(hour FROM es.end_time) * 60 + extract(minute FROM es.end_time))::int AS end_minutes,
    es.timezone, es.grace_period_minutes::int AS grace_minutes, es.working_days::int[] AS working_days
  FROM users u
  LEFT JOIN LATERAL (
    SELECT s.id, s.name, s.start_time, s.end_time, s.timezone, s.grace_period_minutes, s.working_days
    FROM shifts s
    WHERE s.is_active AND (s.id = u.shift_id OR s.is_default)
    ORDER BY coalesce(s.id = u.shift_id, false) DESC
    LIMIT 1
  ) es ON TRUE`;

export interface RosterFilter {
  /** A scope condition over `u.id`. */
  visible: FragmentSqlToken;
  departmentId?: string;
  /** Literal substring of name or email (already trimmed). */
  search?: string;
  /** Absent: every matching user (the caller filters and pages after evaluating the day). */
  page?: PageWindow;
}

/** `%`, `_` and `\` match literally. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Active users in scope with their effective shift, sorted by name then id; `total` counts every match. */
export async function listDayUsers(db: Queryable, f: RosterFilter): Promise<{ rows: readonly DayUserRow[]; total: number }> {
  const conditions: FragmentSqlToken[] = [sql.fragment`u.status = 'active'`, f.visible];
  if (f.departmentId !== undefined) conditions.push(sql.fragment`u.department_id = ${f.departmentId}`);
  if (f.search !== undefined) {
    const pattern = likePattern(f.search);
    conditions.push(sql.fragment`(u.full_name ILIKE ${pattern} ESCAPE '\\' OR u.email ILIKE ${pattern} ESCAPE '\\')`);
  }
  const where = sql.join(conditions, sql.fragment` AND `);
  const paging = f.page ? sql.fragment`LIMIT ${f.page.limit} OFFSET ${f.page.offset}` : sql.fragment``;
  const rows = await db.any(sql.type(DayUserRow)`${DAY_USER_SELECT} WHERE ${where} ORDER BY lower(u.full_name), u.id ${paging}`);
  const total = f.page ? await db.oneFirst(sql.type(Count)`SELECT count(*)::int AS count FROM users u WHERE ${where}`) : rows.length;
  return { rows, total };
}

/** One user with their effective shift. */
export async function findDayUser(db: Queryable, userId: string): Promise<DayUserRow | null> {
  return db.maybeOne(sql.type(DayUserRow)`${DAY_USER_SELECT} WHERE u.id = ${userId}`);
}

export const DaySessionRow = z.object({
  id: z.string(),
  userId: z.string(),
  workMode: z.enum(['office', 'wfh']),
  status: z.string(),
  workedSeconds: z.number().nullable(),
  breakSeconds: z.number(),
  checkInAt: z.date(),
  checkOutAt: z.date().nullable(),
  isLate: z.boolean(),
});
export type DaySessionRow = z.infer<typeof DaySessionRow>;

/** The sessions of one work date for a set of users, per user oldest first (one statement). */
export async function listDaySessions(db: Queryable, userIds: readonly string[], workDate: string): Promise<readonly DaySessionRow[]> {
  if (userIds.length === 0) return [];
  return db.any(sql.type(DaySessionRow)`
    SELECT id, user_id, work_mode, status, worked_seconds, break_seconds, check_in_at, check_out_at, is_late
    FROM attendance_sessions
    WHERE work_date = ${workDate} AND user_id = ANY(${sql.array([...userIds], 'uuid')})
    ORDER BY user_id, check_in_at, id`);
}
