/**
 * Reads of the calendar every attendance rule needs: a user's effective shift (02 §4.2: the assigned shift if
 * active, else the default shift, else none) and the active holiday of a date.
 */
import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../db/pool.ts';
import type { ShiftRule } from './schedule.ts';

const ShiftRuleRow = z.object({
  id: z.string(),
  name: z.string(),
  startMinutes: z.number(),
  endMinutes: z.number(),
  timezone: z.string(),
  graceMinutes: z.number(),
  workingDays: z.array(z.number()),
});
export type EffectiveShift = ShiftRule & { name: string };

const SHIFT_RULE_COLUMNS = sql.fragment`
  s.id, s.name,
  (extract(hour FROM s.start_time) * 60 + extract(minute FROM s.start_time))::int AS start_minutes,
  (extract(hour FROM s.end_time) * 60 + extract(minute FROM s.end_time))::int AS end_minutes,
  s.timezone, s.grace_period_minutes::int AS grace_minutes, s.working_days::int[] AS working_days`;

/** The effective shift of a user now, or null (no assigned active shift and no default). */
export async function findEffectiveShift(db: Queryable, userId: string): Promise<EffectiveShift | null> {
  return db.maybeOne(sql.type(ShiftRuleRow)`
    SELECT ${SHIFT_RULE_COLUMNS}
    FROM users u
    JOIN shifts s ON (s.id = u.shift_id AND s.is_active) OR (s.is_default AND s.is_active AND NOT EXISTS (
      SELECT 1 FROM shifts a WHERE a.id = u.shift_id AND a.is_active))
    WHERE u.id = ${userId}
    ORDER BY (s.id = u.shift_id) DESC
    LIMIT 1`);
}

/** A shift by id as a rule (the shift stored on a session is used for its later recomputations). */
export async function findShiftRule(db: Queryable, shiftId: string): Promise<EffectiveShift | null> {
  return db.maybeOne(sql.type(ShiftRuleRow)`SELECT ${SHIFT_RULE_COLUMNS} FROM shifts s WHERE s.id = ${shiftId}`);
}

const ShiftRef = z.object({ id: z.string(), name: z.string(), isActive: z.boolean() });

/** For assignments made elsewhere (01 U2): the shift must exist and be active. Locks it against a concurrent deactivation. */
export async function findShiftRef(db: Queryable, shiftId: string): Promise<{ id: string; name: string; isActive: boolean } | null> {
  return db.maybeOne(sql.type(ShiftRef)`SELECT id, name, is_active FROM shifts WHERE id = ${shiftId} FOR KEY SHARE`);
}

const HolidayRef = z.object({ id: z.string(), name: z.string() });

/** The active holiday on a date, if any. */
export async function findActiveHoliday(db: Queryable, date: string): Promise<{ id: string; name: string } | null> {
  return db.maybeOne(sql.type(HolidayRef)`SELECT id, name FROM holidays WHERE holiday_date = ${date} AND is_active`);
}

const HolidayDate = z.object({ holidayDate: z.string() });

/** Dates of the active holidays in `from..to`, in one statement for the whole range (leave day counting, 03 §4.3). */
export async function activeHolidayDates(db: Queryable, from: string, to: string): Promise<string[]> {
  const rows = await db.any(sql.type(HolidayDate)`
    SELECT holiday_date FROM holidays WHERE is_active AND holiday_date BETWEEN ${from}::date AND ${to}::date ORDER BY holiday_date`);
  return rows.map((r) => r.holidayDate);
}
