/**
 * Demo leave requests for the seeded organization (`npm run seed`, 03 §2): one request in every status — pending,
 * needs_clarification, escalated, approved, rejected, cancelled — plus a half day and an approved WFH, filed by the
 * first active individual contributors of the demo domain, routed like the API routes them (03 §4.1), with working
 * days counted as the API counts them (03 §4.3) and a timeline for every step. All dates lie in the weeks after
 * `now`, so no attendance day is touched. Idempotent: when any demo user already has a leave request, nothing is added.
 */
import { sql } from 'slonik';
import { z } from 'zod';
import { LEAVE_APPROVAL_KEYS, routeApprovers } from '../auth/approvers.ts';
import type { Db, Queryable } from '../db/pool.ts';
import { NoRows } from '../db/sql.ts';
import { addDays, isoWeekdayOf, todayIn } from '../lib/zoned-time.ts';
import { insertTimelineEntry, type HalfDayPeriod, type LeaveStatus, type LeaveType, type TimelineAction } from '../modules/leaves/queries.ts';
import { workingDaysOf } from '../modules/leaves/working-days.ts';
import { DEMO_EMAIL_DOMAIN } from './organization.ts';

interface DemoLeave {
  leaveType: LeaveType;
  status: LeaveStatus;
  /** Days after the Monday two weeks ahead. */
  startOffset: number;
  days: number;
  halfDayPeriod?: HalfDayPeriod;
  reason: string;
  comment?: string;
}

/** One per requester, in this order. */
const DEMO_LEAVES: DemoLeave[] = [
  { leaveType: 'annual', status: 'pending', startOffset: 0, days: 3, reason: 'Family visit' },
  { leaveType: 'casual', status: 'needs_clarification', startOffset: 1, days: 1, reason: 'Personal errand', comment: 'Is this the day of the release?' },
  { leaveType: 'sick', status: 'escalated', startOffset: 2, days: 2, reason: 'Minor surgery and recovery' },
  { leaveType: 'annual', status: 'approved', startOffset: 7, days: 5, reason: 'Annual holiday', comment: 'Enjoy the break' },
  { leaveType: 'casual', status: 'rejected', startOffset: 3, days: 1, reason: 'Concert', comment: 'Quarter-end close that day' },
  { leaveType: 'annual', status: 'cancelled', startOffset: 8, days: 2, reason: 'Trip that fell through' },
  { leaveType: 'half_day', status: 'pending', startOffset: 4, days: 1, halfDayPeriod: 'second_half', reason: 'Parent-teacher meeting' },
  { leaveType: 'wfh', status: 'approved', startOffset: 9, days: 1, reason: 'Waiting for a delivery' },
];

const Requester = z.object({ id: z.string() });
const Count = z.object({ count: z.number() });
const Id = z.object({ id: z.string() });

export interface LeaveSeedResult {
  created: number;
}

/** The Monday on or after `today + 14`. */
function firstMonday(today: string): string {
  const start = addDays(today, 14);
  return addDays(start, (8 - isoWeekdayOf(start)) % 7);
}

/** Skips weekends so that every demo range starts on a weekday. */
function weekday(date: string): string {
  const wd = isoWeekdayOf(date);
  return wd === 6 ? addDays(date, 2) : wd === 7 ? addDays(date, 1) : date;
}

async function insertDemoLeave(tx: Queryable, userId: string, plan: DemoLeave, monday: string, now: Date): Promise<boolean> {
  const startDate = weekday(addDays(monday, plan.startOffset));
  const isHalfDay = plan.leaveType === 'half_day';
  const endDate = isHalfDay ? startDate : addDays(startDate, plan.days - 1);
  const workingDays = await workingDaysOf(tx, { userId, startDate, endDate, isHalfDay });
  if (workingDays === 0) return false;
  const route = await routeApprovers(tx, { ownerId: userId, requesterId: userId, keys: LEAVE_APPROVAL_KEYS });
  const deciderId = route.approverIds[0];
  if (!deciderId) return false;
  const approverId = route.kind === 'chain' ? deciderId : null;
  const escalated = plan.status === 'escalated' && approverId !== null;
  const decided = plan.status === 'approved' || plan.status === 'rejected' || plan.status === 'needs_clarification';
  const at = sql.timestamp(now);
  const id = await tx.oneFirst(sql.type(Id)`
    INSERT INTO leave_requests (user_id, leave_type, is_half_day, half_day_period, start_date, end_date, working_days, reason, status,
      current_approver_id, awaiting_since, decided_by_id, decided_at, decision_comment, escalated_from_id, escalated_at,
      escalation_count, cancelled_by_id, cancelled_at, created_at, updated_at)
    VALUES (${userId}, ${plan.leaveType}, ${isHalfDay}, ${plan.halfDayPeriod ?? null}, ${startDate}::date, ${endDate}::date,
      ${workingDays}, ${plan.reason}, ${plan.status === 'escalated' && !escalated ? 'pending' : plan.status},
      ${escalated ? null : approverId}, ${at}, ${decided ? deciderId : null}, ${decided ? at : null}, ${decided ? (plan.comment ?? null) : null},
      ${escalated ? approverId : null}, ${escalated ? at : null}, ${escalated ? 1 : 0},
      ${plan.status === 'cancelled' ? userId : null}, ${plan.status === 'cancelled' ? at : null}, ${at}, ${at})
    RETURNING id`);
  const steps: [string | null, TimelineAction, string | null][] = [[userId, 'created', null]];
  if (escalated) steps.push([null, 'escalated', null]);
  if (plan.status === 'needs_clarification') steps.push([deciderId, 'clarified', plan.comment ?? null]);
  if (plan.status === 'approved' || plan.status === 'rejected') steps.push([deciderId, plan.status, plan.comment ?? null]);
  if (plan.status === 'cancelled') steps.push([userId, 'cancelled', null]);
  for (const [actorId, action, comment] of steps) await insertTimelineEntry(tx, { leaveId: id, actorId, action, comment }, now);
  return true;
}

/**
 * Adds the demo leave requests unless a demo user already has one.
 * @returns how many requests were created (0 on a second run, or when the demo organization is missing).
 */
export async function seedLeaveRequests(db: Db, options: { now: Date; orgTimezone: string }): Promise<LeaveSeedResult> {
  const domain = `%@${DEMO_EMAIL_DOMAIN}`;
  return db.transaction(async (tx) => {
    await tx.query(sql.type(NoRows)`LOCK TABLE leave_requests IN SHARE ROW EXCLUSIVE MODE`);
    const existing = await tx.oneFirst(sql.type(Count)`
      SELECT count(*)::int AS count FROM leave_requests lr JOIN users u ON u.id = lr.user_id WHERE u.email LIKE ${domain}`);
    if (existing > 0) return { created: 0 };
    const requesters = await tx.any(sql.type(Requester)`
      SELECT id FROM users
      WHERE email LIKE ${domain} AND status = 'active' AND role IN ('employee', 'junior_employee', 'intern')
      ORDER BY email
      LIMIT ${DEMO_LEAVES.length}`);
    const monday = firstMonday(todayIn(options.now, options.orgTimezone));
    let created = 0;
    for (const [i, requester] of requesters.entries()) {
      if (await insertDemoLeave(tx, requester.id, DEMO_LEAVES[i]!, monday, options.now)) created++;
    }
    return { created };
  });
}
