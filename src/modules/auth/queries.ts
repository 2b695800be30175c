import { sql } from 'slonik';
import { z } from 'zod';
import { ROLES } from '../../auth/permissions.ts';
import type { Queryable } from '../../db/pool.ts';
import { NoRows } from '../../db/sql.ts';

const UserStatus = z.enum(['invited', 'active', 'suspended', 'inactive']);

export const LoginUserRow = z.object({
  id: z.string(),
  email: z.string(),
  fullName: z.string(),
  role: z.enum(ROLES),
  status: UserStatus,
  passwordHash: z.string().nullable(),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  designation: z.string().nullable(),
  managerId: z.string().nullable(),
  avatarUrl: z.string().nullable(),
});
export type LoginUserRow = z.infer<typeof LoginUserRow>;

/** The user behind a login or forgot-password email (already lower-cased), with what UserSummary needs. */
export async function findUserByEmail(db: Queryable, email: string): Promise<LoginUserRow | null> {
  return db.maybeOne(sql.type(LoginUserRow)`
    SELECT u.id, u.email, u.full_name, u.role, u.status, u.password_hash, u.department_id, d.name AS department_name,
           u.designation, u.manager_id, u.avatar_url
    FROM users u LEFT JOIN departments d ON d.id = u.department_id
    WHERE u.email = ${email}`);
}

const Credentials = z.object({ id: z.string(), email: z.string(), fullName: z.string(), role: z.enum(ROLES), passwordHash: z.string().nullable() });
export type Credentials = z.infer<typeof Credentials>;

export async function findCredentials(db: Queryable, userId: string): Promise<Credentials | null> {
  return db.maybeOne(sql.type(Credentials)`SELECT id, email, full_name, role, password_hash FROM users WHERE id = ${userId}`);
}

const Id = z.object({ id: z.string() });

/** A new session (one per login: the token family), returning its id (the access token's `sid`). */
export async function insertSession(
  tx: Queryable,
  input: { userId: string; now: Date; absoluteExpiresAt: Date; userAgent: string | null; ip: string },
): Promise<string> {
  return tx.oneFirst(sql.type(Id)`
    INSERT INTO auth_sessions (user_id, created_at, absolute_expires_at, user_agent, ip_address)
    VALUES (${input.userId}, ${sql.timestamp(input.now)}, ${sql.timestamp(input.absoluteExpiresAt)},
            ${input.userAgent?.slice(0, 512) ?? null}, ${input.ip.slice(0, 64)})
    RETURNING id`);
}

export async function insertRefreshToken(
  tx: Queryable,
  input: { sessionId: string; tokenHash: string; issuedAt: Date; expiresAt: Date },
): Promise<string> {
  return tx.oneFirst(sql.type(Id)`
    INSERT INTO refresh_tokens (session_id, token_hash, issued_at, expires_at)
    VALUES (${input.sessionId}, ${input.tokenHash}, ${sql.timestamp(input.issuedAt)}, ${sql.timestamp(input.expiresAt)})
    RETURNING id`);
}

export async function setLastLogin(tx: Queryable, userId: string, now: Date): Promise<void> {
  await tx.query(sql.type(NoRows)`UPDATE users SET last_login_at = ${sql.timestamp(now)} WHERE id = ${userId}`);
}

export const RefreshTokenRow = z.object({
  id: z.string(),
  sessionId: z.string(),
  usedAt: z.date().nullable(),
  expiresAt: z.date(),
  sessionRevokedAt: z.date().nullable(),
  absoluteExpiresAt: z.date(),
  userId: z.string(),
  email: z.string(),
  fullName: z.string(),
  role: z.enum(ROLES),
  userStatus: UserStatus,
});
export type RefreshTokenRow = z.infer<typeof RefreshTokenRow>;

/** A refresh token by hash with its session and user (one indexed lookup). */
export async function findRefreshToken(db: Queryable, tokenHash: string): Promise<RefreshTokenRow | null> {
  return db.maybeOne(sql.type(RefreshTokenRow)`
    SELECT t.id, t.session_id, t.used_at, t.expires_at, s.revoked_at AS session_revoked_at, s.absolute_expires_at,
           u.id AS user_id, u.email, u.full_name, u.role, u.status AS user_status
    FROM refresh_tokens t
    JOIN auth_sessions s ON s.id = t.session_id
    JOIN users u ON u.id = s.user_id
    WHERE t.token_hash = ${tokenHash}`);
}

/**
 * Compare-and-set rotation: marks the token used only if nobody did before. The row lock makes concurrent
 * callers wait for the winner's commit and then find `used_at` set (0 rows = reuse).
 */
export async function claimRefreshToken(tx: Queryable, tokenId: string, now: Date): Promise<boolean> {
  const row = await tx.maybeOne(sql.type(Id)`
    UPDATE refresh_tokens SET used_at = ${sql.timestamp(now)} WHERE id = ${tokenId} AND used_at IS NULL RETURNING id`);
  return row !== null;
}

export async function linkReplacement(tx: Queryable, tokenId: string, replacedById: string): Promise<void> {
  await tx.query(sql.type(NoRows)`UPDATE refresh_tokens SET replaced_by_id = ${replacedById} WHERE id = ${tokenId}`);
}

const LiveSession = z.object({ absoluteExpiresAt: z.date() });

/** Records a refresh on a session that is still live; null when it was revoked or is past its absolute expiry. */
export async function touchLiveSession(tx: Queryable, sessionId: string, now: Date): Promise<{ absoluteExpiresAt: Date } | null> {
  return tx.maybeOne(sql.type(LiveSession)`
    UPDATE auth_sessions SET last_refreshed_at = ${sql.timestamp(now)}
    WHERE id = ${sessionId} AND revoked_at IS NULL AND absolute_expires_at > ${sql.timestamp(now)}
    RETURNING absolute_expires_at`);
}

export async function setPassword(tx: Queryable, userId: string, passwordHash: string, now: Date): Promise<void> {
  await tx.query(sql.type(NoRows)`
    UPDATE users SET password_hash = ${passwordHash}, password_changed_at = ${sql.timestamp(now)}, updated_at = ${sql.timestamp(now)}
    WHERE id = ${userId}`);
}

/** invited → active with the first password (A6); the WHERE re-checks the status under the row lock. */
export async function activateInvitedUser(tx: Queryable, userId: string, passwordHash: string, now: Date): Promise<boolean> {
  const row = await tx.maybeOne(sql.type(Id)`
    UPDATE users SET password_hash = ${passwordHash}, password_changed_at = ${sql.timestamp(now)}, status = 'active',
                     status_reason = NULL, status_changed_at = ${sql.timestamp(now)}, updated_at = ${sql.timestamp(now)}
    WHERE id = ${userId} AND status = 'invited'
    RETURNING id`);
  return row !== null;
}

export async function insertWsTicket(
  db: Queryable,
  input: { ticketHash: Buffer; userId: string; sessionId: string; issuedAt: Date; expiresAt: Date },
): Promise<void> {
  await db.query(sql.type(NoRows)`
    INSERT INTO ws_tickets (ticket_hash, user_id, session_id, issued_at, expires_at)
    VALUES (${sql.binary(input.ticketHash)}, ${input.userId}, ${input.sessionId}, ${sql.timestamp(input.issuedAt)}, ${sql.timestamp(input.expiresAt)})`);
}

const RateSlot = z.object({ counter: z.number(), windowStartedAt: z.date() });

/** A rate-limit key's current window, read without counting (for the RateLimit headers of an uncounted answer). */
export async function findRateLimitSlot(db: Queryable, scope: string, keyHash: string): Promise<z.infer<typeof RateSlot> | null> {
  return db.maybeOne(sql.type(RateSlot)`SELECT counter, window_started_at FROM auth_rate_limits WHERE scope = ${scope} AND key_hash = ${keyHash}`);
}
