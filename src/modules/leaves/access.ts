/**
 * Who may see and who may resolve a leave request (03 §3.1 L5, §4.1), as SQL conditions over `lr.*` built from the
 * caller's keys. L3, L7 and the approvals inbox share `mayResolveLeave`, so the inbox's `leave_request` items are
 * exactly the caller's L3 items.
 */
import { sql, type FragmentSqlToken } from 'slonik';
import type { Actor } from '../../auth/actor.ts';
import { can } from '../../auth/actor.ts';
import { LEAVE_APPROVAL_KEYS } from '../../auth/approvers.ts';
import { inScope, scopeOf, teamSetQuery } from '../../auth/scope.ts';

/** The caller holds `leave.approve` with org scope: resolves anyone's request but their own, cancels with a comment. */
export const isOrgLeaveApprover = (actor: Actor) => can(actor, LEAVE_APPROVAL_KEYS.approve) && can(actor, LEAVE_APPROVAL_KEYS.org);

/**
 * May resolve ⇔ actor ≠ requester ∧ actor holds `leave.approve` ∧ (org scope ∨ requester in the actor's team set).
 * `currentApproverId` plays no part: a manager change never strands a request.
 */
export function mayResolveLeave(actor: Actor): FragmentSqlToken {
  if (!can(actor, LEAVE_APPROVAL_KEYS.approve)) return sql.fragment`FALSE`;
  const reach = can(actor, LEAVE_APPROVAL_KEYS.org) ? sql.fragment`TRUE` : sql.fragment`lr.user_id IN (${teamSetQuery(actor)})`;
  return sql.fragment`(lr.user_id <> ${actor.userId} AND ${reach})`;
}

/** L5 visibility: the requester, whoever may resolve it, `leave.view_team` over the requester, `leave.view_org`. */
export function leaveVisibleTo(actor: Actor): FragmentSqlToken {
  return sql.fragment`(${inScope(actor, scopeOf(actor, 'leave'), sql.identifier(['lr', 'user_id']))} OR ${mayResolveLeave(actor)})`;
}
