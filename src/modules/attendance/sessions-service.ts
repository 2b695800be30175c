/**
 * The session lifecycle (02 §3.1, §3.3): check-in, check-out, the active session, breaks. Each write is one
 * transaction with its exceptions, `daily_stats`, timer coupling and outbox events; none is audited (02 §3: the
 * rows are the record). Every call first carries out the caller's own lazy close (02 §4.6).
 */
import type { components } from '../../../generated/sdk/src/schema.ts';
import type { Actor } from '../../auth/actor.ts';
import type { Db, Queryable } from '../../db/pool.ts';
import { conflict, invalid, invalidMany, notFound, unauthorized, type ErrorDetail } from '../../http/errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { findActiveHoliday, findEffectiveShift } from './calendar.ts';
import { coupleTaskTimer } from './couplings.ts';
import { refreshDailyStats } from './daily-stats.ts';
import { toBreakDto, toSessionDto, type BreakDto, type SessionDto } from './dto.ts';
import { closeExceptionsAsSystem, raiseException } from './exceptions-writer.ts';
import { approvedWfhCoversDay } from './leave-coverage.ts';
import {
  checkoutFlagsFor,
  checkoutTiming,
  expectedWindow,
  isScheduledDay,
  lateness,
  NO_CHECKOUT_FLAGS,
  storedWindow,
  workDateOf,
} from './schedule.ts';
import {
  announceAttendance,
  closeActiveSessionForAccount,
  finishSession,
  lazyCloseOwnSession,
  type CheckoutFlags,
  type ClosedSession,
  type SessionSettings,
} from './session-close.ts';
import {
  countBreaks,
  countSessionsOnDate,
  endOpenBreak,
  findActiveSessionRef,
  findActiveSessionRow,
  findOpenBreakOfUser,
  findSessionRow,
  insertBreak,
  insertSession,
  lockActiveSessionOfUser,
  lockOpenBreak,
  lockUserStatus,
  sumClosedBreaks,
  updateBreakTotals,
  type LockedSession,
} from './sessions-queries.ts';

type CheckInRequest = components['schemas']['CheckInRequest'];
type CheckOutRequest = components['schemas']['CheckOutRequest'];
type StartBreakRequest = components['schemas']['StartBreakRequest'];
type ActiveSession = components['schemas']['ActiveSession'];

const EARLY_REASON_MIN = 5;

/**
 * The check-out flags of 02 §4.3 for a session closing at `now`, from the body. Only the fields the timing needs are
 * read; the others are ignored and not stored.
 * @throws AppError 422 `body.earlyCheckoutReason` (early without a reason of ≥ 5 characters after trim);
 *   422 `body.afterShiftReason` / `body.afterShiftNote` (after the shift end without both).
 */
export function checkoutFlags(session: LockedSession, now: Date, body: CheckOutRequest | undefined): CheckoutFlags {
  const timing = checkoutTiming(now, storedWindow(session));
  if (timing.kind === 'early') {
    const reason = body?.earlyCheckoutReason?.trim() ?? '';
    if (reason.length < EARLY_REASON_MIN) {
      throw invalid('body.earlyCheckoutReason', `is required before the shift end (${timing.minutes} min early): at least ${EARLY_REASON_MIN} characters`);
    }
    return checkoutFlagsFor(timing, { earlyCheckoutReason: reason, afterShiftReason: null, afterShiftNote: null });
  }
  if (timing.kind === 'after') {
    const note = body?.afterShiftNote?.trim() ?? '';
    const details: ErrorDetail[] = [];
    if (!body?.afterShiftReason) details.push({ field: 'body.afterShiftReason', message: 'is required after the shift end (overtime or forgot_checkout)' });
    if (note === '') details.push({ field: 'body.afterShiftNote', message: 'is required after the shift end and must not be blank' });
    if (details.length > 0) throw invalidMany(details);
    return checkoutFlagsFor(timing, { earlyCheckoutReason: null, afterShiftReason: body!.afterShiftReason!, afterShiftNote: note });
  }
  return NO_CHECKOUT_FLAGS;
}

export function createSessionsService(deps: { db: Db; clock: Clock; config: SessionSettings }) {
  const { db, clock, config } = deps;
  const settings: SessionSettings = { orgTimezone: config.orgTimezone, attendance: config.attendance };
  const allowance = settings.attendance.breakAllowanceMinutes;

  async function sessionDto(q: Queryable, sessionId: string): Promise<SessionDto> {
    const row = await findSessionRow(q, sessionId);
    if (!row) throw notFound();
    return toSessionDto(row, allowance);
  }

  /** @throws AppError 409 when the caller has no active session (also right after a lazy close). */
  async function lockOwnActiveSession(tx: Queryable, userId: string, message: string): Promise<LockedSession> {
    const session = await lockActiveSessionOfUser(tx, userId);
    if (!session) throw conflict(message);
    return session;
  }

  return {
    /**
     * 02 §3.1 check-in.
     * @throws AppError 401 the account stopped being active; 409 already checked in / daily session cap reached.
     */
    async checkIn(actor: Actor, body: CheckInRequest): Promise<SessionDto> {
      const now = clock.now();
      await lazyCloseOwnSession(db, actor.userId, now, settings);
      return db.transaction(async (tx) => {
        if ((await lockUserStatus(tx, actor.userId)) !== 'active') throw unauthorized();
        if (await findActiveSessionRef(tx, actor.userId)) throw conflict('You are already checked in; check out first.');
        const shift = await findEffectiveShift(tx, actor.userId);
        const workDate = workDateOf(now, shift, settings.orgTimezone, settings.attendance.shiftPostEndGraceHours);
        const existing = await countSessionsOnDate(tx, actor.userId, workDate);
        if (existing >= settings.attendance.maxSessionsPerDay) {
          throw conflict(`The work date ${workDate} already has ${settings.attendance.maxSessionsPerDay} sessions.`);
        }
        const holiday = await findActiveHoliday(tx, workDate);
        const scheduled = isScheduledDay(workDate, shift, holiday !== null);
        const window = scheduled ? expectedWindow(workDate, shift) : null;
        const late = lateness(now, window, shift?.graceMinutes ?? 0, existing === 0);
        const wfhApproved = body.workMode === 'wfh' ? await approvedWfhCoversDay(tx, actor.userId, workDate) : null;
        const sessionId = await insertSession(tx, {
          userId: actor.userId,
          workDate,
          checkInAt: now,
          workMode: body.workMode,
          wfhApproved,
          shiftId: shift?.id ?? null,
          isScheduledDay: scheduled,
          expectedShiftStartAt: window?.start ?? null,
          expectedShiftEndAt: window?.end ?? null,
          ...late,
        });
        if (late.isLate) {
          await raiseException(tx, { userId: actor.userId, workDate, type: 'late', now, sessionId, reason: `Checked in ${late.lateMinutes} min after the shift start` });
        }
        await closeExceptionsAsSystem(tx, { status: 'resolved', note: 'auto: checked in', now, types: ['absent'], userId: actor.userId, workDate });
        await coupleTaskTimer(tx, actor.userId, 'check_in', now);
        await refreshDailyStats(tx, { userId: actor.userId, workDate, now, orgTimezone: settings.orgTimezone });
        await announceAttendance(tx, {
          userId: actor.userId,
          type: 'attendance.checked_in',
          payload: { sessionId, userId: actor.userId, workDate, workMode: body.workMode, checkInAt: now.toISOString(), ...late },
          sessionId,
          actorId: actor.userId,
          now,
        });
        return sessionDto(tx, sessionId);
      });
    },

    /**
     * 02 §3.1 check-out.
     * @throws AppError 409 no active session (also after an auto-close); 422 missing early / after-shift reasons.
     */
    async checkOut(actor: Actor, body: CheckOutRequest | undefined): Promise<SessionDto> {
      const now = clock.now();
      await lazyCloseOwnSession(db, actor.userId, now, settings);
      return db.transaction(async (tx) => {
        const session = await lockOwnActiveSession(tx, actor.userId, 'You have no active session to check out of.');
        const flags = checkoutFlags(session, now, body);
        const closed = await finishSession(tx, session, {
          checkOutAt: now,
          status: 'completed',
          autoClosedReason: null,
          breakEndReason: 'check_out',
          flags,
          now,
        });
        if (!closed) throw conflict('You have no active session to check out of.');
        await coupleTaskTimer(tx, actor.userId, 'check_out', now);
        if (flags.isEarlyCheckout) {
          await raiseException(tx, { userId: actor.userId, workDate: session.workDate, type: 'early', now, sessionId: session.id, reason: flags.earlyCheckoutReason });
        }
        if (flags.isOvertime) {
          await raiseException(tx, { userId: actor.userId, workDate: session.workDate, type: 'overtime', now, sessionId: session.id, reason: flags.afterShiftNote });
        }
        await refreshDailyStats(tx, { userId: actor.userId, workDate: session.workDate, now, orgTimezone: settings.orgTimezone });
        await announceAttendance(tx, {
          userId: actor.userId,
          type: 'attendance.checked_out',
          payload: {
            sessionId: session.id,
            userId: actor.userId,
            workDate: session.workDate,
            checkOutAt: closed.checkOutAt.toISOString(),
            workedSeconds: closed.workedSeconds,
            classification: closed.classification,
            isEarlyCheckout: flags.isEarlyCheckout,
            isOvertime: flags.isOvertime,
          },
          sessionId: session.id,
          actorId: actor.userId,
          now,
        });
        return sessionDto(tx, session.id);
      });
    },

    /** 02 §3.1 `GET /attendance/active`. */
    async getActive(actor: Actor): Promise<ActiveSession> {
      await lazyCloseOwnSession(db, actor.userId, clock.now(), settings);
      const row = await findActiveSessionRow(db, actor.userId);
      const session = row ? toSessionDto(row, allowance) : null;
      return { session, activeBreak: session?.activeBreak ?? null };
    },

    /**
     * 02 §3.3 break start.
     * @throws AppError 422 `body.note` for `other` without a note; 409 no active session / a break is open / cap reached.
     */
    async startBreak(actor: Actor, body: StartBreakRequest): Promise<BreakDto> {
      const note = body.note?.trim() || null;
      if (body.breakType === 'other' && note === null) throw invalid('body.note', 'is required for breakType other and must not be blank');
      const now = clock.now();
      await lazyCloseOwnSession(db, actor.userId, now, settings);
      return db.transaction(async (tx) => {
        const session = await lockOwnActiveSession(tx, actor.userId, 'You have no active session; check in before starting a break.');
        if (await findOpenBreakOfUser(tx, actor.userId)) throw conflict('A break is already open; end it first.');
        if ((await countBreaks(tx, session.id)) >= settings.attendance.maxBreaksPerSession) {
          throw conflict(`The session already has ${settings.attendance.maxBreaksPerSession} breaks.`);
        }
        const started = await insertBreak(tx, {
          sessionId: session.id,
          userId: actor.userId,
          breakType: body.breakType,
          note,
          isPaid: !settings.attendance.unpaidBreakTypes.has(body.breakType),
          startedAt: now,
        });
        await coupleTaskTimer(tx, actor.userId, 'break_started', now);
        await announceAttendance(tx, {
          userId: actor.userId,
          type: 'attendance.break_started',
          payload: { breakId: started.id, sessionId: session.id, userId: actor.userId, breakType: started.breakType, startedAt: now.toISOString() },
          sessionId: session.id,
          actorId: actor.userId,
          now,
        });
        return toBreakDto(started);
      });
    },

    /** 02 §3.3 break end. @throws AppError 409 when no break is open (or there is no active session). */
    async endBreak(actor: Actor): Promise<BreakDto> {
      const now = clock.now();
      await lazyCloseOwnSession(db, actor.userId, now, settings);
      return db.transaction(async (tx) => {
        const session = await lockOwnActiveSession(tx, actor.userId, 'You have no open break.');
        if (!(await lockOpenBreak(tx, session.id))) throw conflict('You have no open break.');
        const ended = await endOpenBreak(tx, session.id, now, 'manual');
        if (!ended) throw conflict('You have no open break.');
        await updateBreakTotals(tx, session.id, await sumClosedBreaks(tx, session.id), now);
        await coupleTaskTimer(tx, actor.userId, 'break_ended', now);
        // The day's break seconds changed (daily_stats is recomputed with every change that affects the day).
        await refreshDailyStats(tx, { userId: actor.userId, workDate: session.workDate, now, orgTimezone: settings.orgTimezone });
        await announceAttendance(tx, {
          userId: actor.userId,
          type: 'attendance.break_ended',
          payload: { breakId: ended.id, sessionId: session.id, userId: actor.userId, durationSeconds: ended.durationSeconds },
          sessionId: session.id,
          actorId: actor.userId,
          now,
        });
        return toBreakDto(ended);
      });
    },

    /** 02 §3.3 `GET /attendance/breaks/current`. */
    async getCurrentBreak(actor: Actor): Promise<{ activeBreak: BreakDto | null }> {
      await lazyCloseOwnSession(db, actor.userId, clock.now(), settings);
      const open = await findOpenBreakOfUser(db, actor.userId);
      return { activeBreak: open ? toBreakDto(open) : null };
    },

    /**
     * For the users module (01 suspension / deactivation): closes the user's active session in the caller's
     * transaction (02 §4.6 `account_suspended`).
     */
    closeActiveSessionForAccount: (tx: Queryable, userId: string, now: Date): Promise<ClosedSession | null> =>
      closeActiveSessionForAccount(tx, userId, now, settings),
  };
}
export type SessionsService = ReturnType<typeof createSessionsService>;
