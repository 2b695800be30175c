/** Who may read and act on which user record (01 §4.2), shared by the users and permissions services. */
import type { Actor } from '../../auth/actor.ts';
import { outranks, SUPER_ROLE, type Role } from '../../auth/permissions.ts';
import { inScope, userScopeOf } from '../../auth/scope.ts';
import { USER_ID } from './queries.ts';

export const isSuper = (actor: Actor): boolean => actor.role === SUPER_ROLE;

/** §4.2: a target ranked below the caller; the super role may act on any other user. */
export const mayActOn = (actor: Actor, targetRole: Role): boolean => isSuper(actor) || outranks(actor.role, targetRole);

/** The caller's read scope over `u.id` (out-of-scope users answer 404 like unknown ones). */
export const userReadScope = (actor: Actor) => inScope(actor, userScopeOf(actor), USER_ID);
