import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import { NoRows } from '../db/sql.ts';
import { randomToken, sha256Hex } from './tokens.ts';

/** Single-use, hashed, newest-only tokens that prove control of an inbox (01 §2.4, §4.5). */
export type AccountTokenKind = 'password_reset' | 'invitation';

const TABLE = {
  password_reset: sql.identifier(['password_reset_tokens']),
  invitation: sql.identifier(['account_invitations']),
} as const;

/** The status a user must still be in for the token to be valid. */
const REQUIRED_STATUS = { password_reset: 'active', invitation: 'invited' } as const;

/**
 * Invalidates the user's older tokens of this kind and issues a new one.
 * @returns the raw token (it exists only in the email and, in development/test, `debugToken`).
 */
export async function issueAccountToken(
  tx: Queryable,
  kind: AccountTokenKind,
  userId: string,
  now: Date,
  ttlMs: number,
  extra: { createdById?: string | null; requestedIp?: string | null } = {},
): Promise<string> {
  await invalidateAccountTokens(tx, kind, userId, now);
  const raw = randomToken();
  const expiresAt = sql.timestamp(new Date(now.getTime() + ttlMs));
  if (kind === 'invitation') {
    await tx.query(sql.type(NoRows)`
      INSERT INTO account_invitations (user_id, token_hash, expires_at, created_by_id, created_at)
      VALUES (${userId}, ${sha256Hex(raw)}, ${expiresAt}, ${extra.createdById ?? null}, ${sql.timestamp(now)})`);
  } else {
    await tx.query(sql.type(NoRows)`
      INSERT INTO password_reset_tokens (user_id, token_hash, expires_at, requested_ip, created_at)
      VALUES (${userId}, ${sha256Hex(raw)}, ${expiresAt}, ${extra.requestedIp ?? null}, ${sql.timestamp(now)})`);
  }
  return raw;
}

/** Marks every pending token of this kind for the user as invalidated (superseded, email changed, status left). */
export async function invalidateAccountTokens(tx: Queryable, kind: AccountTokenKind, userId: string, now: Date): Promise<void> {
  await tx.query(sql.type(NoRows)`
    UPDATE ${TABLE[kind]} SET invalidated_at = ${sql.timestamp(now)}
    WHERE user_id = ${userId} AND used_at IS NULL AND invalidated_at IS NULL`);
}

const Consumed = z.object({ id: z.string(), userId: z.string() });

/**
 * Atomically consumes a valid token (hash match, unused, not invalidated, unexpired, user still in the required
 * status). The row lock decides races: of two consumers exactly one gets the row, and a status change that
 * invalidates the token first makes the consumer's re-checked WHERE fail.
 * @returns the token and user ids, or null when the token is not valid (callers answer 422 `body.token`).
 */
export async function consumeAccountToken(tx: Queryable, kind: AccountTokenKind, rawToken: string, now: Date): Promise<{ id: string; userId: string } | null> {
  return tx.maybeOne(sql.type(Consumed)`
    UPDATE ${TABLE[kind]} t SET used_at = ${sql.timestamp(now)}
    FROM users u
    WHERE t.token_hash = ${sha256Hex(rawToken)} AND t.used_at IS NULL AND t.invalidated_at IS NULL
      AND t.expires_at > ${sql.timestamp(now)} AND u.id = t.user_id AND u.status = ${REQUIRED_STATUS[kind]}
    RETURNING t.id, t.user_id`);
}
