/**
 * SQL of attendance corrections (02 §2.3, §3.4, §4.8): the correction rows, the session facts the rules need,
 * conditional status transitions, the session rewrite of an approval, and event audiences.
 */
import { sql, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../db/pool.ts';
import { NoRows } from '../../db/sql.ts';
import type { CheckoutFlags, SessionDurations } from './schedule.ts';
import { SessionRow } from './sessions-queries.ts';

export const CORRECTION_STATUSES = ['pending', 'needs_clarification', 'approved', 'rejected', 'cancelled'] as const;
export type CorrectionStatus = (typeof CORRECTION_STATUSES)[number];
/** Statuses in which a correction is still open (the partial unique index `uq_attendance_one_open_correction_per_session`). */
export const OPEN_CORRECTION_STATUSES: readonly CorrectionStatus[] = ['pending', 'needs_clarification'];

export const CorrectionRow = z.object({
  id: z.string(),
  sessionId: z.string(),
  userId: z.string(),
  userFullName: z.string(),
  requestedById: z.string(),
  workDate: z.string(),
  originalCheckInAt: z.date(),
  originalCheckOutAt: z.date().nullable(),
  requestedCheckInAt: z.date().nullable(),
  requestedCheckOutAt: z.date().nullable(),
  reason: z.string(),
  status: z.enum(CORRECTION_STATUSES),
  reviewerId: z.string().nullable(),
  reviewerComment: z.string().nullable(),
  resolvedAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type CorrectionRow = z.infer<typeof CorrectionRow>;

const CORRECTION_COLUMNS = sql.fragment`
  c.id, c.session_id, c.user_id, u.full_name AS user_full_name, c.requested_by_id, s.work_date,
  c.original_check_in_at, c.original_check_out_at, c.requested_check_in_at, c.requested_check_out_at, c.reason,
  c.status, c.reviewer_id, c.reviewer_comment, c.resolved_at, c.created_at, c.updated_at`;

const CORRECTION_FROM = sql.fragment`
  attendance_corrections c
  JOIN attendance_sessions s ON s.id = c.session_id
  JOIN users u ON u.id = c.user_id`;

/**
 * A correction by id, optionally only when `visible` (a condition over `c.*`) holds: the scope filter is SQL.
 */
export async function findCorrection(db: Queryable, correctionId: string, visible: FragmentSqlToken = sql.fragment`TRUE`): Promise<CorrectionRow | null> {
  return db.maybeOne(sql.type(CorrectionRow)`
    SELECT ${CORRECTION_COLUMNS} FROM ${CORRECTION_FROM}
    WHERE c.id = ${correctionId} AND ${visible}`);
}

/** Corrections of one session, newest first (for the session detail view). */
export async function listSessionCorrections(db: Queryable, sessionId: string): Promise<readonly CorrectionRow[]> {
  return db.any(sql.type(CorrectionRow)`
    SELECT ${CORRECTION_COLUMNS} FROM ${CORRECTION_FROM}
    WHERE c.session_id = ${sessionId}
    ORDER BY c.created_at DESC, c.id`);
}

export interface CorrectionFilter {
  /** The scope condition over `c.*`. */
  visible: FragmentSqlToken;
  status?: CorrectionStatus;
  userId?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

const Count = z.object({ total: z.number() });

export async function listCorrections(db: Queryable, filter: CorrectionFilter): Promise<{ rows: readonly CorrectionRow[]; total: number }> {
  const conditions: FragmentSqlToken[] = [filter.visible];
  if (filter.status) conditions.push(sql.fragment`c.status = ${filter.status}`);
  if (filter.userId) conditions.push(sql.fragment`c.user_id = ${filter.userId}`);
  if (filter.from) conditions.push(sql.fragment`s.work_date >= ${filter.from}::date`);
  if (filter.to) conditions.push(sql.fragment`s.work_date <= ${filter.to}::date`);
  const where = sql.join(conditions, sql.fragment` AND `);
  const total = await db.oneFirst(sql.type(Count)`SELECT count(*)::int AS total FROM ${CORRECTION_FROM} WHERE ${where}`);
  const rows = await db.any(sql.type(CorrectionRow)`
    SELECT ${CORRECTION_COLUMNS} FROM ${CORRECTION_FROM}
    WHERE ${where}
    ORDER BY c.created_at DESC, c.id
    LIMIT ${filter.limit} OFFSET ${filter.offset}`);
  return { rows, total };
}

const Exists = z.object({ exists: z.boolean() });

export async function correctionExists(db: Queryable, correctionId: string): Promise<boolean> {
  return db.oneFirst(sql.type(Exists)`SELECT EXISTS (SELECT 1 FROM attendance_corrections WHERE id = ${correctionId}) AS exists`);
}

export async function hasOpenCorrection(db: Queryable, sessionId: string): Promise<boolean> {
  return db.oneFirst(sql.type(Exists)`
    SELECT EXISTS (
      SELECT 1 FROM attendance_corrections WHERE session_id = ${sessionId} AND status IN ('pending', 'needs_clarification')
    ) AS exists`);
}

const Id = z.object({ id: z.string() });
const ts = (d: Date | null) => (d ? sql.timestamp(d) : null);

export async function insertCorrection(
  tx: Queryable,
  values: {
    sessionId: string;
    userId: string;
    requestedById: string;
    originalCheckInAt: Date;
    originalCheckOutAt: Date | null;
    requestedCheckInAt: Date | null;
    requestedCheckOutAt: Date | null;
    reason: string;
  },
  now: Date,
): Promise<string> {
  return tx.oneFirst(sql.type(Id)`
    INSERT INTO attendance_corrections (session_id, user_id, requested_by_id, original_check_in_at, original_check_out_at,
      requested_check_in_at, requested_check_out_at, reason, status, created_at, updated_at)
    VALUES (${values.sessionId}, ${values.userId}, ${values.requestedById}, ${sql.timestamp(values.originalCheckInAt)},
      ${ts(values.originalCheckOutAt)}, ${ts(values.requestedCheckInAt)}, ${ts(values.requestedCheckOutAt)}, ${values.reason},
      'pending', ${sql.timestamp(now)}, ${sql.timestamp(now)})
    RETURNING id`);
}


export interface CorrectionTransition {
  status: CorrectionStatus;
  reviewerId?: string;
  reviewerComment?: string | null;
  /** Set for terminal statuses. */
  resolved?: boolean;
  requestedCheckInAt?: Date | null;
  requestedCheckOutAt?: Date | null;
  reason?: string;
}

/**
 * Moves a correction to a new status only if it is still in one of `from` (the conditional update of 02 §4.11:
 * of two racing deciders exactly one sees a row).
 * @returns false when the correction was no longer in one of `from`.
 */
export async function transitionCorrection(
  tx: Queryable,
  correctionId: string,
  from: readonly CorrectionStatus[],
  change: CorrectionTransition,
  now: Date,
): Promise<boolean> {
  const sets: FragmentSqlToken[] = [sql.fragment`status = ${change.status}`, sql.fragment`updated_at = ${sql.timestamp(now)}`];
  if (change.reviewerId !== undefined) sets.push(sql.fragment`reviewer_id = ${change.reviewerId}`);
  if (change.reviewerComment !== undefined) sets.push(sql.fragment`reviewer_comment = ${change.reviewerComment}`);
  if (change.resolved) sets.push(sql.fragment`resolved_at = ${sql.timestamp(now)}`);
  if (change.requestedCheckInAt !== undefined) sets.push(sql.fragment`requested_check_in_at = ${ts(change.requestedCheckInAt)}`);
  if (change.requestedCheckOutAt !== undefined) sets.push(sql.fragment`requested_check_out_at = ${ts(change.requestedCheckOutAt)}`);
  if (change.reason !== undefined) sets.push(sql.fragment`reason = ${change.reason}`);
  const row = await tx.maybeOne(sql.type(Id)`
    UPDATE attendance_corrections SET ${sql.join(sets, sql.fragment`, `)}
    WHERE id = ${correctionId} AND status = ANY(${sql.array([...from], 'varchar')})
    RETURNING id`);
  return row !== null;
}

// --- Sessions, as corrections see them -------------------------------------------------------------------------

/** What the correction rules read of a session: the session row's own columns, no joins. */
export const CorrectableSession = SessionRow.pick({
  id: true,
  userId: true,
  workDate: true,
  status: true,
  checkInAt: true,
  checkOutAt: true,
  shiftId: true,
  isScheduledDay: true,
  expectedShiftStartAt: true,
  expectedShiftEndAt: true,
  isLate: true,
  isEarlyCheckout: true,
  earlyCheckoutReason: true,
  afterShiftReason: true,
  afterShiftNote: true,
  isOvertime: true,
  unpaidBreakSeconds: true,
});
export type CorrectableSession = z.infer<typeof CorrectableSession>;

const SESSION_COLUMNS = sql.fragment`
  id, user_id, work_date, status, check_in_at, check_out_at, shift_id, is_scheduled_day, expected_shift_start_at,
  expected_shift_end_at, is_late, is_early_checkout, early_checkout_reason, after_shift_reason, after_shift_note, is_overtime,
  unpaid_break_seconds`;

export async function findSession(db: Queryable, sessionId: string): Promise<CorrectableSession | null> {
  return db.maybeOne(sql.type(CorrectableSession)`SELECT ${SESSION_COLUMNS} FROM attendance_sessions WHERE id = ${sessionId}`);
}

/** The session, locked for the rest of the transaction (every session mutation locks first, 02 §4.11). */
export async function lockSession(tx: Queryable, sessionId: string): Promise<CorrectableSession | null> {
  return tx.maybeOne(sql.type(CorrectableSession)`SELECT ${SESSION_COLUMNS} FROM attendance_sessions WHERE id = ${sessionId} FOR UPDATE`);
}

const BreakBounds = z.object({ earliest: z.date().nullable(), latest: z.date().nullable() });

/** The earliest break start and the latest break instant (end, or start of a break still open) of a session. */
export async function breakBounds(db: Queryable, sessionId: string): Promise<{ earliest: Date | null; latest: Date | null }> {
  return db.one(sql.type(BreakBounds)`
    SELECT min(started_at) AS earliest, max(coalesce(ended_at, started_at)) AS latest
    FROM attendance_breaks WHERE session_id = ${sessionId}`);
}

/** Another session of the user whose interval overlaps `[from, to]` (touching ends do not overlap; an active one is open-ended). */
export async function overlapsOtherSession(db: Queryable, input: { userId: string; sessionId: string; from: Date; to: Date }): Promise<boolean> {
  return db.oneFirst(sql.type(Exists)`
    SELECT EXISTS (
      SELECT 1 FROM attendance_sessions
      WHERE user_id = ${input.userId} AND id <> ${input.sessionId}
        AND check_in_at < ${sql.timestamp(input.to)}
        AND coalesce(check_out_at, 'infinity'::timestamptz) > ${sql.timestamp(input.from)}
    ) AS exists`);
}

/** No other session of the user's work date starts before `checkInAt` (late applies to the first session only). */
export async function isFirstSessionOfDay(db: Queryable, input: { userId: string; workDate: string; sessionId: string; checkInAt: Date }): Promise<boolean> {
  return db.oneFirst(sql.type(Exists)`
    SELECT NOT EXISTS (
      SELECT 1 FROM attendance_sessions
      WHERE user_id = ${input.userId} AND work_date = ${input.workDate}::date AND id <> ${input.sessionId}
        AND check_in_at < ${sql.timestamp(input.checkInAt)}
    ) AS exists`);
}

/** What an approval rewrites: the new instants and the flags and durations derived from them (02 §4.8). */
export interface SessionRewrite
  extends SessionDurations,
    Pick<CheckoutFlags, 'isEarlyCheckout' | 'earlyCheckoutMinutes' | 'earlyCheckoutReason' | 'afterShiftMinutes' | 'isOvertime'> {
  checkInAt: Date;
  checkOutAt: Date;
  isLate: boolean;
  lateMinutes: number;
}

/** The approval's rewrite of a locked, closed session: `corrected`, new instants and everything derived from them. */
export async function rewriteSession(tx: Queryable, sessionId: string, values: SessionRewrite, now: Date): Promise<void> {
  await tx.query(sql.type(NoRows)`
    UPDATE attendance_sessions SET
      check_in_at = ${sql.timestamp(values.checkInAt)}, check_out_at = ${sql.timestamp(values.checkOutAt)},
      status = 'corrected', is_corrected = true,
      is_late = ${values.isLate}, late_minutes = ${values.lateMinutes},
      is_early_checkout = ${values.isEarlyCheckout}, early_checkout_minutes = ${values.earlyCheckoutMinutes},
      early_checkout_reason = ${values.earlyCheckoutReason},
      after_shift_minutes = ${values.afterShiftMinutes}, is_overtime = ${values.isOvertime},
      gross_seconds = ${values.grossSeconds}, worked_seconds = ${values.workedSeconds},
      classification = ${values.classification}, updated_at = ${sql.timestamp(now)}
    WHERE id = ${sessionId} AND status <> 'active'`);
}

const DayFlags = z.object({ anyLate: z.boolean(), anyEarly: z.boolean(), anyOvertime: z.boolean() });

/** Whether any session of the user's work date is still late / early / overtime (after a rewrite). */
export async function dayFlags(db: Queryable, userId: string, workDate: string): Promise<z.infer<typeof DayFlags>> {
  return db.one(sql.type(DayFlags)`
    SELECT coalesce(bool_or(is_late), false) AS any_late, coalesce(bool_or(is_early_checkout), false) AS any_early,
           coalesce(bool_or(is_overtime), false) AS any_overtime
    FROM attendance_sessions WHERE user_id = ${userId} AND work_date = ${workDate}::date`);
}

// --- Event audiences ------------------------------------------------------------------------------------------------

const UserIds = z.object({ id: z.string() });

/** The users themselves plus each one's manager when that manager is active ("user, team" of 04 §3.9). */
export async function usersAndActiveManagers(db: Queryable, userIds: readonly string[]): Promise<string[]> {
  const rows = await db.any(sql.type(UserIds)`
    SELECT u.id FROM users u WHERE u.id = ANY(${sql.array([...userIds], 'uuid')})
    UNION
    SELECT m.id FROM users u JOIN users m ON m.id = u.manager_id
    WHERE u.id = ANY(${sql.array([...userIds], 'uuid')}) AND m.status = 'active'`);
  return rows.map((r) => r.id);
}

// --- Approvals inbox (04 §3.1) --------------------------------------------------------------------------------------

/**
 * Open corrections an approver may decide (02 §3.4), as approvals-inbox rows with the columns every inbox kind
 * yields (kind, id, requester_id, requester_name, submitted_at, detail): `pending` or `needs_clarification`, the
 * approver neither the session owner nor the requester, the owner within `ownerInScope` (the approver's attendance
 * scope, a condition over `c.user_id`). Whether the approver holds `attendance.approve_correction` is the caller's
 * check, as on the route of approve / reject / request-clarification.
 */
export function correctionApprovalItems(input: { approverId: string; ownerInScope: FragmentSqlToken }): FragmentSqlToken {
  return sql.fragment`
    SELECT 'attendance_correction'::text AS kind, c.id, c.requested_by_id AS requester_id, r.full_name AS requester_name,
           c.created_at AS submitted_at, jsonb_build_object('workDate', s.work_date, 'ownerName', u.full_name) AS detail
    FROM ${CORRECTION_FROM}
    JOIN users r ON r.id = c.requested_by_id
    WHERE c.status = ANY(${sql.array([...OPEN_CORRECTION_STATUSES], 'text')})
      AND c.user_id <> ${input.approverId} AND c.requested_by_id <> ${input.approverId}
      AND ${input.ownerInScope}`;
}
