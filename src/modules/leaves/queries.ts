/**
 * SQL of leave requests and their timeline (03 §2, §3.1, §4.1–§4.3): rows with the names the view needs, filtered
 * lists, conditional status transitions, the overlap and attendance pre-checks, the per-user advisory lock, and the
 * rows the escalation job and the approvals inbox read. Scope conditions arrive as fragments over `lr.*`.
 */
import { sql, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../db/pool.ts';
import { NoRows } from '../../db/sql.ts';

export const LEAVE_TYPES = ['sick', 'casual', 'annual', 'half_day', 'wfh'] as const;
export type LeaveType = (typeof LEAVE_TYPES)[number];
export const LEAVE_STATUSES = ['pending', 'needs_clarification', 'escalated', 'approved', 'rejected', 'cancelled'] as const;
export type LeaveStatus = (typeof LEAVE_STATUSES)[number];
export type HalfDayPeriod = 'first_half' | 'second_half';
/** Statuses that still await a decision (03 L3). */
export const AWAITING_STATUSES: readonly LeaveStatus[] = ['pending', 'needs_clarification', 'escalated'];
/** Statuses that hold their dates (03 §4.2; the exclusion constraint's predicate); the cancellable ones (03 §4.1). */
export const ACTIVE_STATUSES: readonly LeaveStatus[] = [...AWAITING_STATUSES, 'approved'];
export const TIMELINE_ACTIONS = ['created', 'amended', 'clarified', 'approved', 'rejected', 'escalated', 'cancelled'] as const;
export type TimelineAction = (typeof TIMELINE_ACTIONS)[number];

export const LeaveRow = z.object({
  id: z.string(),
  userId: z.string(),
  userFullName: z.string(),
  leaveType: z.enum(LEAVE_TYPES),
  isHalfDay: z.boolean(),
  halfDayPeriod: z.enum(['first_half', 'second_half']).nullable(),
  startDate: z.string(),
  endDate: z.string(),
  workingDays: z.number(),
  reason: z.string(),
  status: z.enum(LEAVE_STATUSES),
  currentApproverId: z.string().nullable(),
  currentApproverName: z.string().nullable(),
  awaitingSince: z.date(),
  decidedById: z.string().nullable(),
  decidedAt: z.date().nullable(),
  decisionComment: z.string().nullable(),
  escalatedFromId: z.string().nullable(),
  escalatedAt: z.date().nullable(),
  escalationCount: z.number(),
  cancelledById: z.string().nullable(),
  cancelledAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type LeaveRow = z.infer<typeof LeaveRow>;

const LEAVE_COLUMNS = sql.fragment`
  lr.id, lr.user_id, u.full_name AS user_full_name, lr.leave_type, lr.is_half_day, lr.half_day_period,
  lr.start_date, lr.end_date, lr.working_days, lr.reason, lr.status, lr.current_approver_id,
  ca.full_name AS current_approver_name, lr.awaiting_since, lr.decided_by_id, lr.decided_at, lr.decision_comment,
  lr.escalated_from_id, lr.escalated_at, lr.escalation_count, lr.cancelled_by_id, lr.cancelled_at,
  lr.created_at, lr.updated_at`;

const LEAVE_FROM = sql.fragment`
  leave_requests lr
  JOIN users u ON u.id = lr.user_id
  LEFT JOIN users ca ON ca.id = lr.current_approver_id`;

const Id = z.object({ id: z.string() });
const Count = z.object({ total: z.number() });
const Exists = z.object({ exists: z.boolean() });

/** A request by id, only when `visible` (a condition over `lr.*`) holds: scope is SQL. */
export async function findLeave(db: Queryable, leaveId: string, visible: FragmentSqlToken = sql.fragment`TRUE`): Promise<LeaveRow | null> {
  return db.maybeOne(sql.type(LeaveRow)`SELECT ${LEAVE_COLUMNS} FROM ${LEAVE_FROM} WHERE lr.id = ${leaveId} AND ${visible}`);
}

/** Whether `condition` (over `lr.*`) holds for the request. */
export async function leaveMatches(db: Queryable, leaveId: string, condition: FragmentSqlToken): Promise<boolean> {
  return db.oneFirst(sql.type(Exists)`SELECT EXISTS (SELECT 1 FROM leave_requests lr WHERE lr.id = ${leaveId} AND ${condition}) AS exists`);
}

export const LEAVE_SORTS = {
  createdAt: sql.fragment`lr.created_at ASC, lr.id ASC`,
  '-createdAt': sql.fragment`lr.created_at DESC, lr.id ASC`,
  startDate: sql.fragment`lr.start_date ASC, lr.id ASC`,
  '-startDate': sql.fragment`lr.start_date DESC, lr.id ASC`,
  awaitingSince: sql.fragment`lr.awaiting_since ASC, lr.id ASC`,
} as const;
export type LeaveSort = keyof typeof LEAVE_SORTS;

export interface LeaveFilter {
  /** The scope condition over `lr.*`. */
  visible: FragmentSqlToken;
  statuses?: readonly LeaveStatus[];
  leaveType?: LeaveType;
  userId?: string;
  /** Requests overlapping `from`..`to` (inclusive). */
  from?: string;
  to?: string;
  sort: LeaveSort;
  limit: number;
  offset: number;
}

export async function listLeaves(db: Queryable, filter: LeaveFilter): Promise<{ rows: readonly LeaveRow[]; total: number }> {
  const conditions: FragmentSqlToken[] = [filter.visible];
  if (filter.statuses) conditions.push(sql.fragment`lr.status = ANY(${sql.array([...filter.statuses], 'text')})`);
  if (filter.leaveType) conditions.push(sql.fragment`lr.leave_type = ${filter.leaveType}`);
  if (filter.userId) conditions.push(sql.fragment`lr.user_id = ${filter.userId}`);
  if (filter.from) conditions.push(sql.fragment`lr.end_date >= ${filter.from}::date`);
  if (filter.to) conditions.push(sql.fragment`lr.start_date <= ${filter.to}::date`);
  const where = sql.join(conditions, sql.fragment` AND `);
  const total = await db.oneFirst(sql.type(Count)`SELECT count(*)::int AS total FROM leave_requests lr WHERE ${where}`);
  const rows = await db.any(sql.type(LeaveRow)`
    SELECT ${LEAVE_COLUMNS} FROM ${LEAVE_FROM}
    WHERE ${where}
    ORDER BY ${LEAVE_SORTS[filter.sort]}
    LIMIT ${filter.limit} OFFSET ${filter.offset}`);
  return { rows, total };
}

/**
 * Awaiting requests as approvals-inbox rows (04 §3.1) for the caller whose may-resolve condition over `lr.*` is
 * `mayResolve`: the columns every inbox kind yields (kind, id, requester_id, requester_name, submitted_at, detail).
 */
export function leaveApprovalItems(mayResolve: FragmentSqlToken): FragmentSqlToken {
  return sql.fragment`
    SELECT 'leave_request'::text AS kind, lr.id, lr.user_id AS requester_id, u.full_name AS requester_name,
           lr.created_at AS submitted_at,
           jsonb_build_object('leaveType', lr.leave_type, 'startDate', lr.start_date, 'endDate', lr.end_date,
             'workingDays', lr.working_days, 'halfDayPeriod', lr.half_day_period) AS detail
    FROM leave_requests lr JOIN users u ON u.id = lr.user_id
    WHERE lr.status = ANY(${sql.array([...AWAITING_STATUSES], 'text')}) AND ${mayResolve}`;
}

/**
 * Serialises the leave writes of one user (submit, amend) for the rest of the transaction (03 §4.10): the overlap
 * pre-check then sees every committed competitor; the exclusion constraint stays the backstop.
 */
export async function lockUserLeaves(tx: Queryable, userId: string): Promise<void> {
  await tx.query(sql.type(z.object({ locked: z.string() }))`SELECT pg_advisory_xact_lock(hashtext(${`leave:${userId}`}))::text AS locked`);
}

const Overlap = z.object({ id: z.string(), status: z.enum(LEAVE_STATUSES), startDate: z.string(), endDate: z.string() });

/** An active request of the user whose half-day slots intersect the given ones (03 §4.2), other than `exceptId`. */
export async function findOverlappingLeave(
  db: Queryable,
  input: { userId: string; startDate: string; endDate: string; halfDayPeriod: HalfDayPeriod | null; exceptId?: string },
): Promise<z.infer<typeof Overlap> | null> {
  return db.maybeOne(sql.type(Overlap)`
    SELECT id, status, start_date, end_date FROM leave_requests
    WHERE user_id = ${input.userId}
      AND status = ANY(${sql.array([...ACTIVE_STATUSES], 'text')})
      AND slot_range && leave_slot_range(${input.startDate}::date, ${input.endDate}::date, ${input.halfDayPeriod}::text)
      ${input.exceptId ? sql.fragment`AND id <> ${input.exceptId}` : sql.fragment``}
    ORDER BY start_date, id
    LIMIT 1`);
}

export interface LeaveValues {
  leaveType: LeaveType;
  isHalfDay: boolean;
  halfDayPeriod: HalfDayPeriod | null;
  startDate: string;
  endDate: string;
  workingDays: number;
  reason: string;
}

export async function insertLeave(tx: Queryable, input: LeaveValues & { userId: string; currentApproverId: string | null }, now: Date): Promise<string> {
  const at = sql.timestamp(now);
  return tx.oneFirst(sql.type(Id)`
    INSERT INTO leave_requests (user_id, leave_type, is_half_day, half_day_period, start_date, end_date, working_days, reason,
      status, current_approver_id, awaiting_since, created_at, updated_at)
    VALUES (${input.userId}, ${input.leaveType}, ${input.isHalfDay}, ${input.halfDayPeriod}, ${input.startDate}::date,
      ${input.endDate}::date, ${input.workingDays}, ${input.reason}, 'pending', ${input.currentApproverId}, ${at}, ${at}, ${at})
    RETURNING id`);
}

/**
 * The requester's amendment, only while the request still awaits a decision: `needs_clarification` returns to the
 * queue (`escalated` when it was escalated before, else `pending`) with `awaitingSince = now`.
 * @returns false when the request no longer awaits a decision.
 */
export async function amendLeave(tx: Queryable, leaveId: string, values: LeaveValues, now: Date): Promise<boolean> {
  const at = sql.timestamp(now);
  const row = await tx.maybeOne(sql.type(Id)`
    UPDATE leave_requests SET
      leave_type = ${values.leaveType}, is_half_day = ${values.isHalfDay}, half_day_period = ${values.halfDayPeriod},
      start_date = ${values.startDate}::date, end_date = ${values.endDate}::date, working_days = ${values.workingDays},
      reason = ${values.reason},
      status = CASE WHEN status = 'needs_clarification' THEN (CASE WHEN escalation_count = 1 THEN 'escalated' ELSE 'pending' END) ELSE status END,
      awaiting_since = CASE WHEN status = 'needs_clarification' THEN ${at} ELSE awaiting_since END,
      updated_at = ${at}
    WHERE id = ${leaveId} AND status = ANY(${sql.array([...AWAITING_STATUSES], 'text')})
    RETURNING id`);
  return row !== null;
}

export interface LeaveTransition {
  status: LeaveStatus;
  decidedById?: string;
  decisionComment?: string | null;
  cancelledById?: string;
}

/**
 * Moves a request to `change.status` only if it is still in one of `from` (03 §4.10: of two racing approvers exactly
 * one sees a row). A decision stamps `decided*`, a cancellation `cancelled*`.
 * @returns false when the request was no longer in one of `from`.
 */
export async function transitionLeave(tx: Queryable, leaveId: string, from: readonly LeaveStatus[], change: LeaveTransition, now: Date): Promise<boolean> {
  const at = sql.timestamp(now);
  const sets: FragmentSqlToken[] = [sql.fragment`status = ${change.status}`, sql.fragment`updated_at = ${at}`];
  if (change.decidedById !== undefined) {
    sets.push(sql.fragment`decided_by_id = ${change.decidedById}`, sql.fragment`decided_at = ${at}`, sql.fragment`decision_comment = ${change.decisionComment ?? null}`);
  }
  if (change.cancelledById !== undefined) sets.push(sql.fragment`cancelled_by_id = ${change.cancelledById}`, sql.fragment`cancelled_at = ${at}`);
  const row = await tx.maybeOne(sql.type(Id)`
    UPDATE leave_requests SET ${sql.join(sets, sql.fragment`, `)}
    WHERE id = ${leaveId} AND status = ANY(${sql.array([...from], 'text')})
    RETURNING id`);
  return row !== null;
}

// --- Escalation (03 §4.1) -------------------------------------------------------------------------------------------

/** Ids of requests due for escalation: pending, routed (not pooled), never escalated, awaiting since `dueBefore` or earlier. */
export async function findDueForEscalation(db: Queryable, dueBefore: Date): Promise<string[]> {
  const rows = await db.any(sql.type(Id)`
    SELECT id FROM leave_requests
    WHERE status = 'pending' AND current_approver_id IS NOT NULL AND escalation_count = 0
      AND awaiting_since <= ${sql.timestamp(dueBefore)}
    ORDER BY awaiting_since, id`);
  return rows.map((r) => r.id);
}

const Escalated = z.object({ id: z.string(), userId: z.string(), escalatedFromId: z.string() });

/**
 * Escalates one request if it is still due (the job's conditional write; a second run finds nothing to do).
 * @returns the escalated request, or null.
 */
export async function escalateLeave(tx: Queryable, leaveId: string, dueBefore: Date, now: Date): Promise<z.infer<typeof Escalated> | null> {
  const at = sql.timestamp(now);
  return tx.maybeOne(sql.type(Escalated)`
    UPDATE leave_requests SET
      status = 'escalated', escalated_from_id = current_approver_id, current_approver_id = NULL,
      escalated_at = ${at}, escalation_count = 1, updated_at = ${at}
    WHERE id = ${leaveId} AND status = 'pending' AND current_approver_id IS NOT NULL AND escalation_count = 0
      AND awaiting_since <= ${sql.timestamp(dueBefore)}
    RETURNING id, user_id, escalated_from_id`);
}

// --- Timeline (append-only) -----------------------------------------------------------------------------------------

export const TimelineRow = z.object({
  id: z.string(),
  action: z.enum(TIMELINE_ACTIONS),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  comment: z.string().nullable(),
  createdAt: z.date(),
});
export type TimelineRow = z.infer<typeof TimelineRow>;

export async function insertTimelineEntry(
  tx: Queryable,
  input: { leaveId: string; actorId: string | null; action: TimelineAction; comment?: string | null },
  now: Date,
): Promise<void> {
  await tx.query(sql.type(NoRows)`
    INSERT INTO approval_timeline (entity_type, entity_id, actor_id, action, comment, created_at)
    VALUES ('leave_request', ${input.leaveId}, ${input.actorId}, ${input.action}, ${input.comment ?? null}, ${sql.timestamp(now)})`);
}

export async function listTimeline(db: Queryable, input: { leaveId: string; limit: number; offset: number }): Promise<{ rows: readonly TimelineRow[]; total: number }> {
  const total = await db.oneFirst(sql.type(Count)`
    SELECT count(*)::int AS total FROM approval_timeline WHERE entity_type = 'leave_request' AND entity_id = ${input.leaveId}`);
  const rows = await db.any(sql.type(TimelineRow)`
    SELECT t.id, t.action, t.actor_id, a.full_name AS actor_name, t.comment, t.created_at
    FROM approval_timeline t LEFT JOIN users a ON a.id = t.actor_id
    WHERE t.entity_type = 'leave_request' AND t.entity_id = ${input.leaveId}
    ORDER BY t.created_at, t.seq, t.id
    LIMIT ${input.limit} OFFSET ${input.offset}`);
  return { rows, total };
}
