/**
 * Attendance corrections (02 §3.4, §4.1, §4.8, §4.11): filing on an own closed session or on behalf (HR/admin),
 * the requester's amendments and cancellation, and the approver's decisions with four-eyes and scope checks.
 * Approval is the only path that changes a closed session: it locks the row, re-checks §4.8, rewrites it as
 * `corrected` against its stored window and shift, closes the exceptions it supersedes and refreshes `daily_stats`.
 * Every status change is audited in its transaction and announced (`attendance.correction_updated`) after commit.
 */
import type { components } from '../../../generated/sdk/src/schema.ts';
import type { Actor } from '../../auth/actor.ts';
import { can } from '../../auth/actor.ts';
import { CORRECTION_APPROVAL_KEYS, routeApprovers } from '../../auth/approvers.ts';
import { inScope, scopeOf, type Scope } from '../../auth/scope.ts';
import { recordAudit, recordAuditAlone } from '../../audit/record.ts';
import type { Config } from '../../config.ts';
import type { Db, Queryable } from '../../db/pool.ts';
import { sql } from '../../db/sql.ts';
import { conflict, forbidden, invalid, notFound } from '../../http/errors.ts';
import type { RequestMeta } from '../../http/request-context.ts';
import type { Clock } from '../../lib/clock.ts';
import { pageWindow, toPage, type Page, type PageQuery } from '../../lib/page.ts';
import { addDays, daysBetween, todayIn } from '../../lib/zoned-time.ts';
import { publishEvent } from '../../realtime/outbox.ts';
import { findShiftRule } from './calendar.ts';
import {
  breakBounds,
  correctionExists,
  dayFlags,
  findCorrection,
  findSession,
  hasOpenCorrection,
  insertCorrection,
  isFirstSessionOfDay,
  listCorrections,
  lockSession,
  OPEN_CORRECTION_STATUSES,
  overlapsOtherSession,
  rewriteSession,
  transitionCorrection,
  usersAndActiveManagers,
  type CorrectableSession,
  type CorrectionRow,
  type CorrectionStatus,
  type SessionRewrite,
} from './corrections-queries.ts';
import { refreshDailyStats } from './daily-stats.ts';
import { toCorrectionDto, type CorrectionDto } from './dto.ts';
import { closeExceptionsAsSystem, raiseException, type ExceptionType } from './exceptions-writer.ts';
import { checkoutFlagsFor, checkoutTiming, lateness, sessionDurations, storedWindow, workDateOf } from './schedule.ts';

type CreateCorrectionRequest = components['schemas']['CreateCorrectionRequest'];
type UpdateCorrectionRequest = components['schemas']['UpdateCorrectionRequest'];

export interface CorrectionListQuery extends PageQuery {
  scope?: Scope;
  status?: CorrectionStatus;
  userId?: string;
  from?: string;
  to?: string;
}

const MAX_LIST_SPAN_DAYS = 366;
/** `out' <= now + 60 s` (02 §4.8): a little clock skew between client and server is tolerated. */
const FUTURE_TOLERANCE_MS = 60_000;
const HOUR_MS = 3_600_000;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A broken §4.8 rule: 422 on input (409 for an overlap), always 409 when re-checked at approval. */
interface RuleFailure {
  status: 409 | 422;
  field: string;
  message: string;
}

interface Requested {
  checkInAt: Date | null;
  checkOutAt: Date | null;
}

/** @throws AppError 422 `body.reason` when fewer than 5 characters remain after trimming. */
function cleanReason(raw: string): string {
  const reason = raw.trim();
  if (reason.length < 5) throw invalid('body.reason', 'must be at least 5 characters after trimming');
  return reason;
}

/** @throws AppError 422 `body.comment` when empty after trimming. */
function requiredComment(raw: string): string {
  const comment = raw.trim();
  if (comment === '') throw invalid('body.comment', 'must not be blank');
  return comment;
}

const sameInstant = (a: Date | null, b: Date | null) => (a === null || b === null ? a === b : a.getTime() === b.getTime());

export function createCorrectionsService(deps: { db: Db; clock: Clock; config: Config }) {
  const { db, clock, config } = deps;
  const settings = config.attendance;

  /** The rows a caller may see: owner, requester, or the owner within the caller's widest attendance scope. */
  function visibleTo(actor: Actor) {
    return sql.fragment`(c.user_id = ${actor.userId} OR c.requested_by_id = ${actor.userId}
      OR ${inScope(actor, scopeOf(actor, 'attendance'), sql.identifier(['c', 'user_id']))})`;
  }

  async function loadDto(q: Queryable, correctionId: string): Promise<CorrectionDto> {
    const row = await findCorrection(q, correctionId);
    if (!row) throw notFound();
    return toCorrectionDto(row);
  }

  /**
   * 02 §4.8 for the interval `[in', out']` a correction asks for on `session`.
   * @returns the first broken rule, or null.
   */
  async function checkInterval(q: Queryable, session: CorrectableSession, requested: Requested, now: Date): Promise<RuleFailure | null> {
    const inField = 'body.requestedCheckInAt';
    const outField = 'body.requestedCheckOutAt';
    /** The field a rule about the whole interval names: the one the request changes (check-out first). */
    const changedField = requested.checkOutAt ? outField : inField;
    const checkIn = requested.checkInAt ?? session.checkInAt;
    const checkOut = requested.checkOutAt ?? session.checkOutAt;
    if (!checkOut) return { status: 409, field: 'path.sessionId', message: 'the session has no check-out to correct' };

    if (sameInstant(checkIn, session.checkInAt) && sameInstant(checkOut, session.checkOutAt)) {
      return { status: 422, field: changedField, message: 'must change the check-in or the check-out time' };
    }
    if (checkIn.getTime() >= checkOut.getTime()) {
      return requested.checkOutAt
        ? { status: 422, field: outField, message: 'must be after the check-in' }
        : { status: 422, field: inField, message: 'must be before the check-out' };
    }
    if (checkOut.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      return { status: 422, field: outField, message: 'must not be in the future' };
    }
    if (checkOut.getTime() - checkIn.getTime() > settings.maxActiveHours * HOUR_MS) {
      return { status: 422, field: changedField, message: `the session must not last more than ${settings.maxActiveHours} hours` };
    }
    if (requested.checkInAt) {
      const shift = session.shiftId ? await findShiftRule(q, session.shiftId) : null;
      const workDate = workDateOf(requested.checkInAt, shift, config.orgTimezone, settings.shiftPostEndGraceHours);
      if (workDate !== session.workDate) return { status: 422, field: inField, message: `must stay on the session's work date ${session.workDate}` };
    }
    const oldest = addDays(todayIn(now, config.orgTimezone), -settings.correctionWindowDays);
    if (daysBetween(oldest, session.workDate) < 0) {
      return { status: 422, field: 'path.sessionId', message: `the work date is older than ${settings.correctionWindowDays} days` };
    }
    const breaks = await breakBounds(q, session.id);
    if ((breaks.earliest && breaks.earliest < checkIn) || (breaks.latest && breaks.latest > checkOut)) {
      return { status: 422, field: changedField, message: 'every break of the session must lie inside the corrected interval' };
    }
    if (await overlapsOtherSession(q, { userId: session.userId, sessionId: session.id, from: checkIn, to: checkOut })) {
      return { status: 409, field: changedField, message: 'overlaps another session of the user' };
    }
    return null;
  }

  /** @throws AppError the rule's 422/409 on input. */
  async function assertValidRequest(q: Queryable, session: CorrectableSession, requested: Requested, now: Date): Promise<void> {
    if (session.status === 'active') {
      throw conflict('The session is still active; check out first.', [{ field: 'path.sessionId', message: 'is active' }]);
    }
    const failure = await checkInterval(q, session, requested, now);
    if (!failure) return;
    if (failure.status === 409) throw conflict('The corrected interval conflicts with the current state.', [{ field: failure.field, message: failure.message }]);
    throw invalid(failure.field, failure.message);
  }

  /** Recipients of a correction event: owner and requester, the owner's manager, and whoever may decide it now. */
  async function correctionAudience(q: Queryable, row: Pick<CorrectionRow, 'userId' | 'requestedById'>): Promise<string[]> {
    const [people, route] = await Promise.all([
      usersAndActiveManagers(q, [row.userId]),
      routeApprovers(q, { ownerId: row.userId, requesterId: row.requestedById, keys: CORRECTION_APPROVAL_KEYS }),
    ]);
    return [...new Set([...people, row.requestedById, ...route.approverIds])];
  }

  async function announce(q: Queryable, actor: Actor, audience: string[], type: string, payload: Record<string, unknown>, entityId: string, now: Date) {
    const users = { kind: 'users' as const, userIds: audience };
    await publishEvent(q, users, { type, payload, actorId: actor.userId, entityType: 'attendance_correction', entityId }, now);
    await publishEvent(q, users, { type: 'dashboard.changed', payload: { scope: 'attendance' }, actorId: actor.userId }, now);
    await publishEvent(q, users, { type: 'dashboard.changed', payload: { scope: 'approvals' }, actorId: actor.userId }, now);
  }

  async function announceUpdate(q: Queryable, actor: Actor, row: CorrectionRow, now: Date): Promise<void> {
    const payload = { correctionId: row.id, sessionId: row.sessionId, userId: row.userId, status: row.status };
    await announce(q, actor, await correctionAudience(q, row), 'attendance.correction_updated', payload, row.id, now);
  }

  /** A terminal status closes the correction's `correction_request` exception (system). */
  async function closeCorrectionRequest(q: Queryable, correctionId: string, status: CorrectionStatus, now: Date): Promise<void> {
    await closeExceptionsAsSystem(q, { status: 'resolved', note: `auto: correction ${status}`, now, types: ['correction_request'], correctionId });
  }

  const denied = (actor: Actor, action: string, entityId: string, reason: string, meta: RequestMeta) =>
    recordAuditAlone(db, { actor, action, entityType: 'attendance_correction', entityId, outcome: 'denied', after: { reason }, meta });

  /**
   * Access to a decision (approve / reject / clarify); the route already required `attendance.approve_correction`.
   * @throws AppError 404 unknown or outside scope (the latter audited); 403 owner or requester (audited).
   */
  async function loadForDecision(actor: Actor, correctionId: string, meta: RequestMeta): Promise<CorrectionRow> {
    const scope = scopeOf(actor, 'attendance');
    const row = await findCorrection(db, correctionId, inScope(actor, scope, sql.identifier(['c', 'user_id'])));
    if (!row) {
      if (await correctionExists(db, correctionId)) await denied(actor, 'attendance.cross_team_correction_denied', correctionId, `owner outside ${scope} scope`, meta);
      throw notFound();
    }
    if (row.userId === actor.userId || row.requestedById === actor.userId) {
      await denied(actor, 'attendance.self_correction_approval_denied', correctionId, row.userId === actor.userId ? 'session_owner' : 'requester', meta);
      throw forbidden('You cannot decide a correction of your own session or one you filed.');
    }
    return row;
  }

  /**
   * Access of the requester's own actions (amend, cancel).
   * @throws AppError 404 not visible; 403 visible but the caller is not the requester.
   */
  async function loadForRequester(actor: Actor, correctionId: string): Promise<CorrectionRow> {
    const row = await findCorrection(db, correctionId, visibleTo(actor));
    if (!row) throw notFound();
    if (row.requestedById !== actor.userId) throw forbidden('Only the requester may change or cancel this correction.');
    return row;
  }

  const notOpen = (status: string) =>
    conflict(`The correction is ${status}; this action needs it pending${status === 'pending' ? '' : ' or awaiting clarification'}.`, [
      { field: 'status', message: `is ${status}` },
    ]);

  /**
   * The session after approval (02 §4.8): lateness, check-out flags (with the reasons the session stored) and
   * durations against the stored window and shift — the same rules and durations as check-out.
   */
  async function recompute(tx: Queryable, session: CorrectableSession, checkIn: Date, checkOut: Date): Promise<SessionRewrite> {
    const window = storedWindow(session);
    const shift = window && session.shiftId ? await findShiftRule(tx, session.shiftId) : null;
    const first = await isFirstSessionOfDay(tx, { userId: session.userId, workDate: session.workDate, sessionId: session.id, checkInAt: checkIn });
    const late = lateness(checkIn, window, shift?.graceMinutes ?? 0, first);
    const flags = checkoutFlagsFor(checkoutTiming(checkOut, window), session);
    return {
      checkInAt: checkIn,
      checkOutAt: checkOut,
      isLate: late.isLate,
      lateMinutes: late.lateMinutes,
      isEarlyCheckout: flags.isEarlyCheckout,
      earlyCheckoutMinutes: flags.earlyCheckoutMinutes,
      earlyCheckoutReason: flags.earlyCheckoutReason,
      afterShiftMinutes: flags.afterShiftMinutes,
      isOvertime: flags.isOvertime,
      ...sessionDurations(checkIn, checkOut, session.unpaidBreakSeconds),
    };
  }

  /** 02 §4.7: what an approved correction supersedes, closed as the system. */
  async function closeSupersededExceptions(tx: Queryable, session: CorrectableSession, correctionId: string, now: Date): Promise<void> {
    const flags = await dayFlags(tx, session.userId, session.workDate);
    const noLonger: ExceptionType[] = [];
    if (!flags.anyLate) noLonger.push('late');
    if (!flags.anyEarly) noLonger.push('early');
    if (!flags.anyOvertime) noLonger.push('overtime');
    if (noLonger.length > 0) {
      await closeExceptionsAsSystem(tx, { status: 'resolved', note: 'auto: correction approved', now, types: noLonger, userId: session.userId, workDate: session.workDate });
    }
    await closeExceptionsAsSystem(tx, { status: 'resolved', note: 'auto: correction approved', now, types: ['missing_checkout'], sessionId: session.id });
    await closeCorrectionRequest(tx, correctionId, 'approved', now);
  }

  return {
    /**
     * @throws AppError 404 unknown session or not the caller's (audited `attendance.correction_idor_denied` unless the
     * caller may file on behalf); 409 active session, open correction, overlap; 422 the rules of §4.8.
     */
    async create(actor: Actor, sessionId: string, body: CreateCorrectionRequest, meta: RequestMeta): Promise<CorrectionDto> {
      const session = await findSession(db, sessionId);
      if (!session) throw notFound();
      const onBehalf = session.userId !== actor.userId;
      if (onBehalf && !(can(actor, 'attendance.view_org') && can(actor, 'attendance.approve_correction'))) {
        await recordAuditAlone(db, {
          actor,
          action: 'attendance.correction_idor_denied',
          entityType: 'attendance_session',
          entityId: sessionId,
          outcome: 'denied',
          after: { reason: 'not_session_owner' },
          meta,
        });
        throw notFound();
      }
      const reason = cleanReason(body.reason);
      const requested: Requested = {
        checkInAt: body.requestedCheckInAt ? new Date(body.requestedCheckInAt) : null,
        checkOutAt: body.requestedCheckOutAt ? new Date(body.requestedCheckOutAt) : null,
      };
      if (!requested.checkInAt && !requested.checkOutAt) {
        throw invalid('body.requestedCheckInAt', 'requestedCheckInAt or requestedCheckOutAt is required');
      }
      const now = clock.now();
      return db.transaction(async (tx) => {
        const locked = await lockSession(tx, sessionId);
        if (!locked) throw notFound();
        if (locked.status !== 'active' && (await hasOpenCorrection(tx, sessionId))) {
          throw conflict('This session already has an open correction; amend or cancel it first.', [{ field: 'path.sessionId', message: 'has an open correction' }]);
        }
        await assertValidRequest(tx, locked, requested, now);
        const id = await insertCorrection(
          tx,
          {
            sessionId,
            userId: locked.userId,
            requestedById: actor.userId,
            originalCheckInAt: locked.checkInAt,
            originalCheckOutAt: locked.checkOutAt,
            requestedCheckInAt: requested.checkInAt,
            requestedCheckOutAt: requested.checkOutAt,
            reason,
          },
          now,
        );
        await raiseException(tx, { userId: locked.userId, workDate: locked.workDate, type: 'correction_request', now, sessionId, correctionId: id, reason });
        const row = (await findCorrection(tx, id))!;
        const payload = { correctionId: id, sessionId, userId: row.userId, workDate: row.workDate };
        await announce(tx, actor, await correctionAudience(tx, row), 'attendance.correction_requested', payload, id, now);
        await recordAudit(tx, {
          actor,
          action: 'attendance.correction_requested',
          entityType: 'attendance_correction',
          entityId: id,
          entityLabel: `${row.userFullName} ${row.workDate}`,
          after: {
            status: 'pending',
            requestedCheckInAt: iso(requested.checkInAt),
            requestedCheckOutAt: iso(requested.checkOutAt),
            ...(onBehalf ? { onBehalfOf: row.userId } : {}),
          },
          metadata: { sessionId },
          meta,
        });
        return toCorrectionDto(row);
      });
    },

    /** @throws AppError 403 a scope the caller lacks; 422 reversed or over-long date range. */
    async list(actor: Actor, query: CorrectionListQuery): Promise<Page<CorrectionDto>> {
      const scope = query.scope ?? 'own';
      const allowed =
        scope === 'org'
          ? can(actor, 'attendance.view_org')
          : scope === 'team'
            ? can(actor, 'attendance.view_team') || can(actor, 'attendance.view_org')
            : can(actor, 'attendance.view_own');
      if (!allowed) throw forbidden(`You may not list corrections with scope ${scope}.`, [{ field: 'query.scope', message: `is not granted` }]);
      if (query.from && query.to) {
        const span = daysBetween(query.from, query.to);
        if (span < 0) throw invalid('query.to', 'must be on or after from');
        if (span >= MAX_LIST_SPAN_DAYS) throw invalid('query.to', `must be at most ${MAX_LIST_SPAN_DAYS} days after from`);
      }
      const mine = sql.fragment`(c.user_id = ${actor.userId} OR c.requested_by_id = ${actor.userId})`;
      const visible =
        scope === 'own'
          ? mine
          : scope === 'team'
            ? sql.fragment`(c.requested_by_id = ${actor.userId} OR ${inScope(actor, 'team', sql.identifier(['c', 'user_id']))})`
            : sql.fragment`TRUE`;
      const { limit, offset } = pageWindow(query);
      const { rows, total } = await listCorrections(db, { visible, status: query.status, userId: query.userId, from: query.from, to: query.to, limit, offset });
      return toPage(rows, total, toCorrectionDto, { limit, offset });
    },

    /** @throws AppError 404 unknown or not visible. */
    async get(actor: Actor, correctionId: string): Promise<CorrectionDto> {
      const row = await findCorrection(db, correctionId, visibleTo(actor));
      if (!row) throw notFound();
      return toCorrectionDto(row);
    },

    /**
     * The requester amends an open correction; it returns to `pending`.
     * @throws AppError 404 not visible; 403 not the requester; 409 terminal status or overlap; 422 §4.8.
     */
    async update(actor: Actor, correctionId: string, body: UpdateCorrectionRequest, meta: RequestMeta): Promise<CorrectionDto> {
      const current = await loadForRequester(actor, correctionId);
      if (!OPEN_CORRECTION_STATUSES.includes(current.status)) throw notOpen(current.status);
      const requested: Requested = {
        checkInAt: body.requestedCheckInAt === undefined ? current.requestedCheckInAt : body.requestedCheckInAt === null ? null : new Date(body.requestedCheckInAt),
        checkOutAt: body.requestedCheckOutAt === undefined ? current.requestedCheckOutAt : body.requestedCheckOutAt === null ? null : new Date(body.requestedCheckOutAt),
      };
      const reason = body.reason === undefined ? current.reason : cleanReason(body.reason);
      if (!requested.checkInAt && !requested.checkOutAt) {
        throw invalid('body.requestedCheckInAt', 'requestedCheckInAt or requestedCheckOutAt is required');
      }
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      if (!sameInstant(requested.checkInAt, current.requestedCheckInAt)) {
        before.requestedCheckInAt = iso(current.requestedCheckInAt);
        after.requestedCheckInAt = iso(requested.checkInAt);
      }
      if (!sameInstant(requested.checkOutAt, current.requestedCheckOutAt)) {
        before.requestedCheckOutAt = iso(current.requestedCheckOutAt);
        after.requestedCheckOutAt = iso(requested.checkOutAt);
      }
      if (reason !== current.reason) {
        before.reason = current.reason;
        after.reason = reason;
      }
      if (current.status !== 'pending') {
        before.status = current.status;
        after.status = 'pending';
      }
      const now = clock.now();
      return db.transaction(async (tx) => {
        const session = await lockSession(tx, current.sessionId);
        if (!session) throw notFound();
        await assertValidRequest(tx, session, requested, now);
        if (Object.keys(after).length === 0) return loadDto(tx, correctionId);
        const moved = await transitionCorrection(
          tx,
          correctionId,
          OPEN_CORRECTION_STATUSES,
          { status: 'pending', requestedCheckInAt: requested.checkInAt, requestedCheckOutAt: requested.checkOutAt, reason },
          now,
        );
        if (!moved) throw notOpen((await findCorrection(tx, correctionId))!.status);
        const row = (await findCorrection(tx, correctionId))!;
        await announceUpdate(tx, actor, row, now);
        await recordAudit(tx, {
          actor,
          action: 'attendance.correction_amended',
          entityType: 'attendance_correction',
          entityId: correctionId,
          entityLabel: `${row.userFullName} ${row.workDate}`,
          before,
          after,
          metadata: { sessionId: row.sessionId },
          meta,
        });
        return toCorrectionDto(row);
      });
    },

    /**
     * @throws AppError 403/404 (see loadForDecision); 409 not open, or §4.8 no longer holds (session changed,
     * overlap, window passed).
     */
    async approve(actor: Actor, correctionId: string, body: { comment?: string } | undefined, meta: RequestMeta): Promise<CorrectionDto> {
      const found = await loadForDecision(actor, correctionId, meta);
      const comment = body?.comment?.trim() || null;
      const now = clock.now();
      return db.transaction(async (tx) => {
        const session = await lockSession(tx, found.sessionId);
        if (!session) throw notFound();
        const current = (await findCorrection(tx, correctionId))!;
        if (!OPEN_CORRECTION_STATUSES.includes(current.status)) throw notOpen(current.status);
        if (!sameInstant(session.checkInAt, current.originalCheckInAt) || !sameInstant(session.checkOutAt, current.originalCheckOutAt) || session.status === 'active') {
          throw conflict('The session changed after the correction was filed.', [{ field: 'sessionId', message: 'changed since the correction was filed' }]);
        }
        const requested = { checkInAt: current.requestedCheckInAt, checkOutAt: current.requestedCheckOutAt };
        const failure = await checkInterval(tx, session, requested, now);
        if (failure) throw conflict('The correction no longer applies to the current state.', [{ field: failure.field, message: failure.message }]);
        const moved = await transitionCorrection(tx, correctionId, OPEN_CORRECTION_STATUSES, { status: 'approved', reviewerId: actor.userId, reviewerComment: comment, resolved: true }, now);
        if (!moved) throw notOpen((await findCorrection(tx, correctionId))!.status);

        const checkIn = requested.checkInAt ?? session.checkInAt;
        const checkOut = (requested.checkOutAt ?? session.checkOutAt)!;
        const rewrite = await recompute(tx, session, checkIn, checkOut);
        await rewriteSession(tx, session.id, rewrite, now);
        await closeSupersededExceptions(tx, session, correctionId, now);
        await refreshDailyStats(tx, { userId: session.userId, workDate: session.workDate, now, orgTimezone: config.orgTimezone });

        const row = (await findCorrection(tx, correctionId))!;
        await announceUpdate(tx, actor, row, now);
        const sessionAudience = await usersAndActiveManagers(tx, [session.userId]);
        await publishEvent(
          tx,
          { kind: 'users', userIds: sessionAudience },
          {
            type: 'attendance.session_updated',
            payload: { sessionId: session.id, userId: session.userId, workDate: session.workDate },
            actorId: actor.userId,
            entityType: 'attendance_session',
            entityId: session.id,
          },
          now,
        );
        const appliedChanges: Record<string, { from: string | null; to: string }> = {};
        if (!sameInstant(checkIn, session.checkInAt)) appliedChanges.checkInAt = { from: session.checkInAt.toISOString(), to: checkIn.toISOString() };
        if (!sameInstant(checkOut, session.checkOutAt)) appliedChanges.checkOutAt = { from: iso(session.checkOutAt), to: checkOut.toISOString() };
        await recordAudit(tx, {
          actor,
          action: 'attendance.correction_approved',
          entityType: 'attendance_correction',
          entityId: correctionId,
          entityLabel: `${row.userFullName} ${row.workDate}`,
          before: { status: current.status },
          after: { status: 'approved', comment, appliedChanges },
          metadata: { sessionId: session.id },
          meta,
        });
        return toCorrectionDto(row);
      });
    },

    /** @throws AppError 403/404 (see loadForDecision); 409 not open; 422 blank comment. */
    async reject(actor: Actor, correctionId: string, body: { comment: string }, meta: RequestMeta): Promise<CorrectionDto> {
      const comment = requiredComment(body.comment);
      const found = await loadForDecision(actor, correctionId, meta);
      const now = clock.now();
      return db.transaction(async (tx) => {
        const moved = await transitionCorrection(tx, correctionId, OPEN_CORRECTION_STATUSES, { status: 'rejected', reviewerId: actor.userId, reviewerComment: comment, resolved: true }, now);
        if (!moved) throw notOpen((await findCorrection(tx, correctionId))!.status);
        await closeCorrectionRequest(tx, correctionId, 'rejected', now);
        const row = (await findCorrection(tx, correctionId))!;
        await announceUpdate(tx, actor, row, now);
        await recordAudit(tx, {
          actor,
          action: 'attendance.correction_rejected',
          entityType: 'attendance_correction',
          entityId: correctionId,
          entityLabel: `${row.userFullName} ${row.workDate}`,
          before: { status: found.status },
          after: { status: 'rejected', comment },
          metadata: { sessionId: row.sessionId },
          meta,
        });
        return toCorrectionDto(row);
      });
    },

    /** Only from `pending`. @throws AppError 403/404 (see loadForDecision); 409 not pending; 422 blank comment. */
    async requestClarification(actor: Actor, correctionId: string, body: { comment: string }, meta: RequestMeta): Promise<CorrectionDto> {
      const comment = requiredComment(body.comment);
      await loadForDecision(actor, correctionId, meta);
      const now = clock.now();
      return db.transaction(async (tx) => {
        const moved = await transitionCorrection(tx, correctionId, ['pending'], { status: 'needs_clarification', reviewerId: actor.userId, reviewerComment: comment }, now);
        if (!moved) {
          const status = (await findCorrection(tx, correctionId))!.status;
          throw conflict(`The correction is ${status}; clarification can only be requested while it is pending.`, [{ field: 'status', message: `is ${status}` }]);
        }
        const row = (await findCorrection(tx, correctionId))!;
        await announceUpdate(tx, actor, row, now);
        await recordAudit(tx, {
          actor,
          action: 'attendance.correction_clarification_requested',
          entityType: 'attendance_correction',
          entityId: correctionId,
          entityLabel: `${row.userFullName} ${row.workDate}`,
          before: { status: 'pending' },
          after: { status: 'needs_clarification', comment },
          metadata: { sessionId: row.sessionId },
          meta,
        });
        return toCorrectionDto(row);
      });
    },

    /** @throws AppError 404 not visible; 403 not the requester; 409 not open. */
    async cancel(actor: Actor, correctionId: string, meta: RequestMeta): Promise<CorrectionDto> {
      const current = await loadForRequester(actor, correctionId);
      if (!OPEN_CORRECTION_STATUSES.includes(current.status)) throw notOpen(current.status);
      const now = clock.now();
      return db.transaction(async (tx) => {
        const moved = await transitionCorrection(tx, correctionId, OPEN_CORRECTION_STATUSES, { status: 'cancelled', resolved: true }, now);
        if (!moved) throw notOpen((await findCorrection(tx, correctionId))!.status);
        await closeCorrectionRequest(tx, correctionId, 'cancelled', now);
        const row = (await findCorrection(tx, correctionId))!;
        await announceUpdate(tx, actor, row, now);
        await recordAudit(tx, {
          actor,
          action: 'attendance.correction_cancelled',
          entityType: 'attendance_correction',
          entityId: correctionId,
          entityLabel: `${row.userFullName} ${row.workDate}`,
          before: { status: current.status },
          after: { status: 'cancelled' },
          metadata: { sessionId: row.sessionId },
          meta,
        });
        return toCorrectionDto(row);
      });
    },
  };
}

export type CorrectionsService = ReturnType<typeof createCorrectionsService>;
