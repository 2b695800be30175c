/**
 * SQL of the session lifecycle (02 §3.1, §3.3, §4.4, §4.6): sessions and breaks, their row locks and the
 * conditional updates that make check-out, break end and auto-close race-safe (02 §4.11).
 */
import { sql, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../db/pool.ts';
import { NoRows } from '../../db/sql.ts';
import type { CheckoutFlags, SessionDurations } from './schedule.ts';

const WorkMode = z.enum(['office', 'wfh']);
const BreakType = z.enum(['dinner', 'prayer', 'other']);
export type BreakType = z.infer<typeof BreakType>;

/** Everything the Session wire object needs (02 §2.8), one row per session. */
export const SessionRow = z.object({
  id: z.string(),
  userId: z.string(),
  userFullName: z.string(),
  workDate: z.string(),
  workMode: WorkMode,
  wfhApproved: z.boolean().nullable(),
  status: z.enum(['active', 'completed', 'incomplete', 'corrected']),
  classification: z.enum(['active', 'full_day', 'short_leave', 'half_day', 'full_leave']),
  checkInAt: z.date(),
  checkOutAt: z.date().nullable(),
  shiftId: z.string().nullable(),
  isScheduledDay: z.boolean(),
  expectedShiftStartAt: z.date().nullable(),
  expectedShiftEndAt: z.date().nullable(),
  isLate: z.boolean(),
  lateMinutes: z.number(),
  isEarlyCheckout: z.boolean(),
  earlyCheckoutMinutes: z.number(),
  earlyCheckoutReason: z.string().nullable(),
  afterShiftReason: z.enum(['overtime', 'forgot_checkout']).nullable(),
  afterShiftNote: z.string().nullable(),
  afterShiftMinutes: z.number(),
  isOvertime: z.boolean(),
  autoClosedReason: z.enum(['max_duration', 'shift_ended', 'account_suspended']).nullable(),
  grossSeconds: z.number().nullable(),
  workedSeconds: z.number().nullable(),
  breakSeconds: z.number(),
  unpaidBreakSeconds: z.number(),
  dinnerBreakSeconds: z.number(),
  prayerBreakSeconds: z.number(),
  otherBreakSeconds: z.number(),
  isCorrected: z.boolean(),
  correctionPending: z.boolean(),
  activeBreakId: z.string().nullable(),
  activeBreakType: BreakType.nullable(),
  activeBreakNote: z.string().nullable(),
  activeBreakIsPaid: z.boolean().nullable(),
  activeBreakStartedAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type SessionRow = z.infer<typeof SessionRow>;

/**
 * `SELECT … FROM attendance_sessions s JOIN users u …` for SessionRow; callers add WHERE / ORDER BY. The open break
 * joins at most one row (one open break per user), so the join never multiplies sessions.
 */
export const SESSION_SELECT = sql.fragment`
  SELECT s.id, s.user_id, u.full_name AS user_full_name, s.work_date, s.work_mode, s.wfh_approved, s.status, s.classification,
    s.check_in_at, s.check_out_at, s.shift_id, s.is_scheduled_day, s.expected_shift_start_at, s.expected_shift_end_at,
    s.is_late, s.late_minutes, s.is_early_checkout, s.early_checkout_minutes, s.early_checkout_reason,
    s.after_shift_reason, s.after_shift_note, s.after_shift_minutes, s.is_overtime, s.auto_closed_reason,
    s.gross_seconds, s.worked_seconds, s.break_seconds, s.unpaid_break_seconds,
    s.dinner_break_seconds, s.prayer_break_seconds, s.other_break_seconds, s.is_corrected,
    EXISTS (SELECT 1 FROM attendance_corrections c WHERE c.session_id = s.id AND c.status IN ('pending', 'needs_clarification'))
      AS correction_pending,
    ab.id AS active_break_id, ab.break_type AS active_break_type, ab.note AS active_break_note,
    ab.is_paid AS active_break_is_paid, ab.started_at AS active_break_started_at,
    s.created_at, s.updated_at
  FROM attendance_sessions s
  JOIN users u ON u.id = s.user_id
  LEFT JOIN attendance_breaks ab ON ab.session_id = s.id AND ab.ended_at IS NULL`;

/** The session as SessionRow, optionally only when `visible` (a scope fragment over `s.user_id`) holds. */
export async function findSessionRow(db: Queryable, sessionId: string, visible: FragmentSqlToken = sql.fragment`TRUE`): Promise<SessionRow | null> {
  return db.maybeOne(sql.type(SessionRow)`${SESSION_SELECT} WHERE s.id = ${sessionId} AND ${visible}`);
}

/** The user's active session as SessionRow, if any. */
export async function findActiveSessionRow(db: Queryable, userId: string): Promise<SessionRow | null> {
  return db.maybeOne(sql.type(SessionRow)`${SESSION_SELECT} WHERE s.user_id = ${userId} AND s.status = 'active'`);
}

/** What the lifecycle rules need of a session. */
const LockedSession = z.object({
  id: z.string(),
  userId: z.string(),
  workDate: z.string(),
  status: z.string(),
  checkInAt: z.date(),
  expectedShiftStartAt: z.date().nullable(),
  expectedShiftEndAt: z.date().nullable(),
});
export type LockedSession = z.infer<typeof LockedSession>;

const LOCKED_COLUMNS = sql.fragment`id, user_id, work_date, status, check_in_at, expected_shift_start_at, expected_shift_end_at`;

/** The user's active session without a lock (the cheap pre-check of the lazy close and of check-in). */
export async function findActiveSessionRef(db: Queryable, userId: string): Promise<LockedSession | null> {
  return db.maybeOne(sql.type(LockedSession)`
    SELECT ${LOCKED_COLUMNS} FROM attendance_sessions WHERE user_id = ${userId} AND status = 'active'`);
}

/**
 * The user's active session, locked for the rest of the transaction. A concurrent closer that committed first makes
 * PostgreSQL re-check `status = 'active'` on the new row version, so the loser sees no row (02 §4.11).
 */
export async function lockActiveSessionOfUser(tx: Queryable, userId: string): Promise<LockedSession | null> {
  return tx.maybeOne(sql.type(LockedSession)`
    SELECT ${LOCKED_COLUMNS} FROM attendance_sessions WHERE user_id = ${userId} AND status = 'active' FOR UPDATE`);
}

/** The session by id while it is active, locked. */
export async function lockActiveSession(tx: Queryable, sessionId: string): Promise<LockedSession | null> {
  return tx.maybeOne(sql.type(LockedSession)`
    SELECT ${LOCKED_COLUMNS} FROM attendance_sessions WHERE id = ${sessionId} AND status = 'active' FOR UPDATE`);
}

const Status = z.object({ status: z.string() });

/**
 * The user's status, share-locked: a concurrent suspension (which updates the row and closes the active session in
 * its transaction) either finishes first — and this check-in sees `suspended` — or waits for this check-in.
 */
export async function lockUserStatus(tx: Queryable, userId: string): Promise<string | null> {
  return tx.maybeOneFirst(sql.type(Status)`SELECT status FROM users WHERE id = ${userId} FOR SHARE`);
}

/**
 * The user's status, locked against check-in's share lock (the absence evaluation of the job): a concurrent check-in
 * either committed first — its session is seen — or waits and then resolves the absence raised meanwhile.
 */
export async function lockUserStatusForAbsence(tx: Queryable, userId: string): Promise<string | null> {
  return tx.maybeOneFirst(sql.type(Status)`SELECT status FROM users WHERE id = ${userId} FOR NO KEY UPDATE`);
}

const ActiveUser = z.object({ id: z.string(), createdDate: z.string() });

/** Active users with the local date (in `timezone`) of their creation, by id. */
export async function listActiveUsersWithCreatedDate(db: Queryable, timezone: string): Promise<readonly z.infer<typeof ActiveUser>[]> {
  return db.any(sql.type(ActiveUser)`
    SELECT id, to_char(created_at AT TIME ZONE ${timezone}, 'YYYY-MM-DD') AS created_date
    FROM users WHERE status = 'active' ORDER BY id`);
}

const Count = z.object({ count: z.number() });

export async function countSessionsOnDate(tx: Queryable, userId: string, workDate: string): Promise<number> {
  return tx.oneFirst(sql.type(Count)`
    SELECT count(*)::int AS count FROM attendance_sessions WHERE user_id = ${userId} AND work_date = ${workDate}`);
}

export interface NewSession {
  userId: string;
  workDate: string;
  checkInAt: Date;
  workMode: 'office' | 'wfh';
  wfhApproved: boolean | null;
  shiftId: string | null;
  isScheduledDay: boolean;
  expectedShiftStartAt: Date | null;
  expectedShiftEndAt: Date | null;
  isLate: boolean;
  lateMinutes: number;
}

const Id = z.object({ id: z.string() });
const ts = (d: Date | null) => (d ? sql.timestamp(d) : null);

/** Inserts an active session; a second active one violates `uq_attendance_one_active_session_per_user` (→ 409). */
export async function insertSession(tx: Queryable, s: NewSession): Promise<string> {
  return tx.oneFirst(sql.type(Id)`
    INSERT INTO attendance_sessions (user_id, work_date, check_in_at, work_mode, wfh_approved, status, shift_id, is_scheduled_day,
      expected_shift_start_at, expected_shift_end_at, is_late, late_minutes, classification, created_at, updated_at)
    VALUES (${s.userId}, ${s.workDate}, ${sql.timestamp(s.checkInAt)}, ${s.workMode}, ${s.wfhApproved}, 'active', ${s.shiftId},
      ${s.isScheduledDay}, ${ts(s.expectedShiftStartAt)}, ${ts(s.expectedShiftEndAt)}, ${s.isLate}, ${s.lateMinutes}, 'active',
      ${sql.timestamp(s.checkInAt)}, ${sql.timestamp(s.checkInAt)})
    RETURNING id`);
}

/** The values written when a session closes (check-out, auto-close, account suspension). */
export interface SessionClose extends CheckoutFlags, SessionDurations {
  status: 'completed' | 'incomplete';
  checkOutAt: Date;
  autoClosedReason: 'max_duration' | 'shift_ended' | 'account_suspended' | null;
  totals: BreakTotals;
}

/** Closes the session only while it is still active; false when another closer won. */
export async function closeSessionRow(tx: Queryable, sessionId: string, c: SessionClose, now: Date): Promise<boolean> {
  const row = await tx.maybeOne(sql.type(Id)`
    UPDATE attendance_sessions SET
      status = ${c.status}, check_out_at = ${sql.timestamp(c.checkOutAt)}, auto_closed_reason = ${c.autoClosedReason},
      is_early_checkout = ${c.isEarlyCheckout}, early_checkout_minutes = ${c.earlyCheckoutMinutes},
      early_checkout_reason = ${c.earlyCheckoutReason}, after_shift_reason = ${c.afterShiftReason},
      after_shift_note = ${c.afterShiftNote}, after_shift_minutes = ${c.afterShiftMinutes}, is_overtime = ${c.isOvertime},
      gross_seconds = ${c.grossSeconds}, worked_seconds = ${c.workedSeconds}, classification = ${c.classification},
      ${breakTotalAssignments(c.totals)}, updated_at = ${sql.timestamp(now)}
    WHERE id = ${sessionId} AND status = 'active'
    RETURNING id`);
  return row !== null;
}

// --- Breaks ------------------------------------------------------------------------------------------------------

export const BreakRow = z.object({
  id: z.string(),
  sessionId: z.string(),
  userId: z.string(),
  breakType: BreakType,
  note: z.string().nullable(),
  isPaid: z.boolean(),
  startedAt: z.date(),
  endedAt: z.date().nullable(),
  durationSeconds: z.number().nullable(),
  endReason: z.enum(['manual', 'check_out', 'auto_close']).nullable(),
});
export type BreakRow = z.infer<typeof BreakRow>;

const BREAK_COLUMNS = sql.fragment`id, session_id, user_id, break_type, note, is_paid, started_at, ended_at, duration_seconds, end_reason`;

/** The open break of a session, locked. */
export async function lockOpenBreak(tx: Queryable, sessionId: string): Promise<BreakRow | null> {
  return tx.maybeOne(sql.type(BreakRow)`
    SELECT ${BREAK_COLUMNS} FROM attendance_breaks WHERE session_id = ${sessionId} AND ended_at IS NULL FOR UPDATE`);
}

/** The user's open break, whatever its session (there is at most one). */
export async function findOpenBreakOfUser(db: Queryable, userId: string): Promise<BreakRow | null> {
  return db.maybeOne(sql.type(BreakRow)`SELECT ${BREAK_COLUMNS} FROM attendance_breaks WHERE user_id = ${userId} AND ended_at IS NULL`);
}

export async function countBreaks(tx: Queryable, sessionId: string): Promise<number> {
  return tx.oneFirst(sql.type(Count)`SELECT count(*)::int AS count FROM attendance_breaks WHERE session_id = ${sessionId}`);
}

/** Opens a break; a second open one for the user violates `uq_attendance_one_open_break_per_user` (→ 409). */
export async function insertBreak(
  tx: Queryable,
  b: { sessionId: string; userId: string; breakType: BreakType; note: string | null; isPaid: boolean; startedAt: Date },
): Promise<BreakRow> {
  return tx.one(sql.type(BreakRow)`
    INSERT INTO attendance_breaks (session_id, user_id, break_type, note, is_paid, started_at, created_at, updated_at)
    VALUES (${b.sessionId}, ${b.userId}, ${b.breakType}, ${b.note}, ${b.isPaid}, ${sql.timestamp(b.startedAt)},
      ${sql.timestamp(b.startedAt)}, ${sql.timestamp(b.startedAt)})
    RETURNING ${BREAK_COLUMNS}`);
}

/**
 * Ends the session's open break at `at` (never before its start), with whole seconds as its duration.
 * @returns the closed break, or null when none was open.
 */
export async function endOpenBreak(tx: Queryable, sessionId: string, at: Date, reason: 'manual' | 'check_out' | 'auto_close'): Promise<BreakRow | null> {
  const end = sql.fragment`GREATEST(started_at, ${sql.timestamp(at)})`;
  return tx.maybeOne(sql.type(BreakRow)`
    UPDATE attendance_breaks
    SET ended_at = ${end}, duration_seconds = floor(extract(epoch FROM (${end} - started_at)))::int,
        end_reason = ${reason}, updated_at = ${sql.timestamp(at)}
    WHERE session_id = ${sessionId} AND ended_at IS NULL
    RETURNING ${BREAK_COLUMNS}`);
}

const Latest = z.object({ latest: z.date().nullable() });

/** The latest start or end of any break of the session (02 §4.6: breaks in the grace stay inside the session). */
export async function latestBreakInstant(tx: Queryable, sessionId: string): Promise<Date | null> {
  return tx.oneFirst(sql.type(Latest)`
    SELECT max(GREATEST(started_at, coalesce(ended_at, started_at))) AS latest FROM attendance_breaks WHERE session_id = ${sessionId}`);
}

export const BreakTotals = z.object({
  breakSeconds: z.number(),
  unpaidBreakSeconds: z.number(),
  dinnerBreakSeconds: z.number(),
  prayerBreakSeconds: z.number(),
  otherBreakSeconds: z.number(),
});
export type BreakTotals = z.infer<typeof BreakTotals>;

/** Sums of the session's closed breaks (02 §4.4). */
export async function sumClosedBreaks(tx: Queryable, sessionId: string): Promise<BreakTotals> {
  return tx.one(sql.type(BreakTotals)`
    SELECT coalesce(sum(duration_seconds), 0)::int AS break_seconds,
      coalesce(sum(duration_seconds) FILTER (WHERE NOT is_paid), 0)::int AS unpaid_break_seconds,
      coalesce(sum(duration_seconds) FILTER (WHERE break_type = 'dinner'), 0)::int AS dinner_break_seconds,
      coalesce(sum(duration_seconds) FILTER (WHERE break_type = 'prayer'), 0)::int AS prayer_break_seconds,
      coalesce(sum(duration_seconds) FILTER (WHERE break_type = 'other'), 0)::int AS other_break_seconds
    FROM attendance_breaks WHERE session_id = ${sessionId} AND ended_at IS NOT NULL`);
}

function breakTotalAssignments(t: BreakTotals): FragmentSqlToken {
  return sql.fragment`break_seconds = ${t.breakSeconds}, unpaid_break_seconds = ${t.unpaidBreakSeconds},
    dinner_break_seconds = ${t.dinnerBreakSeconds}, prayer_break_seconds = ${t.prayerBreakSeconds},
    other_break_seconds = ${t.otherBreakSeconds}`;
}

/** Writes the session's break totals (after a break ends while the session stays active). */
export async function updateBreakTotals(tx: Queryable, sessionId: string, totals: BreakTotals, now: Date): Promise<void> {
  await tx.query(sql.type(NoRows)`
    UPDATE attendance_sessions SET ${breakTotalAssignments(totals)}, updated_at = ${sql.timestamp(now)} WHERE id = ${sessionId}`);
}

// --- Stale sessions (the job) --------------------------------------------------------------------------------------

/**
 * Active sessions whose auto-close deadline has passed (02 §4.6): the cap, or the shift end + grace when the
 * check-in came before the shift end. The precise rule is re-applied under the row lock by the closer.
 */
export async function findDueActiveSessions(db: Queryable, now: Date, maxActiveHours: number, graceMinutes: number): Promise<string[]> {
  const at = sql.timestamp(now);
  const rows = await db.any(sql.type(Id)`
    SELECT id FROM attendance_sessions
    WHERE status = 'active'
      AND (check_in_at + make_interval(hours => ${maxActiveHours}) <= ${at}
        OR (expected_shift_end_at IS NOT NULL AND check_in_at < expected_shift_end_at
            AND expected_shift_end_at + make_interval(mins => ${graceMinutes}) <= ${at}))
    ORDER BY check_in_at, id`);
  return rows.map((r) => r.id);
}

const ManagerId = z.object({ managerId: z.string() });

/** The user's manager when that manager is active (the "team" audience of 04 §3.9). */
export async function findActiveManagerId(db: Queryable, userId: string): Promise<string | null> {
  return db.maybeOneFirst(sql.type(ManagerId)`
    SELECT m.id AS manager_id FROM users u JOIN users m ON m.id = u.manager_id WHERE u.id = ${userId} AND m.status = 'active'`);
}

const SessionInRange = z.object({ id: z.string(), workDate: z.string() });

/** The user's first attendance session whose work date lies in `startDate..endDate` (leave overlap, 03 §4.2), if any. */
export async function findSessionInRange(
  db: Queryable,
  input: { userId: string; startDate: string; endDate: string },
): Promise<z.infer<typeof SessionInRange> | null> {
  return db.maybeOne(sql.type(SessionInRange)`
    SELECT id, work_date FROM attendance_sessions
    WHERE user_id = ${input.userId} AND work_date BETWEEN ${input.startDate}::date AND ${input.endDate}::date
    ORDER BY work_date, check_in_at, id
    LIMIT 1`);
}
