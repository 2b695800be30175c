/**
 * Closing a session (02 §4.4, §4.6, §4.11) — shared by check-out, the auto-close job, the lazy close on the owner's
 * own endpoints and account suspension — and the realtime announcement of every session change. Every closer locks
 * the session row, re-checks it is still active under the lock and updates conditionally, so two closers can never
 * both close one session.
 */
import type { AttendanceSettings } from '../../config.ts';
import type { Db, Queryable } from '../../db/pool.ts';
import { publishEvent } from '../../realtime/outbox.ts';
import { coupleTaskTimer, raiseMissingCheckoutAlert } from './couplings.ts';
import { refreshDailyStats } from './daily-stats.ts';
import { raiseException } from './exceptions-writer.ts';
import {
  autoClosePlan,
  autoCloseCheckOutAt,
  NO_CHECKOUT_FLAGS,
  sessionDurations,
  type AutoClosePlan,
  type CheckoutFlags,
} from './schedule.ts';
import {
  closeSessionRow,
  endOpenBreak,
  findActiveManagerId,
  findActiveSessionRef,
  latestBreakInstant,
  lockActiveSession,
  lockActiveSessionOfUser,
  sumClosedBreaks,
  type LockedSession,
  type SessionClose,
} from './sessions-queries.ts';

/** What the session rules read from configuration. */
export interface SessionSettings {
  orgTimezone: string;
  attendance: AttendanceSettings;
}

/** The flags a check-out sets; an auto-close sets none of them. */
export type { CheckoutFlags };

export interface ClosedSession {
  sessionId: string;
  userId: string;
  workDate: string;
  checkOutAt: Date;
  workedSeconds: number;
  classification: SessionClose['classification'];
}

/**
 * Closes a locked active session at `checkOutAt`: ends its open break there, sums the breaks, computes gross /
 * worked seconds and the classification (02 §4.4) and writes them with a conditional update.
 * @returns null when the session was no longer active (another closer won).
 */
export async function finishSession(
  tx: Queryable,
  session: LockedSession,
  input: {
    checkOutAt: Date;
    status: 'completed' | 'incomplete';
    autoClosedReason: SessionClose['autoClosedReason'];
    breakEndReason: 'check_out' | 'auto_close';
    flags?: CheckoutFlags;
    now: Date;
  },
): Promise<ClosedSession | null> {
  const checkOutAt = new Date(Math.max(input.checkOutAt.getTime(), session.checkInAt.getTime()));
  await endOpenBreak(tx, session.id, checkOutAt, input.breakEndReason);
  const totals = await sumClosedBreaks(tx, session.id);
  const durations = sessionDurations(session.checkInAt, checkOutAt, totals.unpaidBreakSeconds);
  const closed = await closeSessionRow(
    tx,
    session.id,
    {
      ...(input.flags ?? NO_CHECKOUT_FLAGS),
      ...durations,
      status: input.status,
      checkOutAt,
      autoClosedReason: input.autoClosedReason,
      totals,
    },
    input.now,
  );
  if (!closed) return null;
  const { workedSeconds, classification } = durations;
  return { sessionId: session.id, userId: session.userId, workDate: session.workDate, checkOutAt, workedSeconds, classification };
}

/**
 * Publishes an attendance event and `dashboard.changed {scope:"attendance"}` to the user and their active manager
 * (04 §3.9 "user, team"). The outbox row commits with the change, so nothing is announced for a rolled-back one.
 */
export async function announceAttendance(
  tx: Queryable,
  input: { userId: string; type: string; payload: Record<string, unknown>; sessionId: string; actorId: string | null; now: Date },
): Promise<void> {
  const managerId = await findActiveManagerId(tx, input.userId);
  const audience = { kind: 'users' as const, userIds: managerId ? [input.userId, managerId] : [input.userId] };
  const common = { actorId: input.actorId, entityType: 'attendance_session', entityId: input.sessionId };
  await publishEvent(tx, audience, { type: input.type, payload: input.payload, ...common }, input.now);
  await publishEvent(tx, audience, { type: 'dashboard.changed', payload: { scope: 'attendance' }, ...common }, input.now);
}

/** The auto-close plan of a session (02 §4.6) under the configured cap and grace. */
export function planFor(session: Pick<LockedSession, 'checkInAt' | 'expectedShiftEndAt'>, settings: SessionSettings): AutoClosePlan {
  return autoClosePlan(session.checkInAt, session.expectedShiftEndAt, settings.attendance.maxActiveHours, settings.attendance.autoCloseGraceMinutes);
}

export const isStale = (session: Pick<LockedSession, 'checkInAt' | 'expectedShiftEndAt'>, now: Date, settings: SessionSettings) =>
  now.getTime() >= planFor(session, settings).dueAt.getTime();

export interface AutoClosed extends ClosedSession {
  autoClosedReason: 'max_duration' | 'shift_ended';
}

/**
 * Auto-closes the session if it is still active and past its deadline at `now` (02 §4.6): status `incomplete`,
 * check-out at the cap (`max_duration`) or at the shift end / latest break instant (`shift_ended`), the open break
 * closed there (`auto_close`), a `missing_checkout` exception and alert, the timer paused, `daily_stats` refreshed
 * and `attendance.auto_closed` published. Idempotent: a closed or not-yet-due session is left alone.
 * @returns what was closed, or null.
 */
export async function autoCloseIfStale(tx: Queryable, sessionId: string, now: Date, settings: SessionSettings): Promise<AutoClosed | null> {
  const session = await lockActiveSession(tx, sessionId);
  if (!session || !isStale(session, now, settings)) return null;
  const plan = planFor(session, settings);
  const latestBreak = plan.reason === 'shift_ended' ? await latestBreakInstant(tx, session.id) : null;
  const checkOutAt = autoCloseCheckOutAt(plan, session.checkInAt, session.expectedShiftEndAt, latestBreak);
  const closed = await finishSession(tx, session, {
    checkOutAt,
    status: 'incomplete',
    autoClosedReason: plan.reason,
    breakEndReason: 'auto_close',
    now,
  });
  if (!closed) return null;
  const reasonText =
    plan.reason === 'max_duration'
      ? `auto: no check-out; closed after ${settings.attendance.maxActiveHours} h`
      : 'auto: no check-out; closed after the shift end';
  await raiseException(tx, { userId: session.userId, workDate: session.workDate, type: 'missing_checkout', now, sessionId: session.id, reason: reasonText });
  await raiseMissingCheckoutAlert(tx, { userId: session.userId, sessionId: session.id, workDate: session.workDate, now });
  await coupleTaskTimer(tx, session.userId, 'auto_close', now);
  await refreshDailyStats(tx, { userId: session.userId, workDate: session.workDate, now, orgTimezone: settings.orgTimezone });
  await announceAutoClosed(tx, closed, plan.reason, now);
  return { ...closed, autoClosedReason: plan.reason };
}

async function announceAutoClosed(tx: Queryable, closed: ClosedSession, reason: 'max_duration' | 'shift_ended' | 'account_suspended', now: Date) {
  await announceAttendance(tx, {
    userId: closed.userId,
    type: 'attendance.auto_closed',
    payload: {
      sessionId: closed.sessionId,
      userId: closed.userId,
      workDate: closed.workDate,
      checkOutAt: closed.checkOutAt.toISOString(),
      autoClosedReason: reason,
    },
    sessionId: closed.sessionId,
    actorId: null,
    now,
  });
}

/**
 * The lazy close (02 §3): before the owner's own attendance endpoints run, their active session is closed if its
 * deadline has passed — the same close as the job. A cheap unlocked read first; the locked close only when due.
 */
export async function lazyCloseOwnSession(db: Db, userId: string, now: Date, settings: SessionSettings): Promise<void> {
  const active = await findActiveSessionRef(db, userId);
  if (!active || !isStale(active, now, settings)) return;
  await db.transaction((tx) => autoCloseIfStale(tx, active.id, now, settings));
}

/**
 * Account suspension / deactivation (02 §4.6, chapter 01 calls this in its transaction): closes the user's active
 * session at `now` with `autoClosedReason=account_suspended` — break closed, timer paused, `daily_stats` refreshed,
 * `attendance.auto_closed` published — without exception or alert. A session already past its auto-close deadline is
 * closed as that auto-close instead (the close that was due, with its exception and alert), so no time after the
 * deadline is credited.
 * @returns what was closed, or null when the user had no active session.
 */
export async function closeActiveSessionForAccount(tx: Queryable, userId: string, now: Date, settings: SessionSettings): Promise<ClosedSession | null> {
  const session = await lockActiveSessionOfUser(tx, userId);
  if (!session) return null;
  if (isStale(session, now, settings)) return autoCloseIfStale(tx, session.id, now, settings);
  const closed = await finishSession(tx, session, {
    checkOutAt: now,
    status: 'incomplete',
    autoClosedReason: 'account_suspended',
    breakEndReason: 'auto_close',
    now,
  });
  if (!closed) return null;
  await coupleTaskTimer(tx, userId, 'auto_close', now);
  await refreshDailyStats(tx, { userId, workDate: session.workDate, now, orgTimezone: settings.orgTimezone });
  await announceAutoClosed(tx, closed, 'account_suspended', now);
  return closed;
}
