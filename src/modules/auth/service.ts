/**
 * Authentication (01 §3.1 A1–A9, §4.5, §4.6): login, refresh rotation, logout, password reset, activation,
 * WebSocket tickets and password change. Rate-limited operations reserve their slots before any credential or
 * token check and refund them when the outcome does not count, so parallel requests never overshoot a limit.
 */
import { createHash } from 'node:crypto';
import { consumeAccountToken, invalidateAccountTokens, type AccountTokenKind } from '../../auth/account-tokens.ts';
import type { Actor } from '../../auth/actor.ts';
import { passwordPolicyViolation } from '../../auth/password-policy.ts';
import { hashPassword, verifyDummyPassword, verifyPassword } from '../../auth/passwords.ts';
import { RateLimiter, type RateRule, type Reservation } from '../../auth/rate-limit.ts';
import { revokeUserSessions } from '../../auth/sessions.ts';
import { randomToken, sha256Hex, type AccessTokens } from '../../auth/tokens.ts';
import { recordAudit, recordAuditAlone, type AuditActor } from '../../audit/record.ts';
import type { Config } from '../../config.ts';
import type { Db, Queryable } from '../../db/pool.ts';
import { AppError, forbidden, invalid, invalidMany, unauthorized, type ErrorDetail } from '../../http/errors.ts';
import type { RequestMeta } from '../../http/request-context.ts';
import type { Clock } from '../../lib/clock.ts';
import { toTokenPair, toUserSummary } from './dto.ts';
import { sendPasswordResetLink } from './password-reset.ts';
import {
  activateInvitedUser,
  claimRefreshToken,
  findCredentials,
  findRateLimitSlot,
  findRefreshToken,
  findUserByEmail,
  insertRefreshToken,
  insertSession,
  insertWsTicket,
  linkReplacement,
  setLastLogin,
  setPassword,
  touchLiveSession,
  type LoginUserRow,
  type RefreshTokenRow,
} from './queries.ts';
import { authRateRules } from './rate-rules.ts';

export const INVALID_CREDENTIALS = 'Invalid email or password.';
export const INVALID_REFRESH_TOKEN = 'Invalid or expired refresh token.';
export const INVALID_TOKEN = 'Invalid or expired token.';
export const SUSPENDED_MESSAGE = 'Account is suspended. Contact your administrator.';
export const DEACTIVATED_MESSAGE = 'Account is deactivated.';
export const RESET_REQUESTED_MESSAGE = 'If an account with this email exists, a reset link has been sent.';
export const WS_TICKET_TTL_SECONDS = 60 as const;
const DAY_MS = 86_400_000;

export interface AuthServiceDeps {
  db: Db;
  clock: Clock;
  config: Config;
  rateLimiter: RateLimiter;
  tokens: AccessTokens;
}

const normalizeEmail = (email: string) => email.trim().toLowerCase();
const auditActorOf = (user: { id: string; fullName: string; role: Actor['role'] }): AuditActor => ({
  userId: user.id,
  fullName: user.fullName,
  role: user.role,
});
const remainingOf = (headers: Record<string, string>) => Number(/remaining=(\d+)/.exec(headers.RateLimit ?? '')?.[1] ?? Number.MAX_SAFE_INTEGER);
/** The headers of the key with the fewest remaining requests: the one a client runs into first. */
const tightest = (all: Record<string, string>[]) => all.reduce((a, b) => (remainingOf(b) < remainingOf(a) ? b : a));
type RateKeys = [RateRule, string][];
/** A refresh token that is neither expired nor in a revoked or expired session of a user who is still active (`usedAt` aside: reuse is handled apart). */
const isUsable = (token: RefreshTokenRow, now: Date) =>
  token.expiresAt > now && token.sessionRevokedAt === null && token.absoluteExpiresAt > now && token.userStatus === 'active';

export function createAuthService(deps: AuthServiceDeps) {
  const { db, clock, config, rateLimiter, tokens } = deps;
  const rules = authRateRules(config.rateLimits);

  /**
   * Reserves one slot on every key (all or nothing: a refused key gives the earlier slots back, since refused
   * requests are not counted) and puts the tightest key's headers on the response whatever the outcome.
   * @throws AppError 429 when a key is full.
   */
  async function reserveAll(meta: RequestMeta, keys: RateKeys): Promise<Reservation[]> {
    const reserved: Reservation[] = [];
    try {
      for (const [rule, key] of keys) reserved.push(await rateLimiter.reserve(rule, key));
    } catch (error) {
      await Promise.all(reserved.map((r) => r.refund()));
      throw error;
    }
    Object.assign(meta.responseHeaders, tightest(reserved.map((r) => r.headers)));
    return reserved;
  }

  /** Sets the RateLimit headers from the keys' current state without counting (answers given before or after a refund). */
  async function describeLimits(meta: RequestMeta, keys: RateKeys): Promise<void> {
    const now = clock.now();
    const headers = await Promise.all(
      keys.map(async ([rule, key]) => {
        const slot = await findRateLimitSlot(db, rule.scope, RateLimiter.keyHash(rule, key));
        const open = slot !== null && slot.windowStartedAt.getTime() + rule.windowSeconds * 1000 > now.getTime();
        return RateLimiter.headers(rule, open ? slot.counter : 0, open ? slot.windowStartedAt : now, now);
      }),
    );
    Object.assign(meta.responseHeaders, tightest(headers));
  }

  /**
   * Runs `work` on reserved slots; refunds them unless it failed with an outcome that counts (`counts(error)`),
   * then reports the keys' state after the refund.
   */
  async function refundUnless<T>(meta: RequestMeta, keys: RateKeys, slots: Reservation[], counts: (error: unknown) => boolean, work: () => Promise<T>): Promise<T> {
    const refund = async () => {
      await Promise.all(slots.map((s) => s.refund()));
      await describeLimits(meta, keys);
    };
    try {
      const result = await work();
      await refund();
      return result;
    } catch (error) {
      if (!counts(error)) await refund();
      throw error;
    }
  }

  const isTokenError = (error: unknown) => error instanceof AppError && error.details.some((d) => d.field === 'body.token');

  async function auditLoginFailed(user: LoginUserRow, reason: 'bad_password' | 'suspended' | 'inactive' | 'no_password', meta: RequestMeta) {
    await recordAuditAlone(db, {
      actor: null,
      action: 'auth.login_failed',
      entityType: 'user',
      entityId: user.id,
      entityLabel: user.email,
      outcome: 'denied',
      after: { reason },
      meta,
    });
  }

  /** Revokes the session of a reused (already rotated) refresh token and records it (01 A2). */
  async function revokeForReuse(token: RefreshTokenRow, meta: RequestMeta): Promise<void> {
    const now = clock.now();
    await db.transaction(async (tx) => {
      const revoked = await revokeUserSessions(tx, token.userId, 'reuse_detected', now, { onlySessionIds: [token.sessionId] });
      if (revoked.length === 0) return;
      await recordAudit(tx, {
        actor: null,
        action: 'auth.refresh_reuse_detected',
        entityType: 'user',
        entityId: token.userId,
        entityLabel: token.email,
        metadata: { sessionId: token.sessionId },
        meta,
      });
    });
  }

  /** The token pair for a session, signed now. */
  function issuePair(user: { id: string; role: Actor['role'] }, sessionId: string, refreshToken: string) {
    const access = tokens.sign({ sub: user.id, sid: sessionId, role: user.role }, clock.now());
    return toTokenPair(access, refreshToken, tokens.lifetimeSeconds);
  }

  const refreshExpiry = (now: Date, absoluteExpiresAt: Date) =>
    new Date(Math.min(now.getTime() + config.refreshTokenDays * DAY_MS, absoluteExpiresAt.getTime()));

  /**
   * Shared by A5 and A6: validate the password (generic rules first, not counted), count the attempt on the IP
   * key, consume the token and apply `effect` in one transaction. A password equal to the token owner's email is
   * refused after the token lookup, in the rolled-back transaction (the token stays usable, nothing counts).
   */
  async function setPasswordWithToken(
    kind: AccountTokenKind,
    rule: RateRule,
    input: { token: string; password: string; field: string },
    meta: RequestMeta,
    effect: (tx: Queryable, user: { id: string; email: string; fullName: string; role: Actor['role'] }, passwordHash: string, now: Date) => Promise<void>,
  ): Promise<void> {
    const keys: RateKeys = [[rule, meta.ip]];
    const violation = passwordPolicyViolation(input.password, '');
    if (violation) {
      await describeLimits(meta, keys);
      throw invalid(input.field, violation);
    }
    const slots = await reserveAll(meta, keys);
    await refundUnless(meta, keys, slots, isTokenError, async () => {
      const passwordHash = await hashPassword(input.password);
      const now = clock.now();
      await db.transaction(async (tx) => {
        const consumed = await consumeAccountToken(tx, kind, input.token, now);
        if (!consumed) throw invalid('body.token', INVALID_TOKEN);
        const user = await findCredentials(tx, consumed.userId);
        if (!user) throw invalid('body.token', INVALID_TOKEN);
        const personal = passwordPolicyViolation(input.password, user.email);
        if (personal) throw invalid(input.field, personal);
        await effect(tx, user, passwordHash, now);
      });
    });
  }

  return {
    /**
     * A1. Lock first (429), then credentials: unknown email, no password and wrong password are the same 401;
     * suspended/inactive are 403 only after the password verified.
     * @throws AppError 429, 401, 403
     */
    async login(input: { email: string; password: string }, meta: RequestMeta) {
      const email = normalizeEmail(input.email);
      const keys: RateKeys = [
        [rules.loginIp, meta.ip],
        [rules.loginEmail, email],
      ];
      const [ipSlot] = await reserveAll(meta, keys);
      const user = await findUserByEmail(db, email);
      if (!user || user.passwordHash === null) {
        await verifyDummyPassword(input.password);
        if (user) await auditLoginFailed(user, 'no_password', meta);
        throw unauthorized(INVALID_CREDENTIALS);
      }
      if (!(await verifyPassword(user.passwordHash, input.password))) {
        await auditLoginFailed(user, 'bad_password', meta);
        throw unauthorized(INVALID_CREDENTIALS);
      }
      if (user.status === 'suspended') {
        await auditLoginFailed(user, 'suspended', meta);
        throw forbidden(SUSPENDED_MESSAGE);
      }
      if (user.status === 'inactive') {
        await auditLoginFailed(user, 'inactive', meta);
        throw forbidden(DEACTIVATED_MESSAGE);
      }
      if (user.status !== 'active') {
        await auditLoginFailed(user, 'no_password', meta);
        throw unauthorized(INVALID_CREDENTIALS);
      }

      const now = clock.now();
      const refreshToken = randomToken();
      const sessionId = await db.transaction(async (tx) => {
        const absoluteExpiresAt = new Date(now.getTime() + config.refreshTokenAbsoluteDays * DAY_MS);
        const id = await insertSession(tx, { userId: user.id, now, absoluteExpiresAt, userAgent: meta.userAgent, ip: meta.ip });
        await insertRefreshToken(tx, { sessionId: id, tokenHash: sha256Hex(refreshToken), issuedAt: now, expiresAt: refreshExpiry(now, absoluteExpiresAt) });
        await setLastLogin(tx, user.id, now);
        await recordAudit(tx, {
          actor: auditActorOf(user),
          action: 'auth.login',
          entityType: 'user',
          entityId: user.id,
          entityLabel: user.email,
          after: { role: user.role },
          metadata: { sessionId: id },
          meta,
        });
        return id;
      });
      // A success does not count on the IP key and clears the email key (01 §4.6).
      await ipSlot!.refund();
      await rateLimiter.reset(rules.loginEmail, email);
      await describeLimits(meta, keys);
      return { ...issuePair(user, sessionId, refreshToken), user: toUserSummary(user) };
    },

    /**
     * A2. Rotation by compare-and-set on `used_at`: of concurrent refreshes with one token exactly one wins;
     * the others are reuse and revoke the session.
     * @throws AppError 401 `Invalid or expired refresh token.`
     */
    async refresh(rawToken: string, meta: RequestMeta) {
      const now = clock.now();
      const token = await findRefreshToken(db, sha256Hex(rawToken));
      if (!token) throw unauthorized(INVALID_REFRESH_TOKEN);
      if (token.usedAt !== null) {
        await revokeForReuse(token, meta);
        throw unauthorized(INVALID_REFRESH_TOKEN);
      }
      if (!isUsable(token, now)) throw unauthorized(INVALID_REFRESH_TOKEN);
      const next = randomToken();
      const rotated = await db.transaction(async (tx) => {
        if (!(await claimRefreshToken(tx, token.id, now))) return false;
        const session = await touchLiveSession(tx, token.sessionId, now);
        if (!session) throw unauthorized(INVALID_REFRESH_TOKEN);
        const nextId = await insertRefreshToken(tx, {
          sessionId: token.sessionId,
          tokenHash: sha256Hex(next),
          issuedAt: now,
          expiresAt: refreshExpiry(now, session.absoluteExpiresAt),
        });
        await linkReplacement(tx, token.id, nextId);
        return true;
      });
      if (!rotated) {
        await revokeForReuse(token, meta);
        throw unauthorized(INVALID_REFRESH_TOKEN);
      }
      return issuePair({ id: token.userId, role: token.role }, token.sessionId, next);
    },

    /**
     * A3. Credentials: the access token (`actor`) and/or a live refresh token; a refresh token of another user
     * than the access token's is ignored.
     * @throws AppError 401 when neither credential is valid.
     */
    async logout(actor: Actor | null, body: { refreshToken?: string; allSessions?: boolean }, meta: RequestMeta): Promise<void> {
      const now = clock.now();
      let user: { id: string; fullName: string; role: Actor['role']; email: string } | null = actor
        ? { id: actor.userId, fullName: actor.fullName, role: actor.role, email: actor.email }
        : null;
      const sessionIds = actor ? [actor.sessionId] : [];
      if (body.refreshToken !== undefined) {
        const token = await findRefreshToken(db, sha256Hex(body.refreshToken));
        if (token !== null && token.usedAt === null && isUsable(token, now)) {
          user ??= { id: token.userId, fullName: token.fullName, role: token.role, email: token.email };
          if (token.userId === user.id) sessionIds.push(token.sessionId);
        }
      }
      if (!user) throw unauthorized();
      const owner = user;
      const allSessions = body.allSessions === true;
      await db.transaction(async (tx) => {
        const revoked = allSessions
          ? await revokeUserSessions(tx, owner.id, 'logout_all', now)
          : await revokeUserSessions(tx, owner.id, 'logout', now, { onlySessionIds: sessionIds });
        await recordAudit(tx, {
          actor: auditActorOf(owner),
          action: 'auth.logout',
          entityType: 'user',
          entityId: owner.id,
          entityLabel: owner.email,
          after: { allSessions },
          metadata: { sessionIds: revoked },
          meta,
        });
      });
    },

    /**
     * A4. The same answer for every email; only an active user gets a (newest-only) reset token and an email.
     * @throws AppError 429
     */
    async requestPasswordReset(rawEmail: string, meta: RequestMeta): Promise<{ message: typeof RESET_REQUESTED_MESSAGE; debugToken?: string }> {
      const email = normalizeEmail(rawEmail);
      await reserveAll(meta, [
        [rules.forgotIp, meta.ip],
        [rules.forgotEmail, email],
      ]);
      const user = await findUserByEmail(db, email);
      if (!user || user.status !== 'active') return { message: RESET_REQUESTED_MESSAGE };
      const now = clock.now();
      const raw = await db.transaction(async (tx) => {
        const { token } = await sendPasswordResetLink(tx, config, user, meta.ip, now);
        await recordAudit(tx, { actor: null, action: 'auth.password_reset_requested', entityType: 'user', entityId: user.id, entityLabel: user.email, meta });
        return token;
      });
      return config.isNonProduction ? { message: RESET_REQUESTED_MESSAGE, debugToken: raw } : { message: RESET_REQUESTED_MESSAGE };
    },

    /**
     * A5. Policy first (not counted), then the token (counted on `reset:ip`); revokes every session.
     * @throws AppError 422 `body.newPassword` / `body.token`, 429
     */
    async resetPassword(input: { token: string; newPassword: string }, meta: RequestMeta): Promise<void> {
      await setPasswordWithToken('password_reset', rules.resetIp, { token: input.token, password: input.newPassword, field: 'body.newPassword' }, meta, async (tx, user, passwordHash, now) => {
        await setPassword(tx, user.id, passwordHash, now);
        await invalidateAccountTokens(tx, 'password_reset', user.id, now);
        const revoked = await revokeUserSessions(tx, user.id, 'password_reset', now);
        await recordAudit(tx, {
          actor: null,
          action: 'auth.password_reset_completed',
          entityType: 'user',
          entityId: user.id,
          entityLabel: user.email,
          metadata: { revokedSessions: revoked.length },
          meta,
        });
      });
    },

    /**
     * A6. Policy first, then the invitation (counted on `activate:ip`); the user becomes active.
     * @throws AppError 422 `body.password` / `body.token`, 429
     */
    async activateAccount(input: { token: string; password: string }, meta: RequestMeta): Promise<void> {
      await setPasswordWithToken('invitation', rules.activateIp, { token: input.token, password: input.password, field: 'body.password' }, meta, async (tx, user, passwordHash, now) => {
        if (!(await activateInvitedUser(tx, user.id, passwordHash, now))) throw invalid('body.token', INVALID_TOKEN);
        await invalidateAccountTokens(tx, 'invitation', user.id, now);
        await recordAudit(tx, {
          actor: null,
          action: 'auth.account_activated',
          entityType: 'user',
          entityId: user.id,
          entityLabel: user.email,
          before: { status: 'invited' },
          after: { status: 'active' },
          meta,
        });
      });
    },

    /** A7. The caller's effective permissions, sorted. */
    myPermissions(actor: Actor) {
      return { userId: actor.userId, role: actor.role, permissions: [...actor.permissions].sort() };
    },

    /**
     * A8. A single-use ticket bound to the caller's user and session; only its SHA-256 is stored.
     * @throws AppError 429
     */
    async issueWsTicket(actor: Actor, meta: RequestMeta): Promise<{ ticket: string; expiresInSeconds: typeof WS_TICKET_TTL_SECONDS }> {
      await reserveAll(meta, [[rules.wsTicket, actor.userId]]);
      const ticket = randomToken();
      const now = clock.now();
      await insertWsTicket(db, {
        ticketHash: createHash('sha256').update(ticket, 'utf8').digest(),
        userId: actor.userId,
        sessionId: actor.sessionId,
        issuedAt: now,
        expiresAt: new Date(now.getTime() + WS_TICKET_TTL_SECONDS * 1000),
      });
      return { ticket, expiresInSeconds: WS_TICKET_TTL_SECONDS };
    },

    /**
     * A9. A wrong current password counts on `password_change:user`; nothing else does. Revokes every other
     * session and invalidates pending reset tokens.
     * @throws AppError 422 `body.currentPassword` / `body.confirmPassword` / `body.newPassword`, 429
     */
    async changeMyPassword(actor: Actor, input: { currentPassword: string; newPassword: string; confirmPassword: string }, meta: RequestMeta): Promise<void> {
      const keys: RateKeys = [[rules.passwordChange, actor.userId]];
      const slots = await reserveAll(meta, keys);
      const user = await findCredentials(db, actor.userId);
      if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
        throw invalid('body.currentPassword', 'is incorrect');
      }
      await refundUnless(meta, keys, slots, () => false, async () => {
        const details: ErrorDetail[] = [];
        if (input.confirmPassword !== input.newPassword) details.push({ field: 'body.confirmPassword', message: 'must equal newPassword' });
        const violation =
          passwordPolicyViolation(input.newPassword, user.email) ?? (input.newPassword === input.currentPassword ? 'must differ from current password' : null);
        if (violation) details.push({ field: 'body.newPassword', message: violation });
        if (details.length > 0) throw invalidMany(details);
        const passwordHash = await hashPassword(input.newPassword);
        const now = clock.now();
        await db.transaction(async (tx) => {
          await setPassword(tx, actor.userId, passwordHash, now);
          await invalidateAccountTokens(tx, 'password_reset', actor.userId, now);
          const revoked = await revokeUserSessions(tx, actor.userId, 'password_changed', now, { exceptSessionId: actor.sessionId });
          await recordAudit(tx, {
            actor,
            action: 'auth.password_changed',
            entityType: 'user',
            entityId: actor.userId,
            entityLabel: actor.email,
            metadata: { revokedSessions: revoked.length },
            meta,
          });
        });
      });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
