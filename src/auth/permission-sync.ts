import { sql } from 'slonik';
import type { Db } from '../db/pool.ts';
import { NoRows } from '../db/sql.ts';
import { PERMISSIONS } from './permissions.ts';

/** Startup step 3 (01 §3.4): the catalogue and the role matrix in the database become exactly the code's. */
export async function syncPermissions(db: Db): Promise<void> {
  const keys = PERMISSIONS.map((p) => p.key);
  await db.transaction(async (tx) => {
    await tx.query(sql.type(NoRows)`LOCK TABLE permissions, role_permissions IN EXCLUSIVE MODE`);
    await tx.query(sql.type(NoRows)`
      INSERT INTO permissions (key, description, category)
      SELECT * FROM ${sql.unnest(
        PERMISSIONS.map((p) => [p.key, p.description, p.category]),
        ['varchar', 'varchar', 'varchar'],
      )}
      ON CONFLICT (key) DO UPDATE SET description = excluded.description, category = excluded.category`);
    await tx.query(sql.type(NoRows)`DELETE FROM permissions WHERE NOT (key = ANY(${sql.array(keys, 'varchar')}))`);
    await tx.query(sql.type(NoRows)`DELETE FROM role_permissions`);
    await tx.query(sql.type(NoRows)`
      INSERT INTO role_permissions (role, permission_key)
      SELECT role::user_role, key FROM ${sql.unnest(
        PERMISSIONS.flatMap((p) => p.defaultRoles.map((role) => [role, p.key])),
        ['text', 'varchar'],
      )} AS t(role, key)`);
  });
}
