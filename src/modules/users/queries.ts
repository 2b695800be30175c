/** SQL of the users module (01 §2.1, §3.2). Queries decide nothing; scope arrives as a fragment from src/auth/scope.ts. */
import { sql, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { ROLES, type Role } from '../../auth/permissions.ts';
import type { Queryable } from '../../db/pool.ts';
import { NoRows } from '../../db/sql.ts';
import type { PageWindow } from '../../lib/page.ts';

export const USER_STATUSES = ['invited', 'active', 'suspended', 'inactive'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** The wire User, joined (department and manager names). */
export const UserRow = z.object({
  id: z.string(),
  email: z.string(),
  fullName: z.string(),
  phone: z.string().nullable(),
  role: z.enum(ROLES),
  status: z.enum(USER_STATUSES),
  statusReason: z.string().nullable(),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  designation: z.string().nullable(),
  managerId: z.string().nullable(),
  managerName: z.string().nullable(),
  shiftId: z.string().nullable(),
  shiftName: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  lastLoginAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type UserRow = z.infer<typeof UserRow>;

const USER_COLUMNS = sql.fragment`
  u.id, u.email, u.full_name, u.phone, u.role, u.status, u.status_reason,
  u.department_id, d.name AS department_name, u.designation,
  u.manager_id, m.full_name AS manager_name,
  u.shift_id, s.name AS shift_name,
  u.avatar_url, u.last_login_at, u.created_at, u.updated_at`;

const USER_FROM = sql.fragment`
  users u
  LEFT JOIN departments d ON d.id = u.department_id
  LEFT JOIN users m ON m.id = u.manager_id
  LEFT JOIN shifts s ON s.id = u.shift_id`;

/** The row a mutation works on: locked, unjoined, with the facts the rules need. */
export const TargetRow = z.object({
  id: z.string(),
  email: z.string(),
  fullName: z.string(),
  phone: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  role: z.enum(ROLES),
  status: z.enum(USER_STATUSES),
  designation: z.string().nullable(),
  departmentId: z.string().nullable(),
  managerId: z.string().nullable(),
  hasPassword: z.boolean(),
});
export type TargetRow = z.infer<typeof TargetRow>;

/** One user with joined names, restricted by a scope fragment over `u.id` (null = out of scope or unknown). */
export async function findUserInScope(db: Queryable, userId: string, scope: FragmentSqlToken): Promise<UserRow | null> {
  return db.maybeOne(sql.type(UserRow)`SELECT ${USER_COLUMNS} FROM ${USER_FROM} WHERE u.id = ${userId} AND ${scope}`);
}

/** One user with joined names (for answering after a change). */
export async function getUserById(db: Queryable, userId: string): Promise<UserRow> {
  return db.one(sql.type(UserRow)`SELECT ${USER_COLUMNS} FROM ${USER_FROM} WHERE u.id = ${userId}`);
}

const TARGET_COLUMNS = sql.fragment`
  u.id, u.email, u.full_name, u.phone, u.avatar_url, u.role, u.status, u.designation, u.department_id, u.manager_id,
  u.password_hash IS NOT NULL AS has_password`;

/** Locks the user row for a change, if it lies within the scope fragment over `u.id`. */
export async function lockUserInScope(tx: Queryable, userId: string, scope: FragmentSqlToken): Promise<TargetRow | null> {
  return tx.maybeOne(sql.type(TargetRow)`SELECT ${TARGET_COLUMNS} FROM users u WHERE u.id = ${userId} AND ${scope} FOR UPDATE OF u`);
}

/** The same row without a lock (checks that must run before a rate-limit slot is taken outside any transaction). */
export async function findTargetInScope(db: Queryable, userId: string, scope: FragmentSqlToken): Promise<TargetRow | null> {
  return db.maybeOne(sql.type(TargetRow)`SELECT ${TARGET_COLUMNS} FROM users u WHERE u.id = ${userId} AND ${scope}`);
}

const IdRow = z.object({ id: z.string() });

/**
 * Locks every active admin row, in id order (so concurrent callers queue instead of deadlocking), and returns their
 * ids. A waiter re-checks the WHERE clause after the holder commits, so an admin demoted or suspended meanwhile drops
 * out of the set: the last-admin guard of 01 §4.1 counts committed state only.
 */
export async function lockActiveAdmins(tx: Queryable, adminRole: Role): Promise<string[]> {
  const rows = await tx.any(sql.type(IdRow)`
    SELECT id FROM users WHERE role = ${adminRole} AND status = 'active' ORDER BY id FOR UPDATE`);
  return rows.map((r) => r.id);
}

export async function emailInUse(db: Queryable, email: string, exceptUserId: string | null = null): Promise<boolean> {
  const row = await db.maybeOne(sql.type(IdRow)`
    SELECT id FROM users WHERE email = ${email}
    ${exceptUserId ? sql.fragment`AND id <> ${exceptUserId}` : sql.fragment``}`);
  return row !== null;
}

const UserRef = z.object({ id: z.string(), role: z.enum(ROLES), status: z.enum(USER_STATUSES) });

export async function findUserRef(db: Queryable, userId: string): Promise<z.infer<typeof UserRef> | null> {
  return db.maybeOne(sql.type(UserRef)`SELECT id, role, status FROM users WHERE id = ${userId}`);
}

const Reaches = z.object({ reaches: z.boolean() });

/** Walks the manager chain upwards from `fromUserId` (cycle-safe); true when it reaches `userId`. */
export async function managerChainReaches(db: Queryable, fromUserId: string, userId: string): Promise<boolean> {
  const row = await db.one(sql.type(Reaches)`
    WITH RECURSIVE chain(id) AS (
      SELECT id FROM users WHERE id = ${fromUserId}
      UNION
      SELECT u.manager_id FROM users u JOIN chain c ON u.id = c.id WHERE u.manager_id IS NOT NULL
    )
    SELECT EXISTS (SELECT 1 FROM chain WHERE id = ${userId}) AS reaches`);
  return row.reaches;
}

/**
 * Serializes reporting-line changes (01 §4.4) so two concurrent edits cannot each pass the cycle check and together
 * close a loop. Transaction-scoped; released at commit or rollback.
 */
export async function lockReportingLines(tx: Queryable): Promise<void> {
  await tx.query(sql.type(z.object({ locked: z.string() }))`
    SELECT pg_advisory_xact_lock(hashtext('users.reporting_line'))::text AS locked`);
}

const Count = z.object({ count: z.number() });

/** Direct reports that still depend on the user as manager (`active` or `invited`). */
export async function countOpenDirectReports(db: Queryable, userId: string): Promise<number> {
  const row = await db.one(sql.type(Count)`
    SELECT count(*)::int8 AS count FROM users WHERE manager_id = ${userId} AND status IN ('active', 'invited')`);
  return row.count;
}

export interface NewUser {
  email: string;
  fullName: string;
  role: Role;
  phone: string | null;
  designation: string | null;
  departmentId: string | null;
  shiftId: string | null;
  managerId: string | null;
  avatarUrl: string | null;
  passwordHash: string | null;
  createdById: string;
}

export async function insertUser(tx: Queryable, user: NewUser, now: Date): Promise<string> {
  const at = sql.timestamp(now);
  const row = await tx.one(sql.type(IdRow)`
    INSERT INTO users (email, full_name, role, status, phone, designation, department_id, shift_id, manager_id, avatar_url,
                       password_hash, password_changed_at, status_changed_at, created_by_id, created_at, updated_at)
    VALUES (${user.email}, ${user.fullName}, ${user.role}, ${user.passwordHash === null ? 'invited' : 'active'},
            ${user.phone}, ${user.designation}, ${user.departmentId}, ${user.shiftId}, ${user.managerId}, ${user.avatarUrl},
            ${user.passwordHash}, ${user.passwordHash === null ? null : at}, ${at}, ${user.createdById}, ${at}, ${at})
    RETURNING id`);
  return row.id;
}

/** Fields a record edit (U4, U8) may set, and their columns. */
const EDITABLE_COLUMNS = {
  fullName: 'full_name',
  phone: 'phone',
  avatarUrl: 'avatar_url',
  email: 'email',
  designation: 'designation',
  departmentId: 'department_id',
  managerId: 'manager_id',
} as const;
export type EditableField = keyof typeof EDITABLE_COLUMNS;
export const EDITABLE_FIELDS = Object.keys(EDITABLE_COLUMNS) as EditableField[];

export async function updateUserFields(tx: Queryable, userId: string, changes: Partial<Record<EditableField, string | null>>, now: Date): Promise<void> {
  const sets = (Object.keys(changes) as EditableField[]).map(
    (field) => sql.fragment`${sql.identifier([EDITABLE_COLUMNS[field]])} = ${changes[field] ?? null}`,
  );
  if (sets.length === 0) return;
  await tx.query(sql.type(NoRows)`
    UPDATE users SET ${sql.join(sets, sql.fragment`, `)}, updated_at = ${sql.timestamp(now)} WHERE id = ${userId}`);
}

export async function updateUserRole(tx: Queryable, userId: string, role: Role, now: Date): Promise<void> {
  await tx.query(sql.type(NoRows)`UPDATE users SET role = ${role}, updated_at = ${sql.timestamp(now)} WHERE id = ${userId}`);
}

export async function updateUserStatus(tx: Queryable, userId: string, status: UserStatus, reason: string | null, now: Date): Promise<void> {
  const at = sql.timestamp(now);
  await tx.query(sql.type(NoRows)`
    UPDATE users SET status = ${status}, status_reason = ${reason}, status_changed_at = ${at}, updated_at = ${at}
    WHERE id = ${userId}`);
}

// --- Lists ---------------------------------------------------------------------------------------

export interface UserFilters {
  q?: string;
  role?: Role;
  status?: UserStatus;
  managerId?: string;
  departmentId?: string;
  shiftId?: string;
}

export type UserSort = 'fullName' | '-fullName' | 'email' | '-email' | 'createdAt' | '-createdAt' | 'lastLoginAt' | '-lastLoginAt';

const USER_SORTS: Record<UserSort, FragmentSqlToken> = {
  fullName: sql.fragment`lower(u.full_name) ASC, u.id ASC`,
  '-fullName': sql.fragment`lower(u.full_name) DESC, u.id ASC`,
  email: sql.fragment`u.email COLLATE "C" ASC, u.id ASC`,
  '-email': sql.fragment`u.email COLLATE "C" DESC, u.id ASC`,
  createdAt: sql.fragment`u.created_at ASC, u.id ASC`,
  '-createdAt': sql.fragment`u.created_at DESC, u.id ASC`,
  lastLoginAt: sql.fragment`u.last_login_at ASC NULLS LAST, u.id ASC`,
  '-lastLoginAt': sql.fragment`u.last_login_at DESC NULLS LAST, u.id ASC`,
};

/** `%`, `_` and the escape character itself match literally (01 §3.2 U1, §5 row 41). */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function filterConditions(filters: UserFilters): FragmentSqlToken[] {
  const conditions: FragmentSqlToken[] = [];
  if (filters.q !== undefined) {
    const pattern = likePattern(filters.q);
    conditions.push(sql.fragment`(u.full_name ILIKE ${pattern} ESCAPE '\\' OR u.email ILIKE ${pattern} ESCAPE '\\'
      OR u.designation ILIKE ${pattern} ESCAPE '\\')`);
  }
  if (filters.role !== undefined) conditions.push(sql.fragment`u.role = ${filters.role}`);
  if (filters.status !== undefined) conditions.push(sql.fragment`u.status = ${filters.status}`);
  if (filters.managerId !== undefined) conditions.push(sql.fragment`u.manager_id = ${filters.managerId}`);
  if (filters.departmentId !== undefined) conditions.push(sql.fragment`u.department_id = ${filters.departmentId}`);
  if (filters.shiftId !== undefined) conditions.push(sql.fragment`u.shift_id = ${filters.shiftId}`);
  return conditions;
}

/** A page of users: `visible` (scope or team set, over `u.id`) AND the filters, sorted with an `id` tie-break. */
export async function listUsers(
  db: Queryable,
  visible: FragmentSqlToken,
  filters: UserFilters,
  sort: UserSort,
  page: PageWindow,
): Promise<{ rows: readonly UserRow[]; total: number }> {
  const where = sql.join([visible, ...filterConditions(filters)], sql.fragment` AND `);
  const [{ count }, rows] = await Promise.all([
    db.one(sql.type(Count)`SELECT count(*)::int8 AS count FROM users u WHERE ${where}`),
    db.any(sql.type(UserRow)`
      SELECT ${USER_COLUMNS} FROM ${USER_FROM} WHERE ${where}
      ORDER BY ${USER_SORTS[sort]} LIMIT ${page.limit} OFFSET ${page.offset}`),
  ]);
  return { rows, total: count };
}

export const DirectoryRow = z.object({
  id: z.string(),
  fullName: z.string(),
  role: z.enum(ROLES),
  departmentName: z.string().nullable(),
  designation: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  email: z.string(),
});
export type DirectoryRow = z.infer<typeof DirectoryRow>;

/**
 * The people directory (U6): active users; everyone (`orgWide`) or the caller's circle — self, own manager,
 * own direct reports, and peers sharing the caller's manager.
 */
export async function listDirectory(
  db: Queryable,
  viewerId: string,
  orgWide: boolean,
  q: string | undefined,
  page: PageWindow,
): Promise<{ rows: readonly DirectoryRow[]; total: number }> {
  const conditions: FragmentSqlToken[] = [sql.fragment`u.status = 'active'`];
  if (!orgWide) {
    const myManager = sql.fragment`(SELECT me.manager_id FROM users me WHERE me.id = ${viewerId})`;
    conditions.push(sql.fragment`(u.id = ${viewerId} OR u.id = ${myManager} OR u.manager_id = ${viewerId} OR u.manager_id = ${myManager})`);
  }
  if (q !== undefined) {
    const pattern = likePattern(q);
    conditions.push(sql.fragment`(u.full_name ILIKE ${pattern} ESCAPE '\\' OR u.designation ILIKE ${pattern} ESCAPE '\\')`);
  }
  const where = sql.join(conditions, sql.fragment` AND `);
  const [{ count }, rows] = await Promise.all([
    db.one(sql.type(Count)`SELECT count(*)::int8 AS count FROM users u WHERE ${where}`),
    db.any(sql.type(DirectoryRow)`
      SELECT u.id, u.full_name, u.role, d.name AS department_name, u.designation, u.avatar_url, u.email
      FROM users u LEFT JOIN departments d ON d.id = u.department_id
      WHERE ${where}
      ORDER BY lower(u.full_name) ASC, u.id ASC LIMIT ${page.limit} OFFSET ${page.offset}`),
  ]);
  return { rows, total: count };
}

// --- Visibility fragments (over `u.id`) -----------------------------------------------------------

/** The users table's id column in every query above, for `inScope(actor, scope, USER_ID)`. */
export const USER_ID = sql.identifier(['u', 'id']);

/** Members of a team-set subquery (src/auth/scope.ts `teamSetQuery`). */
export const memberOf = (teamSet: FragmentSqlToken): FragmentSqlToken => sql.fragment`u.id IN (${teamSet})`;

/** Direct reports of the user. */
export const directReportsOf = (userId: string): FragmentSqlToken => sql.fragment`(u.manager_id = ${userId} AND u.id <> ${userId})`;
