/**
 * `daily_stats` (02 §2.7): one derived row per (user, work date), recomputed in the same transaction as every
 * check-in, check-out, auto-close, correction approval and absence evaluation. Never edited directly.
 */
import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../db/pool.ts';
import { NoRows } from '../../db/sql.ts';
import { findActiveHoliday, findEffectiveShift } from './calendar.ts';
import { evaluateDay, type DayOutcome } from './day-status.ts';
import { approvedLeaveCoversDay } from './leave-coverage.ts';

const SessionFacts = z.object({
  workMode: z.enum(['office', 'wfh']),
  status: z.string(),
  workedSeconds: z.number().nullable(),
  breakSeconds: z.number(),
  checkInAt: z.date(),
  checkOutAt: z.date().nullable(),
  isLate: z.boolean(),
  isEarlyCheckout: z.boolean(),
  isOvertime: z.boolean(),
});

/** Recomputes and upserts the row; returns the day's outcome for callers that need it (absence evaluation). */
export async function refreshDailyStats(tx: Queryable, input: { userId: string; workDate: string; now: Date; orgTimezone: string }): Promise<DayOutcome> {
  const sessions = await tx.any(sql.type(SessionFacts)`
    SELECT work_mode, status, worked_seconds, break_seconds, check_in_at, check_out_at, is_late, is_early_checkout, is_overtime
    FROM attendance_sessions WHERE user_id = ${input.userId} AND work_date = ${input.workDate}
    ORDER BY check_in_at, id`);
  const [shift, holiday, leave] = await Promise.all([
    findEffectiveShift(tx, input.userId),
    findActiveHoliday(tx, input.workDate),
    approvedLeaveCoversDay(tx, input.userId, input.workDate),
  ]);
  const outcome = evaluateDay({
    workDate: input.workDate,
    now: input.now,
    orgTimezone: input.orgTimezone,
    shift,
    holiday,
    leaveCoversDay: leave !== null,
    sessions,
  });
  const closed = sessions.filter((s) => s.status !== 'active');
  const lastCheckOut = closed.reduce<Date | null>((max, s) => (s.checkOutAt && (!max || s.checkOutAt > max) ? s.checkOutAt : max), null);
  await tx.query(sql.type(NoRows)`
    INSERT INTO daily_stats (user_id, work_date, session_count, worked_seconds, break_seconds, first_check_in_at, last_check_out_at,
      is_late, is_early_checkout, is_overtime, is_wfh, is_absent, is_holiday, is_working_day, leave_type, day_status, day_classification,
      created_at, updated_at)
    VALUES (${input.userId}, ${input.workDate}, ${sessions.length},
      ${closed.reduce((sum, s) => sum + (s.workedSeconds ?? 0), 0)}, ${sessions.reduce((sum, s) => sum + s.breakSeconds, 0)},
      ${sessions[0] ? sql.timestamp(sessions[0].checkInAt) : null}, ${lastCheckOut ? sql.timestamp(lastCheckOut) : null},
      ${sessions[0]?.isLate ?? false}, ${sessions.some((s) => s.isEarlyCheckout)}, ${sessions.some((s) => s.isOvertime)},
      ${sessions.some((s) => s.workMode === 'wfh')}, ${outcome.dayStatus === 'absent'}, ${holiday !== null}, ${outcome.isWorkingDay},
      ${leave?.leaveType ?? null}, ${outcome.dayStatus}, ${outcome.dayClassification},
      ${sql.timestamp(input.now)}, ${sql.timestamp(input.now)})
    ON CONFLICT (user_id, work_date) DO UPDATE SET
      session_count = excluded.session_count, worked_seconds = excluded.worked_seconds, break_seconds = excluded.break_seconds,
      first_check_in_at = excluded.first_check_in_at, last_check_out_at = excluded.last_check_out_at,
      is_late = excluded.is_late, is_early_checkout = excluded.is_early_checkout, is_overtime = excluded.is_overtime,
      is_wfh = excluded.is_wfh, is_absent = excluded.is_absent, is_holiday = excluded.is_holiday,
      is_working_day = excluded.is_working_day, leave_type = excluded.leave_type, day_status = excluded.day_status,
      day_classification = excluded.day_classification, updated_at = excluded.updated_at
    -- An unchanged day is not rewritten, so re-evaluating it (the job every few minutes) leaves the row as it was.
    WHERE (daily_stats.session_count, daily_stats.worked_seconds, daily_stats.break_seconds, daily_stats.first_check_in_at,
        daily_stats.last_check_out_at, daily_stats.is_late, daily_stats.is_early_checkout, daily_stats.is_overtime, daily_stats.is_wfh,
        daily_stats.is_absent, daily_stats.is_holiday, daily_stats.is_working_day, daily_stats.leave_type, daily_stats.day_status,
        daily_stats.day_classification)
      IS DISTINCT FROM (excluded.session_count, excluded.worked_seconds, excluded.break_seconds, excluded.first_check_in_at,
        excluded.last_check_out_at, excluded.is_late, excluded.is_early_checkout, excluded.is_overtime, excluded.is_wfh,
        excluded.is_absent, excluded.is_holiday, excluded.is_working_day, excluded.leave_type, excluded.day_status,
        excluded.day_classification)`);
  return outcome;
}

const WorkDate = z.object({ workDate: z.string() });

/** Work dates in `from..to` for which the user already has a `daily_stats` row (so a leave decision refreshes them). */
export async function dailyStatsDates(db: Queryable, input: { userId: string; from: string; to: string }): Promise<string[]> {
  const rows = await db.any(sql.type(WorkDate)`
    SELECT work_date FROM daily_stats
    WHERE user_id = ${input.userId} AND work_date BETWEEN ${input.from}::date AND ${input.to}::date
    ORDER BY work_date`);
  return rows.map((r) => r.workDate);
}
