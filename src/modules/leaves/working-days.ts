/**
 * Day counting (03 §4.3): `workingDays = Σ w(d)` over the range, `w(d) = 0` unless d is a working day of the user's
 * effective shift (Mon–Fri without one) and no active holiday (02 §4.9), else 0.5 for a half day and 1 otherwise.
 */
import type { Queryable } from '../../db/pool.ts';
import { addDays } from '../../lib/zoned-time.ts';
import { findEffectiveShift } from '../attendance/calendar.ts';
import { isShiftWorkingDay, type ShiftRule } from '../attendance/schedule.ts';
import { activeHolidayDates } from '../attendance/calendar.ts';

/** The pure rule, from the facts: the shift and the active holidays of the range. */
export function countWorkingDays(input: { startDate: string; endDate: string; isHalfDay: boolean; shift: ShiftRule | null; holidays: ReadonlySet<string> }): number {
  let days = 0;
  for (let d = input.startDate; d <= input.endDate; d = addDays(d, 1)) {
    if (isShiftWorkingDay(d, input.shift) && !input.holidays.has(d)) days += input.isHalfDay ? 0.5 : 1;
  }
  return days;
}

/** Working days of `userId` in the range: one query for the shift, one for every holiday of the range. */
export async function workingDaysOf(db: Queryable, input: { userId: string; startDate: string; endDate: string; isHalfDay: boolean }): Promise<number> {
  const [shift, holidays] = await Promise.all([findEffectiveShift(db, input.userId), activeHolidayDates(db, input.startDate, input.endDate)]);
  return countWorkingDays({ ...input, shift, holidays: new Set(holidays) });
}
