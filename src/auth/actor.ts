import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import { effectivePermissions, ROLES, type Role } from './permissions.ts';

/** The authenticated caller, read fresh from the database on every request (no claim in a token is trusted). */
export interface Actor {
  userId: string;
  sessionId: string;
  email: string;
  fullName: string;
  role: Role;
  permissions: ReadonlySet<string>;
}

const ActorRow = z.object({
  userId: z.string().uuid(),
  sessionId: z.string().uuid(),
  email: z.string(),
  fullName: z.string(),
  role: z.enum(ROLES),
  grants: z.array(z.string()),
  denies: z.array(z.string()),
});

/** One indexed lookup: session (live, not past absolute expiry) + active user + overrides. */
export async function findActor(db: Queryable, userId: string, sessionId: string, now: Date): Promise<Actor | null> {
  const row = await db.maybeOne(sql.type(ActorRow)`
    SELECT u.id AS user_id, s.id AS session_id, u.email, u.full_name, u.role,
           coalesce((SELECT array_agg(o.permission_key) FROM user_permission_overrides o WHERE o.user_id = u.id AND o.granted), '{}') AS grants,
           coalesce((SELECT array_agg(o.permission_key) FROM user_permission_overrides o WHERE o.user_id = u.id AND NOT o.granted), '{}') AS denies
    FROM auth_sessions s
    JOIN users u ON u.id = s.user_id
    WHERE s.id = ${sessionId} AND s.user_id = ${userId} AND s.revoked_at IS NULL
      AND s.absolute_expires_at > ${sql.timestamp(now)} AND u.status = 'active'`);
  if (!row) return null;
  return {
    userId: row.userId,
    sessionId: row.sessionId,
    email: row.email,
    fullName: row.fullName,
    role: row.role,
    permissions: effectivePermissions(row.role, row.grants, row.denies),
  };
}

/** `can(actor, 'leave.approve')`: the one question code asks about authority. */
export const can = (actor: Actor, key: string) => actor.permissions.has(key);
