import type { Request } from 'express';
import { findActor, type Actor } from '../auth/actor.ts';
import type { AccessTokens } from '../auth/tokens.ts';
import type { Db } from '../db/pool.ts';
import type { Clock } from '../lib/clock.ts';
import { forbidden, unauthorized } from './errors.ts';

const BEARER = /^bearer +([A-Za-z0-9._~+/=-]+) *$/i;

/** Bearer token from the Authorization header only (never query strings or cookies). */
export function bearerToken(req: Request): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  return BEARER.exec(header)?.[1] ?? null;
}

export interface AuthDeps {
  db: Db;
  clock: Clock;
  tokens: AccessTokens;
}

/** Verifies the access token and loads the live session + active user; any failure is the same 401. */
export async function authenticate(req: Request, deps: AuthDeps): Promise<Actor> {
  const token = bearerToken(req);
  if (!token) throw unauthorized();
  const now = deps.clock.now();
  const claims = deps.tokens.verify(token, now);
  if (!claims) throw unauthorized();
  const actor = await findActor(deps.db, claims.sub, claims.sid, now);
  if (!actor) throw unauthorized();
  return actor;
}

/** Memoized per request: the validator calls the security handler once per security requirement. */
export function actorOf(req: Request, deps: AuthDeps): Promise<Actor> {
  req.actorPromise ??= authenticate(req, deps).then((actor) => (req.actor = actor));
  return req.actorPromise;
}

/**
 * The validator's handler for `bearerAuth`: authenticates (401), then requires every permission key the
 * requirement lists as scopes (403). Several requirements on one operation mean any one suffices.
 */
export function bearerAuthHandler(deps: AuthDeps) {
  return async (req: Request, scopes: string[]): Promise<boolean> => {
    const actor = await actorOf(req, deps);
    if (!scopes.every((key) => actor.permissions.has(key))) throw forbidden();
    return true;
  };
}
