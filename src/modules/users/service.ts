/**
 * Users (01 §3.2 U1–U15; §4.1–§4.4, §4.7): read scope in SQL, rank and field authority, the status machine,
 * the last-admin guard, reporting lines, invitation and reset emails. Every change is audited in its transaction
 * (04 §4.6); denied record edits are audited alone.
 */
import type { components, operations } from '../../../generated/sdk/src/schema.ts';
import { invalidateAccountTokens, issueAccountToken } from '../../auth/account-tokens.ts';
import type { Actor } from '../../auth/actor.ts';
import { passwordPolicyViolation } from '../../auth/password-policy.ts';
import { hashPassword } from '../../auth/passwords.ts';
import {
  CREATABLE_ROLES,
  isManagementRole,
  MANAGER_REINVITABLE_ROLES,
  outranks,
  SUPER_ROLE,
  type Role,
} from '../../auth/permissions.ts';
import type { RateLimiter, RateRule } from '../../auth/rate-limit.ts';
import { teamSetQuery } from '../../auth/scope.ts';
import { revokeUserSessions } from '../../auth/sessions.ts';
import { changedFields } from '../../audit/changes.ts';
import { recordAudit, recordAuditAlone, type AuditEntry } from '../../audit/record.ts';
import type { Config } from '../../config.ts';
import type { Db, Queryable } from '../../db/pool.ts';
import { enqueueEmail, type EmailDisposition } from '../../email/outbox.ts';
import { invitationEmail } from '../../email/templates.ts';
import { AppError, conflict, forbidden, invalid, notFound } from '../../http/errors.ts';
import type { RequestMeta } from '../../http/request-context.ts';
import type { Clock } from '../../lib/clock.ts';
import { pageWindow, toPage } from '../../lib/page.ts';
import { publishEvent } from '../../realtime/outbox.ts';
import { clearDepartmentHead, findDepartmentRef } from '../departments/queries.ts';
import { findShiftRef } from '../attendance/calendar.ts';
import { closeActiveSessionForAccount } from '../attendance/session-close.ts';
import { sendPasswordResetLink } from '../auth/password-reset.ts';
// Overrides belong to the permissions module, but a role change clears them in the users transaction (U9).
import { deleteOverrides } from '../permissions/queries.ts';
import { isSuper, mayActOn, userReadScope } from './access.ts';
import { toDirectoryEntryDto, toUserDto, type UserDto, type Visibility } from './dto.ts';
import {
  countOpenDirectReports,
  directReportsOf,
  EDITABLE_FIELDS,
  emailInUse,
  findUserInScope,
  findTargetInScope,
  findUserRef,
  getUserById,
  insertUser,
  listDirectory,
  listUsers,
  lockActiveAdmins,
  lockReportingLines,
  lockUserInScope,
  managerChainReaches,
  memberOf,
  updateUserFields,
  updateUserRole,
  updateUserStatus,
  type EditableField,
  type TargetRow,
  type UserFilters,
  type UserStatus,
} from './queries.ts';

type Schemas = components['schemas'];
type CreateUserInput = Schemas['CreateUserRequest'];
type UpdateUserInput = Schemas['UpdateUserRequest'];
type UpdateProfileInput = Schemas['UpdateMyProfileRequest'];
type ListQuery = NonNullable<operations['listMyTeam']['parameters']['query']>;
type DirectoryQuery = NonNullable<operations['listDirectory']['parameters']['query']>;
export type StatusTarget = Schemas['ChangeUserStatusRequest']['status'];

/** U14 + U15 share one counter per target user (01 §4.6). */
export const ACCOUNT_EMAIL_RULE: RateRule = { scope: 'account_email:user', max: 3, windowSeconds: 300 };

/** The key each transition of the status machine needs (01 §4.1); a missing entry is a 409. */
const TRANSITION_KEYS: Record<UserStatus, Partial<Record<StatusTarget, string>>> = {
  invited: { inactive: 'users.deactivate' },
  active: { suspended: 'users.suspend', inactive: 'users.deactivate' },
  suspended: { active: 'users.suspend', inactive: 'users.deactivate' },
  inactive: { active: 'users.deactivate' },
};

/** Fields anyone may change on their own record (U4, U8 self). */
const OWN_PROFILE_FIELDS: ReadonlySet<EditableField> = new Set(['fullName', 'phone', 'avatarUrl']);
/** A denied edit touching one of these is audited (`user.update_denied`): the account-takeover fields (01 §6 item 1). */
const SENSITIVE_FIELDS: ReadonlySet<EditableField> = new Set(['email', 'designation', 'departmentId', 'managerId']);

export interface UsersServiceDeps {
  db: Db;
  clock: Clock;
  config: Config;
  rateLimiter: RateLimiter;
}

/** A refusal whose audit row must be written after the transaction rolled back (04 §4.6: denied attempts stand alone). */
class DeniedAttempt extends Error {
  constructor(
    readonly error: AppError,
    readonly audit: AuditEntry | null,
  ) {
    super(error.message);
  }
}

const visibilityOf = (actor: Actor): Visibility => ({ orgWide: actor.permissions.has('users.view_all') });

/** Trimmed required free text; blank after trim is a 422 on the field. */
function requiredText(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw invalid(field, 'must not be blank');
  return trimmed;
}

/** Trimmed optional free text; blank after trim clears it. */
function optionalText(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** The cleaned own-profile fields present in a U4 or U8 body (U8 adds the rest). */
function profileFields(input: UpdateProfileInput): Partial<Record<EditableField, string | null>> {
  const next: Partial<Record<EditableField, string | null>> = {};
  if (input.fullName !== undefined) next.fullName = requiredText(input.fullName, 'body.fullName');
  if (input.phone !== undefined) next.phone = optionalText(input.phone) ?? null;
  if (input.avatarUrl !== undefined) next.avatarUrl = input.avatarUrl;
  return next;
}

export function createUsersService(deps: UsersServiceDeps) {
  const { db, clock, config, rateLimiter } = deps;
  const smtpEnabled = config.smtp.host !== null;
  const debugToken = (token: string) => (config.isNonProduction ? { debugToken: token } : {});

  /** New invitation (older ones invalidated) and its email, in the caller's transaction. */
  async function sendInvitation(
    tx: Queryable,
    user: { id: string; email: string; fullName: string },
    invitedById: string,
    now: Date,
  ): Promise<{ disposition: EmailDisposition; token: string }> {
    const token = await issueAccountToken(tx, 'invitation', user.id, now, config.invitationTtlHours * 3_600_000, { createdById: invitedById });
    const link = `${config.frontendBaseUrl ?? ''}/activate?token=${token}`;
    const email = invitationEmail({ fullName: user.fullName, link, expiresInHours: config.invitationTtlHours });
    return { disposition: await enqueueEmail(tx, user.email, email, smtpEnabled), token };
  }

  /** Clears the user as department head (04 §3.4); returns the `department.head_cleared` audit rows (actor null). */
  async function clearHeadships(tx: Queryable, userId: string, now: Date, meta: RequestMeta): Promise<AuditEntry[]> {
    const cleared = await clearDepartmentHead(tx, userId, now);
    return cleared.map((department) => ({
      actor: null,
      action: 'department.head_cleared',
      entityType: 'department',
      entityId: department.id,
      entityLabel: department.name,
      before: { headUserId: userId },
      after: { headUserId: null },
      meta,
    }));
  }

  /**
   * §4.4: an active user with a management role, not the user, not below the user in the chain.
   * @throws AppError 422 `body.managerId`.
   */
  async function assertValidManager(tx: Queryable, userId: string | null, managerId: string): Promise<void> {
    if (userId !== null && managerId === userId) throw invalid('body.managerId', 'must not be the user');
    const manager = await findUserRef(tx, managerId);
    if (!manager) throw invalid('body.managerId', 'does not reference a user');
    if (manager.status !== 'active') throw invalid('body.managerId', 'must be an active user');
    if (!isManagementRole(manager.role)) throw invalid('body.managerId', 'must have a management role');
    if (userId !== null && (await managerChainReaches(tx, managerId, userId))) {
      throw invalid('body.managerId', 'would create a cycle in the reporting line');
    }
  }

  /** @throws AppError 409 `body.email` when another user has the (lower-cased) email. */
  async function assertEmailFree(tx: Queryable, email: string, exceptUserId: string | null): Promise<void> {
    if (await emailInUse(tx, email, exceptUserId)) {
      throw conflict('A user with this email already exists.', [{ field: 'body.email', message: 'is already in use' }]);
    }
  }

  /** @throws AppError 422 `body.departmentId` for an unknown or inactive department. */
  async function assertValidDepartment(tx: Queryable, departmentId: string): Promise<void> {
    const department = await findDepartmentRef(tx, departmentId);
    if (!department) throw invalid('body.departmentId', 'does not reference a department');
    if (!department.isActive) throw invalid('body.departmentId', 'must be an active department');
  }

  /** @throws AppError 422 `body.shiftId` for an unknown or inactive shift. */
  async function assertValidShift(tx: Queryable, shiftId: string): Promise<void> {
    const shift = await findShiftRef(tx, shiftId);
    if (!shift) throw invalid('body.shiftId', 'does not reference a shift');
    if (!shift.isActive) throw invalid('body.shiftId', 'must be an active shift');
  }

  /**
   * U14/U15 shape: `check` runs on a plain read (404/403/409), then the target's `account_email:user` slot is
   * reserved — last in the order of checks (01 §3.4), and outside any transaction because the limiter commits on its
   * own connection — then `check` runs again on the locked row inside the transaction that does the work. The slot
   * is given back if anything after the reservation fails.
   */
  async function withAccountEmailSlot<T>(
    actor: Actor,
    userId: string,
    meta: RequestMeta,
    check: (target: TargetRow | null) => TargetRow,
    work: (tx: Queryable, target: TargetRow) => Promise<T>,
  ): Promise<T> {
    const target = check(await findTargetInScope(db, userId, userReadScope(actor)));
    const reservation = await rateLimiter.reserve(ACCOUNT_EMAIL_RULE, target.id);
    Object.assign(meta.responseHeaders, reservation.headers);
    try {
      return await db.transaction(async (tx) => work(tx, check(await lockUserInScope(tx, userId, userReadScope(actor)))));
    } catch (error) {
      await reservation.refund();
      throw error;
    }
  }

  async function listPage(actor: Actor, visible: ReturnType<typeof memberOf>, query: ListQuery) {
    const filters: UserFilters = {
      q: query.q,
      role: query.role,
      status: query.status,
      managerId: query.managerId,
      departmentId: query.departmentId,
      shiftId: query.shiftId,
    };
    const page = pageWindow(query);
    const { rows, total } = await listUsers(db, visible, filters, query.sort ?? 'fullName', page);
    const visibility = visibilityOf(actor);
    return toPage(rows, total, (row) => toUserDto(row, visibility), page);
  }

  /** The shared body of U10–U13. */
  async function changeStatus(actor: Actor, userId: string, to: StatusTarget, reasonInput: string | null | undefined, meta: RequestMeta): Promise<UserDto> {
    const reason = to === 'active' ? null : (optionalText(reasonInput) ?? null);
    const now = clock.now();
    return db.transaction(async (tx) => {
      const { target, activeAdmins } = await lockAccountChange(tx, actor, userId, 'status');
      if (!mayActOn(actor, target.role)) throw forbidden('You may not change the status of this user.');
      const key = TRANSITION_KEYS[target.status][to];
      if (key !== undefined && !actor.permissions.has(key)) throw forbidden(`Changing a user from ${target.status} to ${to} requires ${key}.`);
      if (target.status === to) throw conflict(`The user is already ${to}.`);
      if (key === undefined) {
        throw conflict(
          target.status === 'invited' && to === 'active'
            ? 'An invited user becomes active only by activating the account.'
            : `A user cannot go from ${target.status} to ${to}.`,
        );
      }
      if (isLastActiveAdmin(target, activeAdmins)) throw conflict('At least one active admin must remain.');

      const audits: AuditEntry[] = [];
      let newStatus: UserStatus = to;
      if (to === 'suspended' || to === 'inactive') {
        await updateUserStatus(tx, target.id, to, reason, now);
        await revokeUserSessions(tx, target.id, 'status_changed', now);
        await invalidateAccountTokens(tx, 'password_reset', target.id, now);
        await invalidateAccountTokens(tx, 'invitation', target.id, now);
        await closeActiveSessionForAccount(tx, target.id, now, config);
        audits.push(...(await clearHeadships(tx, target.id, now, meta)));
      } else if (target.status === 'inactive' && !target.hasPassword) {
        // Never activated: back to invited with a fresh invitation (01 §4.1).
        newStatus = 'invited';
        await updateUserStatus(tx, target.id, 'invited', null, now);
        await sendInvitation(tx, target, actor.userId, now);
      } else {
        await updateUserStatus(tx, target.id, 'active', null, now);
      }
      const user = await getUserById(tx, target.id);
      await recordAudit(tx, {
        actor,
        action: 'user.status_changed',
        entityType: 'user',
        entityId: target.id,
        entityLabel: target.fullName,
        before: { status: target.status },
        after: { status: newStatus, reason },
        meta,
      });
      for (const entry of audits) await recordAudit(tx, entry);
      return toUserDto(user, visibilityOf(actor));
    });
  }

  /**
   * The start of U9 and U10–U13: locks the active admins (for the last-admin guard), then the target within the
   * caller's read scope — always in this order, so concurrent role and status changes queue instead of deadlocking.
   * @throws AppError 404 out of scope; 403 on the caller's own record.
   */
  async function lockAccountChange(
    tx: Queryable,
    actor: Actor,
    userId: string,
    what: 'role' | 'status',
  ): Promise<{ target: TargetRow; activeAdmins: string[] }> {
    const activeAdmins = await lockActiveAdmins(tx, SUPER_ROLE);
    const target = await lockUserInScope(tx, userId, userReadScope(actor));
    if (!target) throw notFound();
    if (target.id === actor.userId) throw forbidden(`You cannot change your own ${what}.`);
    return { target, activeAdmins };
  }

  /** §4.1 last-admin guard over the locked set of active admins. */
  function isLastActiveAdmin(target: TargetRow, activeAdmins: readonly string[]): boolean {
    return target.role === SUPER_ROLE && target.status === 'active' && activeAdmins.every((id) => id === target.id);
  }

  return {
    /** U1: rows within the caller's read scope, filtered and sorted. */
    async listUsers(actor: Actor, query: ListQuery) {
      return listPage(actor, userReadScope(actor), query);
    },

    /** U5: the caller's team set without the caller; `directOnly` → direct reports. */
    async listMyTeam(actor: Actor, query: ListQuery & { directOnly?: boolean }) {
      const visible = query.directOnly ? directReportsOf(actor.userId) : memberOf(teamSetQuery(actor));
      return listPage(actor, visible, query);
    },

    /** U6: active users; org-wide for `users.view_all`, else the caller's circle. */
    async listDirectory(actor: Actor, query: DirectoryQuery) {
      const visibility = visibilityOf(actor);
      const page = pageWindow(query);
      const { rows, total } = await listDirectory(db, actor.userId, visibility.orgWide, query.q, page);
      return toPage(rows, total, (row) => toDirectoryEntryDto(row, visibility), page);
    },

    /** U3. */
    async getMe(actor: Actor): Promise<UserDto> {
      return toUserDto(await getUserById(db, actor.userId), visibilityOf(actor));
    },

    /**
     * U7.
     * @throws AppError 404 for unknown and out-of-scope ids alike.
     */
    async getUser(actor: Actor, userId: string): Promise<UserDto> {
      const row = await findUserInScope(db, userId, userReadScope(actor));
      if (!row) throw notFound();
      return toUserDto(row, visibilityOf(actor));
    },

    /**
     * U2. Checks in the order of 01 §3.2: 422 body (incl. password policy) → 403 role not creatable → 409 email →
     * 422 managerId → 422 departmentId / shiftId.
     */
    async createUser(actor: Actor, input: CreateUserInput, meta: RequestMeta) {
      const email = input.email.trim().toLowerCase();
      const fullName = requiredText(input.fullName, 'body.fullName');
      if (input.password !== undefined) {
        const violation = passwordPolicyViolation(input.password, email);
        if (violation) throw invalid('body.password', violation);
      }
      if (!CREATABLE_ROLES[actor.role]?.has(input.role)) throw forbidden(`You may not create users with the role ${input.role}.`);
      const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null;
      const now = clock.now();

      return db.transaction(async (tx) => {
        await assertEmailFree(tx, email, null);
        if (input.managerId) await assertValidManager(tx, null, input.managerId);
        if (input.departmentId) await assertValidDepartment(tx, input.departmentId);
        if (input.shiftId) await assertValidShift(tx, input.shiftId);

        const id = await insertUser(
          tx,
          {
            email,
            fullName,
            role: input.role,
            phone: optionalText(input.phone) ?? null,
            designation: optionalText(input.designation) ?? null,
            departmentId: input.departmentId ?? null,
            shiftId: input.shiftId ?? null,
            managerId: input.managerId ?? null,
            avatarUrl: input.avatarUrl ?? null,
            passwordHash,
            createdById: actor.userId,
          },
          now,
        );
        const invitation = passwordHash === null ? await sendInvitation(tx, { id, email, fullName }, actor.userId, now) : null;
        const user = await getUserById(tx, id);
        await recordAudit(tx, {
          actor,
          action: invitation ? 'user.invited' : 'user.created',
          entityType: 'user',
          entityId: id,
          entityLabel: fullName,
          after: { email, role: input.role },
          meta,
        });
        return {
          user: toUserDto(user, visibilityOf(actor)),
          invitationEmail: invitation ? invitation.disposition : ('not_applicable' as const),
          ...(invitation ? debugToken(invitation.token) : {}),
        };
      });
    },

    /** U4: own fullName, phone, avatarUrl. */
    async updateMyProfile(actor: Actor, input: UpdateProfileInput, meta: RequestMeta): Promise<UserDto> {
      const next = profileFields(input);
      const now = clock.now();
      return db.transaction(async (tx) => {
        const me = await lockUserInScope(tx, actor.userId, userReadScope(actor));
        if (!me) throw notFound();
        const { changes, before, after } = changedFields<EditableField>(me, next);
        if (Object.keys(changes).length > 0) {
          await updateUserFields(tx, me.id, changes, now);
          await recordAudit(tx, { actor, action: 'user.updated', entityType: 'user', entityId: me.id, entityLabel: me.fullName, before, after, meta });
        }
        return toUserDto(await getUserById(tx, me.id), visibilityOf(actor));
      });
    },

    /**
     * U8, with the field-authority table of 01 §3.2. A refused request changes nothing; when it touched email,
     * designation, department or manager it is audited as `user.update_denied` in its own transaction.
     * @throws AppError 404 out of scope · 403 authority (details list each forbidden field) · 409 email taken ·
     *   422 managerId / departmentId.
     */
    async updateUser(actor: Actor, userId: string, input: UpdateUserInput, meta: RequestMeta): Promise<UserDto> {
      const next = profileFields(input);
      if (input.email !== undefined) next.email = input.email.trim().toLowerCase();
      if (input.designation !== undefined) next.designation = optionalText(input.designation) ?? null;
      if (input.departmentId !== undefined) next.departmentId = input.departmentId;
      if (input.managerId !== undefined) next.managerId = input.managerId;
      const requested = EDITABLE_FIELDS.filter((field) => field in next);
      const now = clock.now();

      try {
        return await db.transaction(async (tx) => {
          const target = await lockUserInScope(tx, userId, userReadScope(actor));
          if (!target) throw notFound();
          const isSelf = target.id === actor.userId;
          const mayEditOther = !isSelf && actor.permissions.has('users.edit') && mayActOn(actor, target.role);
          const allowed = (field: EditableField) => (isSelf ? isSuper(actor) || OWN_PROFILE_FIELDS.has(field) : mayEditOther);
          const refused = requested.filter((field) => !allowed(field));
          if ((!isSelf && !mayEditOther) || refused.length > 0) {
            const error = forbidden(
              isSelf ? 'You may not change these fields of your own record.' : 'You may not edit this user.',
              refused.map((field) => ({ field: `body.${field}`, message: 'may not be changed by the caller' })),
            );
            const sensitive = requested.some((field) => SENSITIVE_FIELDS.has(field));
            throw new DeniedAttempt(
              error,
              sensitive
                ? {
                    actor,
                    action: 'user.update_denied',
                    entityType: 'user',
                    entityId: target.id,
                    entityLabel: target.fullName,
                    outcome: 'denied',
                    after: { requestedFields: requested },
                    meta,
                  }
                : null,
            );
          }

          const { changes, before, after } = changedFields<EditableField>(target, next);
          if (changes.email !== undefined) await assertEmailFree(tx, changes.email!, target.id);
          if (changes.managerId !== undefined && changes.managerId !== null) {
            await lockReportingLines(tx);
            await assertValidManager(tx, target.id, changes.managerId);
          }
          if (changes.departmentId !== undefined && changes.departmentId !== null) await assertValidDepartment(tx, changes.departmentId);
          if (Object.keys(changes).length === 0) return toUserDto(await getUserById(tx, target.id), visibilityOf(actor));

          await updateUserFields(tx, target.id, changes, now);
          if (changes.email !== undefined) {
            // The old inbox loses every pending link; an invitee is re-invited at the new address (01 §3.2 U8).
            await invalidateAccountTokens(tx, 'password_reset', target.id, now);
            if (target.status === 'invited') {
              await sendInvitation(tx, { id: target.id, email: changes.email!, fullName: changes.fullName ?? target.fullName }, actor.userId, now);
            }
          }
          const user = await getUserById(tx, target.id);
          await recordAudit(tx, { actor, action: 'user.updated', entityType: 'user', entityId: target.id, entityLabel: user.fullName, before, after, meta });
          return toUserDto(user, visibilityOf(actor));
        });
      } catch (error) {
        if (!(error instanceof DeniedAttempt)) throw error;
        if (error.audit) await recordAuditAlone(db, error.audit);
        throw error.error;
      }
    },

    /**
     * U9. 404 → 403 self → 403 rank (non-admin: target and new role below the caller) → 409 unchanged →
     * 409 last active admin → 409 non-management role while direct reports remain.
     */
    async changeUserRole(actor: Actor, userId: string, role: Role, meta: RequestMeta): Promise<UserDto> {
      const now = clock.now();
      return db.transaction(async (tx) => {
        const { target, activeAdmins } = await lockAccountChange(tx, actor, userId, 'role');
        if (!isSuper(actor) && (!outranks(actor.role, target.role) || !outranks(actor.role, role))) {
          throw forbidden('You may only assign roles below your own to users below your own role.');
        }
        if (target.role === role) throw conflict(`The user already has the role ${role}.`);
        if (role !== SUPER_ROLE && isLastActiveAdmin(target, activeAdmins)) throw conflict('At least one active admin must remain.');
        if (!isManagementRole(role) && (await countOpenDirectReports(tx, target.id)) > 0) {
          throw conflict('The user still has active or invited direct reports; reassign direct reports first.');
        }

        await updateUserRole(tx, target.id, role, now);
        const cleared = await deleteOverrides(tx, target.id);
        const audits = isManagementRole(role) ? [] : await clearHeadships(tx, target.id, now, meta);
        await publishEvent(
          tx,
          { kind: 'users', userIds: [target.id] },
          { type: 'auth.permissions_changed', payload: { userId: target.id, role }, actorId: actor.userId, entityType: 'user', entityId: target.id },
          now,
        );
        const user = await getUserById(tx, target.id);
        await recordAudit(tx, {
          actor,
          action: 'user.role_changed',
          entityType: 'user',
          entityId: target.id,
          entityLabel: target.fullName,
          before: { role: target.role },
          after: { role, clearedOverrides: cleared },
          meta,
        });
        for (const entry of audits) await recordAudit(tx, entry);
        return toUserDto(user, visibilityOf(actor));
      });
    },

    /** U10 (and U11–U13 through it). */
    changeUserStatus: changeStatus,

    /**
     * U14. Admin: any invited user; otherwise an invited user of a role the caller may create, or the caller's own
     * invited direct report of a re-invitable role. Rate limit last.
     */
    async resendInvitation(actor: Actor, userId: string, meta: RequestMeta) {
      const now = clock.now();
      const check = (target: TargetRow | null): TargetRow => {
        if (!target) throw notFound();
        const allowed =
          isSuper(actor) ||
          (CREATABLE_ROLES[actor.role]?.has(target.role) ?? false) ||
          (target.managerId === actor.userId && MANAGER_REINVITABLE_ROLES.has(target.role));
        if (target.id === actor.userId || !allowed) throw forbidden('You may not resend the invitation of this user.');
        if (target.status !== 'invited') throw conflict('Only invited users can be sent an invitation.');
        return target;
      };
      return withAccountEmailSlot(actor, userId, meta, check, async (tx, target) => {
        const invitation = await sendInvitation(tx, target, actor.userId, now);
        await recordAudit(tx, {
          actor,
          action: 'user.invitation_resent',
          entityType: 'user',
          entityId: target.id,
          entityLabel: target.fullName,
          after: { email: target.email },
          meta,
        });
        return { invitationEmail: invitation.disposition, ...debugToken(invitation.token) };
      });
    },

    /** U15. `users.edit` + target below the caller (admin: any user); target must be active; rate limit last. */
    async sendPasswordResetLink(actor: Actor, userId: string, meta: RequestMeta) {
      const now = clock.now();
      const check = (target: TargetRow | null): TargetRow => {
        if (!target) throw notFound();
        if (!mayActOn(actor, target.role)) throw forbidden('You may not send a password reset to this user.');
        if (target.status !== 'active') throw conflict('Only active users can be sent a password reset link.');
        return target;
      };
      return withAccountEmailSlot(actor, userId, meta, check, async (tx, target) => {
        const { token, disposition } = await sendPasswordResetLink(tx, config, target, meta.ip, now);
        await recordAudit(tx, {
          actor,
          action: 'user.password_reset_sent',
          entityType: 'user',
          entityId: target.id,
          entityLabel: target.fullName,
          after: { email: target.email },
          meta,
        });
        return { resetEmail: disposition, ...debugToken(token) };
      });
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
