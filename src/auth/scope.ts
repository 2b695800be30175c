import { sql, type FragmentSqlToken, type IdentifierSqlToken } from 'slonik';
import type { Actor } from './actor.ts';
import { CHAIN_SCOPE_ROLES } from './permissions.ts';

/** Data scope (01 §4.3): own ⊂ team ⊂ org. */
export type Scope = 'own' | 'team' | 'org';

/** The widest scope the actor's keys give for a feature family: `<f>.view_org` → org, `<f>.view_team` → team, else own. */
export function scopeOf(actor: Actor, family: string): Scope {
  if (actor.permissions.has(`${family}.view_org`)) return 'org';
  if (actor.permissions.has(`${family}.view_team`)) return 'team';
  return 'own';
}

/** Users are the one family whose org key is named `view_all`. */
export function userScopeOf(actor: Actor): Scope {
  if (actor.permissions.has('users.view_all')) return 'org';
  if (actor.permissions.has('users.view_team')) return 'team';
  return 'own';
}

/**
 * The caller's team set, excluding the caller, as a subquery of user ids: the whole manager chain below
 * managers, HR and admins (any depth; UNION makes the walk cycle-safe), direct reports for everyone else.
 */
export function teamSetQuery(actor: Actor): FragmentSqlToken {
  if (CHAIN_SCOPE_ROLES.has(actor.role)) {
    return sql.fragment`
      WITH RECURSIVE team_set(id) AS (
        SELECT id FROM users WHERE manager_id = ${actor.userId}
        UNION
        SELECT u.id FROM users u JOIN team_set t ON u.manager_id = t.id
      )
      SELECT id FROM team_set WHERE id <> ${actor.userId}`;
  }
  return sql.fragment`SELECT id FROM users WHERE manager_id = ${actor.userId} AND id <> ${actor.userId}`;
}

/** `column` (a user id) lies within `scope` of the actor: the SQL side of every scope check. */
export function inScope(actor: Actor, scope: Scope, column: IdentifierSqlToken): FragmentSqlToken {
  switch (scope) {
    case 'org':
      return sql.fragment`TRUE`;
    case 'team':
      return sql.fragment`(${column} = ${actor.userId} OR ${column} IN (${teamSetQuery(actor)}))`;
    case 'own':
      return sql.fragment`${column} = ${actor.userId}`;
  }
}
