import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../db/pool.ts';

const DepartmentRef = z.object({ id: z.string(), name: z.string(), isActive: z.boolean() });
export type DepartmentRef = z.infer<typeof DepartmentRef>;

/** For membership changes made on the user (01 U2/U8): the department must exist and be active. */
export async function findDepartmentRef(db: Queryable, departmentId: string): Promise<DepartmentRef | null> {
  return db.maybeOne(sql.type(DepartmentRef)`SELECT id, name, is_active FROM departments WHERE id = ${departmentId}`);
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
