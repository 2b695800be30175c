import { sql, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../db/pool.ts';
import { NoRows } from '../../db/sql.ts';
import { ROLES } from '../../auth/permissions.ts';

const UserStatus = z.enum(['invited', 'active', 'suspended', 'inactive']);

const DepartmentRef = z.object({ id: z.string(), name: z.string(), isActive: z.boolean() });
export type DepartmentRef = z.infer<typeof DepartmentRef>;

/**
 * For membership changes made on the user (01 U2/U8): the department must exist and be active.
 * `FOR KEY SHARE` makes a caller inside a transaction wait for a concurrent deactivation (which holds the row
 * `FOR UPDATE`) and then read its outcome, so nobody joins a department while it is being deactivated.
 */
export async function findDepartmentRef(db: Queryable, departmentId: string): Promise<DepartmentRef | null> {
  return db.maybeOne(sql.type(DepartmentRef)`SELECT id, name, is_active FROM departments WHERE id = ${departmentId} FOR KEY SHARE`);
}

const Cleared = z.object({ id: z.string(), name: z.string() });

/**
 * Clears the user as head of any department (the user was suspended, deactivated or moved to a non-management
 * role; 04 §3.4). Returns the departments touched so the caller can audit `department.head_cleared` (actor null).
 */
export async function clearDepartmentHead(tx: Queryable, userId: string, now: Date): Promise<{ id: string; name: string }[]> {
  return [
    ...(await tx.any(sql.type(Cleared)`
      UPDATE departments SET head_user_id = NULL, updated_at = ${sql.timestamp(now)}
      WHERE head_user_id = ${userId}
      RETURNING id, name`)),
  ];
}

// --- Departments (04 §3.4) ---------------------------------------------------------------------------------------

export const DepartmentRow = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  headUserId: z.string().nullable(),
  headName: z.string().nullable(),
  isActive: z.boolean(),
  memberCount: z.number(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type DepartmentRow = z.infer<typeof DepartmentRow>;

/** The Department columns: head name joined, active members counted (one indexed count per row). */
const DEPARTMENT_COLUMNS = sql.fragment`
  d.id, d.name, d.description, d.head_user_id, h.full_name AS head_name, d.is_active,
  (SELECT count(*) FROM users m WHERE m.department_id = d.id AND m.status = 'active')::int AS member_count,
  d.created_at, d.updated_at`;

export async function findDepartment(db: Queryable, departmentId: string): Promise<DepartmentRow | null> {
  return db.maybeOne(sql.type(DepartmentRow)`
    SELECT ${DEPARTMENT_COLUMNS}
    FROM departments d LEFT JOIN users h ON h.id = d.head_user_id
    WHERE d.id = ${departmentId}`);
}

export type DepartmentSort = 'name' | '-name' | 'createdAt' | '-createdAt';

const DEPARTMENT_ORDER: Record<DepartmentSort, FragmentSqlToken> = {
  name: sql.fragment`lower(d.name), d.id`,
  '-name': sql.fragment`lower(d.name) DESC, d.id DESC`,
  createdAt: sql.fragment`d.created_at, d.id`,
  '-createdAt': sql.fragment`d.created_at DESC, d.id DESC`,
};

export interface DepartmentFilter {
  isActive?: boolean;
  /** Matched literally as a case-insensitive substring of the name. */
  search?: string;
  sort: DepartmentSort;
  limit: number;
  offset: number;
}

const Count = z.object({ total: z.number() });

export async function listDepartments(db: Queryable, filter: DepartmentFilter): Promise<{ rows: readonly DepartmentRow[]; total: number }> {
  const conditions: FragmentSqlToken[] = [sql.fragment`TRUE`];
  if (filter.isActive !== undefined) conditions.push(sql.fragment`d.is_active = ${filter.isActive}`);
  if (filter.search !== undefined) conditions.push(sql.fragment`strpos(lower(d.name), lower(${filter.search})) > 0`);
  const where = sql.join(conditions, sql.fragment` AND `);
  const total = await db.oneFirst(sql.type(Count)`SELECT count(*)::int AS total FROM departments d WHERE ${where}`);
  const rows = await db.any(sql.type(DepartmentRow)`
    SELECT ${DEPARTMENT_COLUMNS}
    FROM departments d LEFT JOIN users h ON h.id = d.head_user_id
    WHERE ${where}
    ORDER BY ${DEPARTMENT_ORDER[filter.sort]}
    LIMIT ${filter.limit} OFFSET ${filter.offset}`);
  return { rows, total };
}

const LockedDepartment = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  headUserId: z.string().nullable(),
  isActive: z.boolean(),
});
export type LockedDepartment = z.infer<typeof LockedDepartment>;

/** The editable fields, locked for the rest of the transaction (blocks concurrent edits and member assignment). */
export async function lockDepartment(tx: Queryable, departmentId: string): Promise<LockedDepartment | null> {
  return tx.maybeOne(sql.type(LockedDepartment)`
    SELECT id, name, description, head_user_id, is_active FROM departments WHERE id = ${departmentId} FOR UPDATE`);
}

const Exists = z.object({ exists: z.boolean() });

/** Case-insensitive name match against every other department (the unique index `departments_name_key`). */
export async function departmentNameTaken(tx: Queryable, name: string, exceptId: string | null): Promise<boolean> {
  return tx.oneFirst(sql.type(Exists)`
    SELECT EXISTS (
      SELECT 1 FROM departments WHERE lower(name) = lower(${name}) AND (${exceptId}::uuid IS NULL OR id <> ${exceptId}::uuid)
    ) AS exists`);
}

const HeadCandidate = z.object({ id: z.string(), role: z.enum(ROLES), status: UserStatus });
export type HeadCandidate = z.infer<typeof HeadCandidate>;

/**
 * The would-be head, share-locked so a concurrent suspension or demotion (which clears heads in its own
 * transaction) waits for this one and then clears the head it sets.
 */
export async function findHeadCandidate(tx: Queryable, userId: string): Promise<HeadCandidate | null> {
  return tx.maybeOne(sql.type(HeadCandidate)`SELECT id, role, status FROM users WHERE id = ${userId} FOR SHARE`);
}

/** Members that block deactivation: every assigned user whose status is not `inactive`. */
export async function countBlockingMembers(tx: Queryable, departmentId: string): Promise<number> {
  return tx.oneFirst(sql.type(Count)`
    SELECT count(*)::int AS total FROM users WHERE department_id = ${departmentId} AND status <> 'inactive'`);
}

export interface NewDepartment {
  name: string;
  description: string | null;
  headUserId: string | null;
  isActive: boolean;
}

const Id = z.object({ id: z.string() });

export async function insertDepartment(tx: Queryable, values: NewDepartment, actorId: string, now: Date): Promise<string> {
  return tx.oneFirst(sql.type(Id)`
    INSERT INTO departments (name, description, head_user_id, is_active, created_by_id, updated_by_id, created_at, updated_at)
    VALUES (${values.name}, ${values.description}, ${values.headUserId}, ${values.isActive}, ${actorId}, ${actorId},
            ${sql.timestamp(now)}, ${sql.timestamp(now)})
    RETURNING id`);
}

export type DepartmentChanges = Partial<NewDepartment>;

/** Writes only the given fields (at least one), plus `updated_by_id` / `updated_at`. */
export async function updateDepartmentFields(tx: Queryable, departmentId: string, changes: DepartmentChanges, actorId: string, now: Date): Promise<void> {
  const set: FragmentSqlToken[] = [sql.fragment`updated_by_id = ${actorId}`, sql.fragment`updated_at = ${sql.timestamp(now)}`];
  if (changes.name !== undefined) set.push(sql.fragment`name = ${changes.name}`);
  if (changes.description !== undefined) set.push(sql.fragment`description = ${changes.description}`);
  if (changes.headUserId !== undefined) set.push(sql.fragment`head_user_id = ${changes.headUserId}`);
  if (changes.isActive !== undefined) set.push(sql.fragment`is_active = ${changes.isActive}`);
  await tx.query(sql.type(NoRows)`UPDATE departments SET ${sql.join(set, sql.fragment`, `)} WHERE id = ${departmentId}`);
}

export const MemberRow = z.object({
  id: z.string(),
  fullName: z.string(),
  role: z.enum(ROLES),
  designation: z.string().nullable(),
  managerName: z.string().nullable(),
  shiftName: z.string().nullable(),
  status: UserStatus,
});
export type MemberRow = z.infer<typeof MemberRow>;

/**
 * Members ordered by full name, then id. `activeOnly` narrows to status `active`. `shiftName` is the assigned shift's.
 */
export async function listDepartmentMembers(
  db: Queryable,
  departmentId: string,
  page: { activeOnly: boolean; limit: number; offset: number },
): Promise<{ rows: readonly MemberRow[]; total: number }> {
  const where = sql.fragment`u.department_id = ${departmentId} AND (${!page.activeOnly} OR u.status = 'active')`;
  const total = await db.oneFirst(sql.type(Count)`SELECT count(*)::int AS total FROM users u WHERE ${where}`);
  const rows = await db.any(sql.type(MemberRow)`
    SELECT u.id, u.full_name, u.role, u.designation, m.full_name AS manager_name, s.name AS shift_name, u.status
    FROM users u LEFT JOIN users m ON m.id = u.manager_id LEFT JOIN shifts s ON s.id = u.shift_id
    WHERE ${where}
    ORDER BY lower(u.full_name), u.id
    LIMIT ${page.limit} OFFSET ${page.offset}`);
  return { rows, total };
}
