/**
 * Approved leave / WFH coverage of a user's date (03 §4.4), as attendance reads it: the approved non-WFH leave
 * covering the date (full or half day: both give `on_leave`, 02 §4.5), and whether an approved WFH request covers it
 * (`wfhApproved` at check-in). When two approved half days cover one date (first and second half), the earlier filed
 * one is reported.
 */
import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../db/pool.ts';

/** The approved non-WFH leave covering a date, as DayStatus reports it (02 §2.8). */
export interface CoveringLeave {
  id: string;
  leaveType: string;
  isHalfDay: boolean;
  halfDayPeriod: string | null;
}

const CoveringRow = z.object({
  userId: z.string(),
  id: z.string(),
  leaveType: z.string(),
  isHalfDay: z.boolean(),
  halfDayPeriod: z.string().nullable(),
});

const Exists = z.object({ exists: z.boolean() });

export async function approvedLeaveCoversDay(db: Queryable, userId: string, date: string): Promise<CoveringLeave | null> {
  const leaves = await approvedLeavesCoveringDay(db, [userId], date);
  return leaves.get(userId) ?? null;
}

export async function approvedWfhCoversDay(db: Queryable, userId: string, date: string): Promise<boolean> {
  return db.oneFirst(sql.type(Exists)`
    SELECT EXISTS (
      SELECT 1 FROM leave_requests
      WHERE user_id = ${userId} AND status = 'approved' AND leave_type = 'wfh'
        AND start_date <= ${date}::date AND end_date >= ${date}::date
    ) AS exists`);
}

/**
 * The set-based form of `approvedLeaveCoversDay` for views over many users (the roster): one statement for the
 * whole set, keyed by user id. A full-day leave wins over a half day.
 */
export async function approvedLeavesCoveringDay(db: Queryable, userIds: readonly string[], date: string): Promise<Map<string, CoveringLeave>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.any(sql.type(CoveringRow)`
    SELECT DISTINCT ON (user_id) user_id, id, leave_type, is_half_day, half_day_period
    FROM leave_requests
    WHERE user_id = ANY(${sql.array([...userIds], 'uuid')}) AND status = 'approved' AND leave_type <> 'wfh'
      AND start_date <= ${date}::date AND end_date >= ${date}::date
    ORDER BY user_id, is_half_day, created_at, id`);
  return new Map(rows.map((r) => [r.userId, { id: r.id, leaveType: r.leaveType, isHalfDay: r.isHalfDay, halfDayPeriod: r.halfDayPeriod }]));
}
