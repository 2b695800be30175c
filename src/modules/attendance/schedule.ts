/**
 * The attendance rules of 02 §4.2–§4.6 as pure functions of instants, shifts and settings. Everything that decides
 * a work date, an expected window, lateness, early/after-shift check-out, classification or an auto-close deadline
 * is here, so check-in, check-out, corrections, views and the job agree by construction.
 */
import { addDays, isoWeekdayOf, localParts, zonedInstant } from '../../lib/zoned-time.ts';

const MINUTE = 60_000;

/** What the rules need of a shift (02 §2.5); times as minutes since local midnight. */
export interface ShiftRule {
  id: string;
  startMinutes: number;
  endMinutes: number;
  timezone: string;
  graceMinutes: number;
  /** ISO weekdays, 1 = Monday. */
  workingDays: readonly number[];
}

export interface Window {
  start: Date;
  end: Date;
}

export const isOvernight = (shift: Pick<ShiftRule, 'startMinutes' | 'endMinutes'>) => shift.endMinutes < shift.startMinutes;

/** `(end − start) mod 1440`, the shift's length in minutes. */
export const durationMinutes = (shift: Pick<ShiftRule, 'startMinutes' | 'endMinutes'>) => (shift.endMinutes - shift.startMinutes + 1440) % 1440;

/**
 * The work date of an instant (02 §4.2): the local date in the shift's zone (else ORG_TIMEZONE), except that on an
 * overnight shift an instant before `end + SHIFT_POST_END_GRACE_HOURS` belongs to the previous day.
 */
export function workDateOf(instant: Date, shift: ShiftRule | null, orgTimezone: string, postEndGraceHours: number): string {
  const local = localParts(instant, shift?.timezone ?? orgTimezone);
  if (shift && isOvernight(shift) && local.minutes < shift.endMinutes + postEndGraceHours * 60) return addDays(local.date, -1);
  return local.date;
}

/** Working day of the shift (Mon–Fri without a shift), ignoring holidays. */
export function isShiftWorkingDay(workDate: string, shift: ShiftRule | null): boolean {
  const weekday = isoWeekdayOf(workDate);
  return shift ? shift.workingDays.includes(weekday) : weekday <= 5;
}

/** 02 §4.3: a scheduled day has an effective shift, is one of its working days and is not a holiday. */
export function isScheduledDay(workDate: string, shift: ShiftRule | null, isHoliday: boolean): shift is ShiftRule {
  return shift !== null && !isHoliday && shift.workingDays.includes(isoWeekdayOf(workDate));
}

/** The expected window of a work date: `D@start` to `D@end`, or `(D+1)@end` for an overnight shift. */
export function expectedWindow(workDate: string, shift: ShiftRule): Window {
  return {
    start: zonedInstant(workDate, shift.startMinutes, shift.timezone),
    end: zonedInstant(isOvernight(shift) ? addDays(workDate, 1) : workDate, shift.endMinutes, shift.timezone),
  };
}

/** 02 §4.3 late: only the day's first session, strictly after start + grace; minutes counted from the start. */
export function lateness(checkInAt: Date, window: Window | null, graceMinutes: number, isFirstSessionOfDay: boolean): { isLate: boolean; lateMinutes: number } {
  if (!window || !isFirstSessionOfDay) return { isLate: false, lateMinutes: 0 };
  if (checkInAt.getTime() <= window.start.getTime() + graceMinutes * MINUTE) return { isLate: false, lateMinutes: 0 };
  return { isLate: true, lateMinutes: Math.floor((checkInAt.getTime() - window.start.getTime()) / MINUTE) };
}

export type CheckoutTiming = { kind: 'early'; minutes: number } | { kind: 'after'; minutes: number } | { kind: 'on_time' };

/** 02 §4.3: before the window end is early, after it is after-shift, exactly at it (or no window) is neither. */
export function checkoutTiming(at: Date, window: Window | null): CheckoutTiming {
  if (!window) return { kind: 'on_time' };
  const diff = at.getTime() - window.end.getTime();
  if (diff < 0) return { kind: 'early', minutes: Math.floor(-diff / MINUTE) };
  if (diff > 0) return { kind: 'after', minutes: Math.floor(diff / MINUTE) };
  return { kind: 'on_time' };
}

/** The expected window a session stored at check-in; null on an unscheduled day (both instants are null then). */
export function storedWindow(session: { expectedShiftStartAt: Date | null; expectedShiftEndAt: Date | null }): Window | null {
  return session.expectedShiftStartAt && session.expectedShiftEndAt ? { start: session.expectedShiftStartAt, end: session.expectedShiftEndAt } : null;
}

/** The check-out flags a session carries (02 §4.3); all off for an on-time check-out or an auto-close. */
export interface CheckoutFlags {
  isEarlyCheckout: boolean;
  earlyCheckoutMinutes: number;
  earlyCheckoutReason: string | null;
  afterShiftReason: 'overtime' | 'forgot_checkout' | null;
  afterShiftNote: string | null;
  afterShiftMinutes: number;
  isOvertime: boolean;
}

export const NO_CHECKOUT_FLAGS: CheckoutFlags = Object.freeze({
  isEarlyCheckout: false,
  earlyCheckoutMinutes: 0,
  earlyCheckoutReason: null,
  afterShiftReason: null,
  afterShiftNote: null,
  afterShiftMinutes: 0,
  isOvertime: false,
});

/**
 * The check-out flags of a check-out with `timing` (02 §4.3): early keeps the early reason, after-shift keeps the
 * after-shift reason and note and is overtime when that reason is `overtime`; the reasons of the other kind are dropped.
 * Shared by check-out (reasons from the body) and correction approval (reasons the session stored).
 */
export function checkoutFlagsFor(
  timing: CheckoutTiming,
  reasons: Pick<CheckoutFlags, 'earlyCheckoutReason' | 'afterShiftReason' | 'afterShiftNote'>,
): CheckoutFlags {
  if (timing.kind === 'early') {
    return { ...NO_CHECKOUT_FLAGS, isEarlyCheckout: true, earlyCheckoutMinutes: timing.minutes, earlyCheckoutReason: reasons.earlyCheckoutReason };
  }
  if (timing.kind === 'after') {
    return {
      ...NO_CHECKOUT_FLAGS,
      afterShiftReason: reasons.afterShiftReason,
      afterShiftNote: reasons.afterShiftNote,
      afterShiftMinutes: timing.minutes,
      isOvertime: reasons.afterShiftReason === 'overtime',
    };
  }
  return NO_CHECKOUT_FLAGS;
}

export type Classification = 'full_day' | 'short_leave' | 'half_day' | 'full_leave';

/** 02 §4.4 from worked minutes: < 60 full_leave; < 240 half_day; ≤ 360 short_leave; else full_day. */
export function classify(workedSeconds: number): Classification {
  const minutes = Math.floor(workedSeconds / 60);
  if (minutes < 60) return 'full_leave';
  if (minutes < 240) return 'half_day';
  if (minutes <= 360) return 'short_leave';
  return 'full_day';
}

export interface SessionDurations {
  grossSeconds: number;
  workedSeconds: number;
  classification: Classification;
}

/**
 * 02 §4.4 for a closed interval: whole gross seconds, worked = gross − unpaid break seconds (never negative) and its
 * classification. The one computation behind check-out, auto-close, account close and correction approval.
 */
export function sessionDurations(checkInAt: Date, checkOutAt: Date, unpaidBreakSeconds: number): SessionDurations {
  const grossSeconds = Math.floor((checkOutAt.getTime() - checkInAt.getTime()) / 1000);
  const workedSeconds = Math.max(0, grossSeconds - unpaidBreakSeconds);
  return { grossSeconds, workedSeconds, classification: classify(workedSeconds) };
}

export interface AutoClosePlan {
  /** When the session becomes stale. */
  dueAt: Date;
  reason: 'max_duration' | 'shift_ended';
}

/**
 * 02 §4.6: stale at min(check-in + max hours, window end + grace) — the shift deadline only when check-in came
 * before the window end (a check-in after the shift is capped by duration alone).
 */
export function autoClosePlan(checkInAt: Date, windowEnd: Date | null, maxActiveHours: number, graceMinutes: number): AutoClosePlan {
  const capAt = checkInAt.getTime() + maxActiveHours * 60 * MINUTE;
  const shiftAt = windowEnd && checkInAt.getTime() < windowEnd.getTime() ? windowEnd.getTime() + graceMinutes * MINUTE : Number.POSITIVE_INFINITY;
  return capAt <= shiftAt ? { dueAt: new Date(capAt), reason: 'max_duration' } : { dueAt: new Date(shiftAt), reason: 'shift_ended' };
}

/**
 * The check-out instant of an auto-close: the cap for `max_duration`; for `shift_ended` the window end, or later
 * if a break started or ended after it (breaks during the grace stay inside the session); never before check-in.
 */
export function autoCloseCheckOutAt(plan: AutoClosePlan, checkInAt: Date, windowEnd: Date | null, latestBreakInstant: Date | null): Date {
  if (plan.reason === 'max_duration') return plan.dueAt;
  const candidates = [windowEnd!.getTime(), checkInAt.getTime(), latestBreakInstant?.getTime() ?? 0];
  return new Date(Math.max(...candidates));
}
