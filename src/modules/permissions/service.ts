/**
 * Permissions (01 §3.3 R1–R2; §3.2 U16–U17; §4.8): the read-only catalogue and per-user overrides. The role matrix
 * itself is code-owned (src/auth/permissions.ts) and never edited through the API.
 */
import type { components, operations } from '../../../generated/sdk/src/schema.ts';
import type { Actor } from '../../auth/actor.ts';
import { ADMIN_ONLY_GRANTS, effectivePermissions, PERMISSION_KEYS, ROLE_PERMISSIONS, SUPER_ROLE, type Role } from '../../auth/permissions.ts';
import { recordAudit } from '../../audit/record.ts';
import type { Db } from '../../db/pool.ts';
import { forbidden, invalid, invalidMany, notFound, type ErrorDetail } from '../../http/errors.ts';
import type { RequestMeta } from '../../http/request-context.ts';
import type { Clock } from '../../lib/clock.ts';
import { pageWindow, toPage } from '../../lib/page.ts';
import { publishEvent } from '../../realtime/outbox.ts';
import { isSuper, mayActOn, userReadScope } from '../users/access.ts';
import { findUserInScope, lockUserInScope } from '../users/queries.ts';
import { deleteOverrides, findOverrides, insertOverrides, listPermissions, listRolePermissionKeys, type Overrides } from './queries.ts';

type UserPermissionsDto = components['schemas']['UserPermissions'];
type PermissionDto = components['schemas']['Permission'];
type ListQuery = NonNullable<operations['listPermissions']['parameters']['query']>;
type OverridesInput = components['schemas']['UpdatePermissionOverridesRequest'];

const sorted = (keys: Iterable<string>) => [...keys].sort();

function toUserPermissions(userId: string, role: Role, overrides: Overrides): UserPermissionsDto {
  return {
    userId,
    role,
    rolePermissions: sorted(ROLE_PERMISSIONS[role]),
    grants: sorted(overrides.grants),
    denies: sorted(overrides.denies),
    effectivePermissions: sorted(effectivePermissions(role, overrides.grants, overrides.denies)),
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((key) => b.includes(key));

export function createPermissionsService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  return {
    /** R1. */
    async listPermissions(query: ListQuery) {
      const page = pageWindow(query);
      const { rows, total } = await listPermissions(db, query.category, page);
      return toPage(rows, total, (row) => ({ ...row, category: row.category as PermissionDto['category'] }), page);
    },

    /** R2. */
    async getRolePermissions(role: Role) {
      return { role, permissions: await listRolePermissionKeys(db, role) };
    },

    /**
     * U16.
     * @throws AppError 404 for unknown and out-of-scope users.
     */
    async getUserPermissions(actor: Actor, userId: string): Promise<UserPermissionsDto> {
      const user = await findUserInScope(db, userId, userReadScope(actor));
      if (!user) throw notFound();
      return toUserPermissions(user.id, user.role, await findOverrides(db, user.id));
    },

    /**
     * U17: replaces the target's whole override set.
     * @throws AppError 404 · 403 self / rank / grant not held or admin-only · 422 unknown key, key in both lists, admin target.
     */
    async updateUserPermissionOverrides(actor: Actor, userId: string, input: OverridesInput, meta: RequestMeta): Promise<UserPermissionsDto> {
      const now = clock.now();
      return db.transaction(async (tx) => {
        const target = await lockUserInScope(tx, userId, userReadScope(actor));
        if (!target) throw notFound();
        if (target.id === actor.userId) throw forbidden('You cannot change your own permissions.');
        if (!mayActOn(actor, target.role)) throw forbidden('You may only change the permissions of users below your own role.');
        if (!isSuper(actor)) {
          const refused: ErrorDetail[] = input.grants.flatMap((key, i) =>
            ADMIN_ONLY_GRANTS.has(key) || !actor.permissions.has(key)
              ? [{ field: `body.grants.${i}`, message: ADMIN_ONLY_GRANTS.has(key) ? `${key} can only be granted by an admin` : `you do not hold ${key}` }]
              : [],
          );
          if (refused.length > 0) throw forbidden('You may not grant these permissions.', refused);
        }
        const unknown: ErrorDetail[] = (['grants', 'denies'] as const).flatMap((list) =>
          input[list].flatMap((key, i) => (PERMISSION_KEYS.has(key) ? [] : [{ field: `body.${list}.${i}`, message: `unknown permission key ${key}` }])),
        );
        if (unknown.length > 0) throw invalidMany(unknown);
        const both: ErrorDetail[] = input.denies.flatMap((key, i) =>
          input.grants.includes(key) ? [{ field: `body.denies.${i}`, message: `${key} is also in grants` }] : [],
        );
        if (both.length > 0) throw invalidMany(both);
        if (target.role === SUPER_ROLE) throw invalid('path.userId', 'admin permissions are fixed and take no overrides');

        const next: Overrides = { grants: sorted(input.grants), denies: sorted(input.denies) };
        const current = await findOverrides(tx, target.id);
        if (sameSet(current.grants, next.grants) && sameSet(current.denies, next.denies)) return toUserPermissions(target.id, target.role, current);

        await deleteOverrides(tx, target.id);
        await insertOverrides(tx, target.id, next, actor.userId, now);
        await publishEvent(
          tx,
          { kind: 'users', userIds: [target.id] },
          { type: 'auth.permissions_changed', payload: { userId: target.id, role: target.role }, actorId: actor.userId, entityType: 'user', entityId: target.id },
          now,
        );
        await recordAudit(tx, {
          actor,
          action: 'user.permissions_updated',
          entityType: 'user',
          entityId: target.id,
          entityLabel: target.fullName,
          before: { grants: current.grants, denies: current.denies },
          after: { grants: next.grants, denies: next.denies },
          meta,
        });
        return toUserPermissions(target.id, target.role, next);
      });
    },
  };
}

export type PermissionsService = ReturnType<typeof createPermissionsService>;
