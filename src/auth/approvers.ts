/**
 * Approver routing (02 §3.4, 03 §4.1): who decides an item filed for `ownerId` by `requesterId`.
 *
 * Walk up the owner's `managerId` chain (cycle-safe) to the first user who
 * - is `active`,
 * - holds the approval key (role grants from `role_permissions` ∪ user grants − user denies; the super role holds
 *   every key),
 * - has the owner in scope: the org key, or the team key with the owner in their team set (01 §4.3: direct reports
 *   for every role, the whole chain below for CHAIN_SCOPE_ROLES),
 * - and is neither the requester nor the owner (four-eyes).
 * With default grants that is the owner's manager, or the manager above a team lead. If the chain has nobody, the
 * item is pooled: every active user holding the approval key and the org key, minus the requester and the owner.
 *
 * One recursive SQL statement, evaluated against current database state (a manager change applies at once).
 */
import { sql, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import { CHAIN_SCOPE_ROLES, SUPER_ROLE } from './permissions.ts';

export interface ApprovalKeys {
  /** The key that allows the decision, e.g. `attendance.approve_correction`, `leave.approve`. */
  approve: string;
  /** The feature's org-scope key, e.g. `attendance.view_org`, `leave.view_org`. */
  org: string;
  /** The feature's team-scope key; when given, team scope also requires it (e.g. `attendance.view_team`). */
  team?: string;
}

export type ApproverRoute =
  /** The chain approver. */
  | { kind: 'chain'; approverIds: [string] }
  /** The org pool (possibly empty: nobody but the requester could decide). */
  | { kind: 'pool'; approverIds: string[] };

const RoutedRow = z.object({ id: z.string(), via: z.enum(['chain', 'pool']) });

/** SQL truth of "user `alias` holds `key`" under the effective-permission rule of 01 §4.8. */
function holds(alias: string, key: string): FragmentSqlToken {
  const user = sql.identifier([alias]);
  return sql.fragment`(
    ${user}.role::text = ${SUPER_ROLE}
    OR coalesce(
      (SELECT o.granted FROM user_permission_overrides o WHERE o.user_id = ${user}.id AND o.permission_key = ${key}),
      EXISTS (SELECT 1 FROM role_permissions rp WHERE rp.role = ${user}.role AND rp.permission_key = ${key})
    )
  )`;
}

/**
 * The routed approver(s) of an item owned by `ownerId` and filed by `requesterId`.
 * @returns the chain approver, or the org pool (empty when nobody else may decide).
 */
export async function routeApprovers(db: Queryable, input: { ownerId: string; requesterId: string; keys: ApprovalKeys }): Promise<ApproverRoute> {
  const { ownerId, requesterId, keys } = input;
  const chainRoles = sql.array([...CHAIN_SCOPE_ROLES], 'text');
  const teamKeyHeld = keys.team ? holds('a', keys.team) : sql.fragment`TRUE`;
  const rows = await db.any(sql.type(RoutedRow)`
    WITH RECURSIVE chain (user_id, depth, seen) AS (
      SELECT o.manager_id, 1, ARRAY[o.id, o.manager_id]
      FROM users o
      WHERE o.id = ${ownerId} AND o.manager_id IS NOT NULL
      UNION ALL
      SELECT m.manager_id, c.depth + 1, c.seen || m.manager_id
      FROM chain c
      JOIN users m ON m.id = c.user_id
      WHERE m.manager_id IS NOT NULL AND NOT (m.manager_id = ANY(c.seen))
    ),
    chain_pick AS (
      SELECT a.id
      FROM chain c
      JOIN users a ON a.id = c.user_id
      WHERE a.status = 'active'
        AND a.id <> ${requesterId} AND a.id <> ${ownerId}
        AND ${holds('a', keys.approve)}
        AND (${holds('a', keys.org)} OR ((c.depth = 1 OR a.role::text = ANY(${chainRoles})) AND ${teamKeyHeld}))
      ORDER BY c.depth
      LIMIT 1
    )
    SELECT id, 'chain' AS via FROM chain_pick
    UNION ALL
    SELECT a.id, 'pool' AS via
    FROM users a
    WHERE NOT EXISTS (SELECT 1 FROM chain_pick) AND ${poolMember(input)}
    ORDER BY 1`);
  const chain = rows.find((r) => r.via === 'chain');
  if (chain) return { kind: 'chain', approverIds: [chain.id] };
  return { kind: 'pool', approverIds: rows.map((r) => r.id) };
}

/** SQL truth of "user `a` is in the org pool of the item": active, holds the approval and org keys, four-eyes. */
function poolMember(input: { ownerId: string; requesterId: string; keys: ApprovalKeys }): FragmentSqlToken {
  return sql.fragment`a.status = 'active'
      AND a.id <> ${input.requesterId} AND a.id <> ${input.ownerId}
      AND ${holds('a', input.keys.approve)}
      AND ${holds('a', input.keys.org)}`;
}

/**
 * The org pool of an item whatever its chain: every active holder of the approval key and the org key other than the
 * requester and the owner (03 §4.1: an escalated leave request goes to the pool even when its chain has an approver).
 */
export async function approverPool(db: Queryable, input: { ownerId: string; requesterId: string; keys: ApprovalKeys }): Promise<string[]> {
  const rows = await db.any(sql.type(z.object({ id: z.string() }))`SELECT a.id FROM users a WHERE ${poolMember(input)} ORDER BY 1`);
  return rows.map((r) => r.id);
}

/** Keys of attendance corrections (02 §1.2). */
export const CORRECTION_APPROVAL_KEYS: ApprovalKeys = {
  approve: 'attendance.approve_correction',
  org: 'attendance.view_org',
  team: 'attendance.view_team',
};

/**
 * Keys of leave requests (03 §4.1): `leave.approve`, org scope through `leave.view_org`; team scope is the requester
 * in the approver's team set (01 §4.3) with no further key.
 */
export const LEAVE_APPROVAL_KEYS: ApprovalKeys = {
  approve: 'leave.approve',
  org: 'leave.view_org',
};
