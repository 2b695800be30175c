import type { Request } from 'express';
import { recordAuditAlone } from '../audit/record.ts';
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
    if (!scopes.every((key) => actor.permissions.has(key))) {
      await auditRouteDenial(req, actor, deps);
      throw forbidden();
    }
    return true;
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const auditedDenials = new WeakSet<Request>();

/**
 * An operation whose contract names `x-denied-audit` records a caller refused by its route key (04 §4.6 denied rows)
 * in its own transaction — once per request, and only when no security alternative of the operation is satisfied.
 */
async function auditRouteDenial(req: Request, actor: Actor, deps: AuthDeps): Promise<void> {
  const operation = req.operation;
  const denied = operation?.deniedAudit;
  if (!operation || !denied || auditedDenials.has(req)) return;
  if (operation.security.some((keys) => keys.every((key) => actor.permissions.has(key)))) return;
  auditedDenials.add(req);
  const template = operation.path.split('/');
  const index = template.indexOf(`{${denied.pathParam}}`);
  const raw = index >= 0 ? req.path.split('/')[index] : undefined;
  let entityId: string | null = null;
  try {
    const decoded = raw === undefined ? null : decodeURIComponent(raw);
    entityId = decoded && UUID.test(decoded) ? decoded : null;
  } catch {
    entityId = null;
  }
  await recordAuditAlone(deps.db, {
    actor,
    action: denied.action,
    entityType: denied.entityType,
    entityId,
    outcome: 'denied',
    after: { reason: 'missing_permission', requiredKeys: operation.security },
    meta: req.meta,
  });
}
