import { sql, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { ROLES } from '../../auth/permissions.ts';
import type { Queryable } from '../../db/pool.ts';
import { NoRows } from '../../db/sql.ts';

const UserStatus = z.enum(['invited', 'active', 'suspended', 'inactive']);
export type UserStatus = z.infer<typeof UserStatus>;

// --- Shifts (02 §2.5, §3.6) --------------------------------------------------------------------------------------

export const ShiftRow = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  /** `HH:MM` */
  startTime: z.string(),
  /** `HH:MM` */
  endTime: z.string(),
  timezone: z.string(),
  gracePeriodMinutes: z.number(),
  workingDays: z.array(z.number()),
  isActive: z.boolean(),
  isDefault: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type ShiftRow = z.infer<typeof ShiftRow>;

/** Times as `HH:MM` (the columns hold minute precision), working days as int[]. */
const SHIFT_COLUMNS = sql.fragment`
  s.id, s.name, s.description, to_char(s.start_time, 'HH24:MI') AS start_time, to_char(s.end_time, 'HH24:MI') AS end_time,
  s.timezone, s.grace_period_minutes::int AS grace_period_minutes, s.working_days::int[] AS working_days,
  s.is_active, s.is_default, s.created_at, s.updated_at`;

export async function findShift(db: Queryable, shiftId: string): Promise<ShiftRow | null> {
  return db.maybeOne(sql.type(ShiftRow)`SELECT ${SHIFT_COLUMNS} FROM shifts s WHERE s.id = ${shiftId}`);
}

/** The shift, locked for the rest of the transaction (blocks concurrent edits and assignments to it). */
export async function lockShift(tx: Queryable, shiftId: string): Promise<ShiftRow | null> {
  return tx.maybeOne(sql.type(ShiftRow)`SELECT ${SHIFT_COLUMNS} FROM shifts s WHERE s.id = ${shiftId} FOR UPDATE`);
}

const Count = z.object({ total: z.number() });

export async function listShifts(
  db: Queryable,
  filter: { isActive?: boolean; limit: number; offset: number },
): Promise<{ rows: readonly ShiftRow[]; total: number }> {
  const where = filter.isActive === undefined ? sql.fragment`TRUE` : sql.fragment`s.is_active = ${filter.isActive}`;
  const total = await db.oneFirst(sql.type(Count)`SELECT count(*)::int AS total FROM shifts s WHERE ${where}`);
  const rows = await db.any(sql.type(ShiftRow)`
    SELECT ${SHIFT_COLUMNS} FROM shifts s
    WHERE ${where}
    ORDER BY lower(s.name), s.id
    LIMIT ${filter.limit} OFFSET ${filter.offset}`);
  return { rows, total };
}

const Exists = z.object({ exists: z.boolean() });

/** Case-insensitive name match against every other shift (the unique index `shifts_name_key`). */
export async function shiftNameTaken(tx: Queryable, name: string, exceptId: string | null): Promise<boolean> {
  return tx.oneFirst(sql.type(Exists)`
    SELECT EXISTS (
      SELECT 1 FROM shifts WHERE lower(name) = lower(${name}) AND (${exceptId}::uuid IS NULL OR id <> ${exceptId}::uuid)
    ) AS exists`);
}

/** Assigned users that block deactivation: every user on the shift whose status is not `inactive`. */
export async function countBlockingAssignees(tx: Queryable, shiftId: string): Promise<number> {
  return tx.oneFirst(sql.type(Count)`
    SELECT count(*)::int AS total FROM users WHERE shift_id = ${shiftId} AND status <> 'inactive'`);
}

export interface ShiftValues {
  name: string;
  description: string | null;
  startTime: string;
  endTime: string;
  timezone: string;
  gracePeriodMinutes: number;
  /** Ascending, unique. */
  workingDays: number[];
  isActive: boolean;
  isDefault: boolean;
}

const Id = z.object({ id: z.string() });

export async function insertShift(tx: Queryable, values: ShiftValues, now: Date): Promise<string> {
  return tx.oneFirst(sql.type(Id)`
    INSERT INTO shifts (name, description, start_time, end_time, timezone, grace_period_minutes, working_days, is_active, is_default,
                        created_at, updated_at)
    VALUES (${values.name}, ${values.description}, ${values.startTime}::time, ${values.endTime}::time, ${values.timezone},
            ${values.gracePeriodMinutes}, ${sql.array(values.workingDays, 'int2')}, ${values.isActive}, ${values.isDefault},
            ${sql.timestamp(now)}, ${sql.timestamp(now)})
    RETURNING id`);
}

export type ShiftChanges = Partial<ShiftValues>;

/** Writes only the given fields (at least one), plus `updated_at`. */
export async function updateShiftFields(tx: Queryable, shiftId: string, changes: ShiftChanges, now: Date): Promise<void> {
  const set: FragmentSqlToken[] = [sql.fragment`updated_at = ${sql.timestamp(now)}`];
  if (changes.name !== undefined) set.push(sql.fragment`name = ${changes.name}`);
  if (changes.description !== undefined) set.push(sql.fragment`description = ${changes.description}`);
  if (changes.startTime !== undefined) set.push(sql.fragment`start_time = ${changes.startTime}::time`);
  if (changes.endTime !== undefined) set.push(sql.fragment`end_time = ${changes.endTime}::time`);
  if (changes.timezone !== undefined) set.push(sql.fragment`timezone = ${changes.timezone}`);
  if (changes.gracePeriodMinutes !== undefined) set.push(sql.fragment`grace_period_minutes = ${changes.gracePeriodMinutes}`);
  if (changes.workingDays !== undefined) set.push(sql.fragment`working_days = ${sql.array(changes.workingDays, 'int2')}`);
  if (changes.isActive !== undefined) set.push(sql.fragment`is_active = ${changes.isActive}`);
  if (changes.isDefault !== undefined) set.push(sql.fragment`is_default = ${changes.isDefault}`);
  await tx.query(sql.type(NoRows)`UPDATE shifts SET ${sql.join(set, sql.fragment`, `)} WHERE id = ${shiftId}`);
}

const ClearedDefault = z.object({ id: z.string(), name: z.string(), isActive: z.boolean() });
export type ClearedDefault = z.infer<typeof ClearedDefault>;

/**
 * Clears the current default (other than `exceptId`) before another shift becomes the default. Two concurrent moves
 * both pass this statement; the loser then hits `shifts_one_default` (409) when it sets its own flag.
 */
export async function clearDefaultShift(tx: Queryable, exceptId: string | null, now: Date): Promise<ClearedDefault[]> {
  return [
    ...(await tx.any(sql.type(ClearedDefault)`
      UPDATE shifts SET is_default = false, updated_at = ${sql.timestamp(now)}
      WHERE is_default AND (${exceptId}::uuid IS NULL OR id <> ${exceptId}::uuid)
      RETURNING id, name, is_active`)),
  ];
}

// --- Members and assignment --------------------------------------------------------------------------------------

export const ShiftEmployeeRow = z.object({
  id: z.string(),
  fullName: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  status: UserStatus,
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
});
export type ShiftEmployeeRow = z.infer<typeof ShiftEmployeeRow>;

/** The users assigned to the shift (not those following it as the default), by full name, then id. */
export async function listShiftEmployees(
  db: Queryable,
  shiftId: string,
  page: { status?: UserStatus; limit: number; offset: number },
): Promise<{ rows: readonly ShiftEmployeeRow[]; total: number }> {
  const where = page.status === undefined
    ? sql.fragment`u.shift_id = ${shiftId}`
    : sql.fragment`u.shift_id = ${shiftId} AND u.status = ${page.status}`;
  const total = await db.oneFirst(sql.type(Count)`SELECT count(*)::int AS total FROM users u WHERE ${where}`);
  const rows = await db.any(sql.type(ShiftEmployeeRow)`
    SELECT u.id, u.full_name, u.email, u.role, u.status, u.department_id, d.name AS department_name
    FROM users u LEFT JOIN departments d ON d.id = u.department_id
    WHERE ${where}
    ORDER BY lower(u.full_name), u.id
    LIMIT ${page.limit} OFFSET ${page.offset}`);
  return { rows, total };
}

const AssignableShift = z.object({ id: z.string(), isActive: z.boolean() });

/**
 * The shift an assignment targets, key-share locked: a concurrent deactivation (which holds the row `FOR UPDATE`)
 * either finishes first and is seen here, or waits for this assignment and then counts it.
 */
export async function findAssignableShift(tx: Queryable, shiftId: string): Promise<{ id: string; isActive: boolean } | null> {
  return tx.maybeOne(sql.type(AssignableShift)`SELECT id, is_active FROM shifts WHERE id = ${shiftId} FOR KEY SHARE`);
}

const UserShift = z.object({ id: z.string(), fullName: z.string(), shiftId: z.string().nullable() });

/** The user's assignment, locked for the rest of the transaction. */
export async function lockUserShift(tx: Queryable, userId: string): Promise<{ id: string; fullName: string; shiftId: string | null } | null> {
  return tx.maybeOne(sql.type(UserShift)`SELECT id, full_name, shift_id FROM users WHERE id = ${userId} FOR NO KEY UPDATE`);
}

export async function setUserShift(tx: Queryable, userId: string, shiftId: string | null, now: Date): Promise<void> {
  await tx.query(sql.type(NoRows)`UPDATE users SET shift_id = ${shiftId}, updated_at = ${sql.timestamp(now)} WHERE id = ${userId}`);
}
