import { sql, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../db/pool.ts';
import { NoRows } from '../../db/sql.ts';

// --- Holidays (02 §2.6, §3.7) ------------------------------------------------------------------------------------

export const HolidayRow = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  /** `YYYY-MM-DD` */
  date: z.string(),
  isActive: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type HolidayRow = z.infer<typeof HolidayRow>;

const HOLIDAY_COLUMNS = sql.fragment`h.id, h.name, h.description, h.holiday_date AS date, h.is_active, h.created_at, h.updated_at`;

export async function findHoliday(db: Queryable, holidayId: string): Promise<HolidayRow | null> {
  return db.maybeOne(sql.type(HolidayRow)`SELECT ${HOLIDAY_COLUMNS} FROM holidays h WHERE h.id = ${holidayId}`);
}

/** The holiday, locked for the rest of the transaction. */
export async function lockHoliday(tx: Queryable, holidayId: string): Promise<HolidayRow | null> {
  return tx.maybeOne(sql.type(HolidayRow)`SELECT ${HOLIDAY_COLUMNS} FROM holidays h WHERE h.id = ${holidayId} FOR UPDATE`);
}

export interface HolidayFilter {
  /** Inclusive. */
  from?: string;
  /** Inclusive. */
  to?: string;
  year?: number;
  isActive?: boolean;
  limit: number;
  offset: number;
}

const Count = z.object({ total: z.number() });

/** Sorted by date, then id. */
export async function listHolidays(db: Queryable, filter: HolidayFilter): Promise<{ rows: readonly HolidayRow[]; total: number }> {
  const conditions: FragmentSqlToken[] = [sql.fragment`TRUE`];
  if (filter.from !== undefined) conditions.push(sql.fragment`h.holiday_date >= ${filter.from}::date`);
  if (filter.to !== undefined) conditions.push(sql.fragment`h.holiday_date <= ${filter.to}::date`);
  if (filter.year !== undefined) {
    conditions.push(sql.fragment`h.holiday_date BETWEEN make_date(${filter.year}, 1, 1) AND make_date(${filter.year}, 12, 31)`);
  }
  if (filter.isActive !== undefined) conditions.push(sql.fragment`h.is_active = ${filter.isActive}`);
  const where = sql.join(conditions, sql.fragment` AND `);
  const total = await db.oneFirst(sql.type(Count)`SELECT count(*)::int AS total FROM holidays h WHERE ${where}`);
  const rows = await db.any(sql.type(HolidayRow)`
    SELECT ${HOLIDAY_COLUMNS} FROM holidays h
    WHERE ${where}
    ORDER BY h.holiday_date, h.id
    LIMIT ${filter.limit} OFFSET ${filter.offset}`);
  return { rows, total };
}

/** Active holidays on or after `from`, ascending; `total` counts all of them. */
export async function listUpcomingHolidays(db: Queryable, from: string, limit: number): Promise<{ rows: readonly HolidayRow[]; total: number }> {
  const where = sql.fragment`h.is_active AND h.holiday_date >= ${from}::date`;
  const total = await db.oneFirst(sql.type(Count)`SELECT count(*)::int AS total FROM holidays h WHERE ${where}`);
  const rows = await db.any(sql.type(HolidayRow)`
    SELECT ${HOLIDAY_COLUMNS} FROM holidays h
    WHERE ${where}
    ORDER BY h.holiday_date, h.id
    LIMIT ${limit}`);
  return { rows, total };
}

const Exists = z.object({ exists: z.boolean() });

/** Another active holiday on the date (the partial unique index `holidays_one_active_per_date`). */
export async function activeHolidayOn(tx: Queryable, date: string, exceptId: string | null): Promise<boolean> {
  return tx.oneFirst(sql.type(Exists)`
    SELECT EXISTS (
      SELECT 1 FROM holidays WHERE holiday_date = ${date}::date AND is_active AND (${exceptId}::uuid IS NULL OR id <> ${exceptId}::uuid)
    ) AS exists`);
}

export interface HolidayValues {
  name: string;
  description: string | null;
  date: string;
  isActive: boolean;
}

const Id = z.object({ id: z.string() });

export async function insertHoliday(tx: Queryable, values: HolidayValues, actorId: string, now: Date): Promise<string> {
  return tx.oneFirst(sql.type(Id)`
    INSERT INTO holidays (name, description, holiday_date, is_active, created_by_id, created_at, updated_at)
    VALUES (${values.name}, ${values.description}, ${values.date}::date, ${values.isActive}, ${actorId}, ${sql.timestamp(now)}, ${sql.timestamp(now)})
    RETURNING id`);
}

export type HolidayChanges = Partial<HolidayValues>;

/** Writes only the given fields (at least one), plus `updated_at`. */
export async function updateHolidayFields(tx: Queryable, holidayId: string, changes: HolidayChanges, now: Date): Promise<void> {
  const set: FragmentSqlToken[] = [sql.fragment`updated_at = ${sql.timestamp(now)}`];
  if (changes.name !== undefined) set.push(sql.fragment`name = ${changes.name}`);
  if (changes.description !== undefined) set.push(sql.fragment`description = ${changes.description}`);
  if (changes.date !== undefined) set.push(sql.fragment`holiday_date = ${changes.date}::date`);
  if (changes.isActive !== undefined) set.push(sql.fragment`is_active = ${changes.isActive}`);
  await tx.query(sql.type(NoRows)`UPDATE holidays SET ${sql.join(set, sql.fragment`, `)} WHERE id = ${holidayId}`);
}

const UserId = z.object({ userId: z.string() });

/** Users that have a `daily_stats` row on the date (the rows a new holiday on that date makes stale). */
export async function usersWithDailyStatsOn(tx: Queryable, date: string): Promise<string[]> {
  const rows = await tx.any(sql.type(UserId)`SELECT user_id FROM daily_stats WHERE work_date = ${date}::date ORDER BY user_id`);
  return rows.map((r) => r.userId);
}
