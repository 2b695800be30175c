import { expect } from 'chai';
import {
  autoCloseCheckOutAt,
  autoClosePlan,
  checkoutFlagsFor,
  checkoutTiming,
  classify,
  durationMinutes,
  expectedWindow,
  isScheduledDay,
  lateness,
  NO_CHECKOUT_FLAGS,
  sessionDurations,
  storedWindow,
  workDateOf,
  type ShiftRule,
} from '../../src/modules/attendance/schedule.ts';

const night: ShiftRule = { id: 'n', startMinutes: 17 * 60, endMinutes: 2 * 60, timezone: 'Asia/Karachi', graceMinutes: 15, workingDays: [1, 2, 3, 4, 5] };
const day: ShiftRule = { id: 'd', startMinutes: 9 * 60, endMinutes: 17 * 60, timezone: 'Asia/Karachi', graceMinutes: 15, workingDays: [1, 2, 3, 4, 5] };
const pkt = (local: string) => new Date(`${local}+05:00`);

describe('attendance rules (02 §4.2–§4.6)', () => {
  describe('work date', () => {
    it('follows the spec examples for a 17:00–02:00 shift in Asia/Karachi', () => {
      expect(workDateOf(pkt('2026-06-25T17:10:00'), night, 'UTC', 4)).to.equal('2026-06-25');
      expect(workDateOf(pkt('2026-06-26T01:30:00'), night, 'UTC', 4)).to.equal('2026-06-25');
      expect(workDateOf(pkt('2026-06-26T05:59:00'), night, 'UTC', 4)).to.equal('2026-06-25');
      expect(workDateOf(pkt('2026-06-26T06:00:00'), night, 'UTC', 4)).to.equal('2026-06-26');
    });
    it('is the local calendar date for a day shift or no shift (ORG_TIMEZONE)', () => {
      expect(workDateOf(pkt('2026-06-26T00:30:00'), day, 'UTC', 4)).to.equal('2026-06-26');
      expect(workDateOf(pkt('2026-06-26T00:30:00'), null, 'Asia/Karachi', 4)).to.equal('2026-06-26');
      expect(workDateOf(pkt('2026-06-26T00:30:00'), null, 'UTC', 4)).to.equal('2026-06-25');
    });
  });

  describe('expected window', () => {
    it('spans midnight for an overnight shift', () => {
      const w = expectedWindow('2026-06-25', night);
      expect(w.start.toISOString()).to.equal('2026-06-25T12:00:00.000Z');
      expect(w.end.toISOString()).to.equal('2026-06-25T21:00:00.000Z');
      expect(durationMinutes(night)).to.equal(540);
    });
    it('is 23 hours of wall clock shorter/longer across DST (America/New_York 22:00–06:00)', () => {
      const ny: ShiftRule = { ...night, startMinutes: 22 * 60, endMinutes: 6 * 60, timezone: 'America/New_York' };
      const spring = expectedWindow('2026-03-07', ny); // the night clocks go forward
      const fall = expectedWindow('2026-10-31', ny); // the night clocks go back
      expect((spring.end.getTime() - spring.start.getTime()) / 3_600_000).to.equal(7);
      expect((fall.end.getTime() - fall.start.getTime()) / 3_600_000).to.equal(9);
    });
  });

  it('schedules only working days that are not holidays', () => {
    expect(isScheduledDay('2026-06-26', day, false)).to.equal(true); // Friday
    expect(isScheduledDay('2026-06-27', day, false)).to.equal(false); // Saturday
    expect(isScheduledDay('2026-06-26', day, true)).to.equal(false);
    expect(isScheduledDay('2026-06-26', null, false)).to.equal(false);
  });

  it('is late only strictly after start + grace, counting minutes from the start, for the first session', () => {
    const w = expectedWindow('2026-06-26', day);
    expect(lateness(pkt('2026-06-26T09:15:00'), w, 15, true)).to.deep.equal({ isLate: false, lateMinutes: 0 });
    expect(lateness(pkt('2026-06-26T09:15:01'), w, 15, true)).to.deep.equal({ isLate: true, lateMinutes: 15 });
    expect(lateness(pkt('2026-06-26T10:42:00'), w, 15, true)).to.deep.equal({ isLate: true, lateMinutes: 102 });
    expect(lateness(pkt('2026-06-26T10:42:00'), w, 15, false)).to.deep.equal({ isLate: false, lateMinutes: 0 });
    expect(lateness(pkt('2026-06-26T08:00:00'), w, 15, true)).to.deep.equal({ isLate: false, lateMinutes: 0 });
    expect(lateness(pkt('2026-06-26T10:42:00'), null, 15, true)).to.deep.equal({ isLate: false, lateMinutes: 0 });
  });

  it('tells early, after-shift and exactly-on-time check-outs apart', () => {
    const w = expectedWindow('2026-06-26', day);
    expect(checkoutTiming(pkt('2026-06-26T16:59:30'), w)).to.deep.equal({ kind: 'early', minutes: 0 });
    expect(checkoutTiming(pkt('2026-06-26T15:00:00'), w)).to.deep.equal({ kind: 'early', minutes: 120 });
    expect(checkoutTiming(pkt('2026-06-26T17:00:00'), w)).to.deep.equal({ kind: 'on_time' });
    expect(checkoutTiming(pkt('2026-06-26T18:30:59'), w)).to.deep.equal({ kind: 'after', minutes: 90 });
    expect(checkoutTiming(pkt('2026-06-26T18:30:59'), null)).to.deep.equal({ kind: 'on_time' });
  });

  it('classifies worked time at the exact boundaries', () => {
    expect(classify(59 * 60 + 59)).to.equal('full_leave');
    expect(classify(60 * 60)).to.equal('half_day');
    expect(classify(239 * 60 + 59)).to.equal('half_day');
    expect(classify(240 * 60)).to.equal('short_leave');
    expect(classify(360 * 60 + 59)).to.equal('short_leave');
    expect(classify(361 * 60)).to.equal('full_day');
  });

  it('derives check-out flags from the timing, keeping only the reasons of that kind (check-out and correction approval)', () => {
    const reasons = { earlyCheckoutReason: 'doctor visit', afterShiftReason: 'overtime' as const, afterShiftNote: 'release' };
    expect(checkoutFlagsFor({ kind: 'early', minutes: 42 }, reasons)).to.deep.equal({
      ...NO_CHECKOUT_FLAGS,
      isEarlyCheckout: true,
      earlyCheckoutMinutes: 42,
      earlyCheckoutReason: 'doctor visit',
    });
    expect(checkoutFlagsFor({ kind: 'after', minutes: 90 }, reasons)).to.deep.equal({
      ...NO_CHECKOUT_FLAGS,
      afterShiftReason: 'overtime',
      afterShiftNote: 'release',
      afterShiftMinutes: 90,
      isOvertime: true,
    });
    expect(checkoutFlagsFor({ kind: 'after', minutes: 5 }, { ...reasons, afterShiftReason: 'forgot_checkout' })).to.deep.include({ afterShiftMinutes: 5, isOvertime: false });
    expect(checkoutFlagsFor({ kind: 'on_time' }, reasons)).to.deep.equal({
      isEarlyCheckout: false,
      earlyCheckoutMinutes: 0,
      earlyCheckoutReason: null,
      afterShiftReason: null,
      afterShiftNote: null,
      afterShiftMinutes: 0,
      isOvertime: false,
    });
  });

  it('takes the stored window only when both instants are set', () => {
    const w = expectedWindow('2026-06-26', day);
    expect(storedWindow({ expectedShiftStartAt: w.start, expectedShiftEndAt: w.end })).to.deep.equal(w);
    expect(storedWindow({ expectedShiftStartAt: null, expectedShiftEndAt: null })).to.equal(null);
  });

  it('computes gross and worked seconds (minus unpaid breaks, never negative) and the classification', () => {
    const checkIn = pkt('2026-06-26T09:00:00');
    expect(sessionDurations(checkIn, pkt('2026-06-26T17:00:00.999'), 1800)).to.deep.equal({ grossSeconds: 28_800, workedSeconds: 27_000, classification: 'full_day' });
    expect(sessionDurations(checkIn, pkt('2026-06-26T13:00:00'), 0)).to.deep.equal({ grossSeconds: 14_400, workedSeconds: 14_400, classification: 'short_leave' });
    expect(sessionDurations(checkIn, pkt('2026-06-26T09:10:00'), 900)).to.deep.equal({ grossSeconds: 600, workedSeconds: 0, classification: 'full_leave' });
  });

  describe('auto-close', () => {
    it('closes at shift end + grace, crediting work up to the shift end', () => {
      const w = expectedWindow('2026-06-26', day);
      const plan = autoClosePlan(pkt('2026-06-26T09:00:00'), w.end, 16, 60);
      expect(plan).to.deep.equal({ dueAt: pkt('2026-06-26T18:00:00'), reason: 'shift_ended' });
      expect(autoCloseCheckOutAt(plan, pkt('2026-06-26T09:00:00'), w.end, null).toISOString()).to.equal(w.end.toISOString());
      expect(autoCloseCheckOutAt(plan, pkt('2026-06-26T09:00:00'), w.end, pkt('2026-06-26T17:20:00'))).to.deep.equal(pkt('2026-06-26T17:20:00'));
    });
    it('caps a check-in after the shift end by duration alone (never closes before it began)', () => {
      const w = expectedWindow('2026-06-26', day);
      const plan = autoClosePlan(pkt('2026-06-26T18:30:00'), w.end, 16, 60);
      expect(plan).to.deep.equal({ dueAt: pkt('2026-06-27T10:30:00'), reason: 'max_duration' });
    });
    it('uses the 16 h cap without a window', () => {
      expect(autoClosePlan(pkt('2026-06-27T10:00:00'), null, 16, 60)).to.deep.equal({ dueAt: pkt('2026-06-28T02:00:00'), reason: 'max_duration' });
    });
  });
});
