/** SQL of the permissions module: the synced catalogue (01 §2.6) and per-user overrides. */
import { sql, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { ROLES, type Role } from '../../auth/permissions.ts';
import type { Queryable } from '../../db/pool.ts';
import { NoRows } from '../../db/sql.ts';
import type { PageWindow } from '../../lib/page.ts';

export const PermissionRow = z.object({
  key: z.string(),
  description: z.string(),
  category: z.string(),
  defaultRoles: z.array(z.enum(ROLES)),
});
export type PermissionRow = z.infer<typeof PermissionRow>;

const Count = z.object({ count: z.number() });

/** A page of the catalogue, sorted by key; `defaultRoles` in the enum's (rank) order. */
export async function listPermissions(
  db: Queryable,
  category: string | undefined,
  page: PageWindow,
): Promise<{ rows: readonly PermissionRow[]; total: number }> {
  const where: FragmentSqlToken = category === undefined ? sql.fragment`TRUE` : sql.fragment`p.category = ${category}`;
  const [{ count }, rows] = await Promise.all([
    db.one(sql.type(Count)`SELECT count(*)::int8 AS count FROM permissions p WHERE ${where}`),
    db.any(sql.type(PermissionRow)`
      SELECT p.key, p.description, p.category,
             coalesce(array_agg(rp.role::text ORDER BY rp.role) FILTER (WHERE rp.role IS NOT NULL), '{}') AS default_roles
      FROM permissions p
      LEFT JOIN role_permissions rp ON rp.permission_key = p.key
      WHERE ${where}
      GROUP BY p.key
      ORDER BY p.key COLLATE "C"
      LIMIT ${page.limit} OFFSET ${page.offset}`),
  ]);
  return { rows, total: count };
}

const KeyRow = z.object({ permissionKey: z.string() });

/** The keys the synced matrix grants the role, sorted. */
export async function listRolePermissionKeys(db: Queryable, role: Role): Promise<string[]> {
  const rows = await db.any(sql.type(KeyRow)`
    SELECT permission_key FROM role_permissions WHERE role = ${role} ORDER BY permission_key COLLATE "C"`);
  return rows.map((r) => r.permissionKey);
}

export interface Overrides {
  grants: string[];
  denies: string[];
}

const OverrideRow = z.object({ permissionKey: z.string(), granted: z.boolean() });

function toOverrides(rows: readonly z.infer<typeof OverrideRow>[]): Overrides {
  return {
    grants: rows.filter((r) => r.granted).map((r) => r.permissionKey),
    denies: rows.filter((r) => !r.granted).map((r) => r.permissionKey),
  };
}

/** The user's overrides, each list sorted. */
export async function findOverrides(db: Queryable, userId: string): Promise<Overrides> {
  return toOverrides(
    await db.any(sql.type(OverrideRow)`
      SELECT permission_key, granted FROM user_permission_overrides WHERE user_id = ${userId} ORDER BY permission_key`),
  );
}

/** Removes every override of the user (U9 role change, U17 replace); returns what was removed. */
export async function deleteOverrides(tx: Queryable, userId: string): Promise<Overrides> {
  const rows = await tx.any(sql.type(OverrideRow)`
    DELETE FROM user_permission_overrides WHERE user_id = ${userId} RETURNING permission_key, granted`);
  const removed = toOverrides(rows);
  return { grants: removed.grants.sort(), denies: removed.denies.sort() };
}

export async function insertOverrides(tx: Queryable, userId: string, overrides: Overrides, createdById: string, now: Date): Promise<void> {
  const rows = [...overrides.grants.map((key) => [key, true]), ...overrides.denies.map((key) => [key, false])] as [string, boolean][];
  if (rows.length === 0) return;
  await tx.query(sql.type(NoRows)`
    INSERT INTO user_permission_overrides (user_id, permission_key, granted, created_by_id, created_at)
    SELECT ${userId}, t.permission_key, t.granted, ${createdById}, ${sql.timestamp(now)}
    FROM ${sql.unnest(rows, ['varchar', 'bool'])} AS t(permission_key, granted)`);
}
