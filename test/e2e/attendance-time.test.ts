/**
 * Time rules of attendance (02 §4.2–§4.6) driven by a FixedClock: work dates in ORG_TIMEZONE without a shift, the
 * shift's own zone with 23- and 25-hour DST days, overnight shifts across midnight, check-ins at 00:30 local time
 * and check-ins after the shift end. Every duration is a difference of UTC instants.
 */
import { expect } from 'chai';
import type { FixtureUser } from '../helpers/fixtures.ts';
import { FixedClock, type TestApp } from '../helpers/harness.ts';
import { apiAt, employeeOn, HOUR, insertHoliday, insertShift, sessionRows, startKarachiApp } from '../helpers/attendance-sessions.ts';
import { expectError, ok } from '../helpers/expect.ts';

describe('attendance time rules (02 §4.2–§4.6)', function () {
  const clock = new FixedClock('2026-06-25T04:00:00.000Z');
  let app: TestApp;

  before(async () => {
    app = await startKarachiApp(clock);
  });
  after(() => app.close());

  const api = (user: FixtureUser, when: string) => apiAt(app, clock, user, when);
  const userOn = (shift: string | null): Promise<FixtureUser> => employeeOn(app, shift);

  const checkIn = async (user: FixtureUser, when: string) =>
    ok(await (await api(user, when)).POST('/attendance/check-in', { body: { workMode: 'office' } }), 201);
  const checkOut = async (user: FixtureUser, when: string, body?: Record<string, string>) =>
    (await api(user, when)).POST('/attendance/check-out', body ? { body: body as never } : {});

  describe('ORG_TIMEZONE=Asia/Karachi without a shift', () => {
    it('the work date is the Karachi calendar date of the check-in, not the UTC date (00:30 local → that date)', async () => {
      const a = await userOn(null);
      expect((await checkIn(a, '2026-06-24T18:59:00.000Z')).workDate).to.equal('2026-06-24'); // 23:59 PKT
      const b = await userOn(null);
      const s = await checkIn(b, '2026-06-24T19:30:00.000Z'); // 00:30 PKT on Jun 25, still Jun 24 in UTC
      expect(s).to.deep.include({ workDate: '2026-06-25', isScheduledDay: false, expectedShiftStartAt: null });
      const listed = ok(await (await api(b, '2026-06-24T19:31:00.000Z')).GET('/attendance/me', { params: { query: { from: '2026-06-25', to: '2026-06-25' } } }));
      expect(listed.items.map((i) => i.id)).to.deep.equal([s.id]);
    });

    it('a session crossing local midnight keeps its check-in work date and its whole duration', async () => {
      const user = await userOn(null);
      const s = await checkIn(user, '2026-06-25T17:00:00.000Z'); // 22:00 PKT
      const closed = ok(await checkOut(user, '2026-06-25T21:30:00.000Z')); // 02:30 PKT next day
      expect(closed).to.deep.include({ id: s.id, workDate: '2026-06-25', grossSeconds: 4.5 * 3600, classification: 'short_leave' });
    });
  });

  describe('a shift in a DST zone (instants, not wall clocks)', () => {
    it('America/New_York overnight 22:00–06:00 on the 23-hour night (DST starts 2026-03-08): a 7 h window and 7 h worked', async () => {
      const shift = await insertShift(app, { start: '22:00', end: '06:00', timezone: 'America/New_York', workingDays: [1, 2, 3, 4, 5, 6, 7] });
      const user = await userOn(shift);
      const s = await checkIn(user, '2026-03-08T03:00:00.000Z'); // 22:00 EST on Sat Mar 7
      expect(s).to.deep.include({ workDate: '2026-03-07', expectedShiftStartAt: '2026-03-08T03:00:00.000Z', expectedShiftEndAt: '2026-03-08T10:00:00.000Z', isLate: false });
      const closed = ok(await checkOut(user, '2026-03-08T10:00:00.000Z')); // 06:00 EDT: exactly the end, no reason needed
      expect(closed).to.deep.include({ grossSeconds: 7 * 3600, workedSeconds: 7 * 3600, classification: 'full_day', isEarlyCheckout: false, afterShiftMinutes: 0 });
    });

    it('America/New_York overnight 22:00–06:00 on the 25-hour night (DST ends 2026-11-01): a 9 h window and 9 h worked', async () => {
      const shift = await insertShift(app, { start: '22:00', end: '06:00', timezone: 'America/New_York', workingDays: [1, 2, 3, 4, 5, 6, 7] });
      const user = await userOn(shift);
      const s = await checkIn(user, '2026-11-01T02:00:00.000Z'); // 22:00 EDT on Sat Oct 31
      expect(s).to.deep.include({ workDate: '2026-10-31', expectedShiftStartAt: '2026-11-01T02:00:00.000Z', expectedShiftEndAt: '2026-11-01T11:00:00.000Z' });
      const early = await checkOut(user, '2026-11-01T10:00:00.000Z'); // 05:00 EST: one hour early although 8 wall-clock hours passed
      expectError(early, 422, 'VALIDATION_ERROR', ['body.earlyCheckoutReason']);
      const closed = ok(await checkOut(user, '2026-11-01T11:00:00.000Z'));
      expect(closed).to.deep.include({ grossSeconds: 9 * 3600, workedSeconds: 9 * 3600, isEarlyCheckout: false });
    });

    it('Europe/Berlin day shift 01:00–05:00: 3 h on 2026-03-29 and 5 h on 2026-10-25', async () => {
      const shift = await insertShift(app, { start: '01:00', end: '05:00', timezone: 'Europe/Berlin', workingDays: [7] });
      const spring = await userOn(shift);
      expect(await checkIn(spring, '2026-03-29T00:00:00.000Z')).to.deep.include({
        workDate: '2026-03-29',
        expectedShiftStartAt: '2026-03-29T00:00:00.000Z',
        expectedShiftEndAt: '2026-03-29T03:00:00.000Z',
      });
      expect(ok(await checkOut(spring, '2026-03-29T03:00:00.000Z')).grossSeconds).to.equal(3 * 3600);
      const autumn = await userOn(shift);
      expect(await checkIn(autumn, '2026-10-24T23:00:00.000Z')).to.deep.include({
        workDate: '2026-10-25',
        expectedShiftStartAt: '2026-10-24T23:00:00.000Z',
        expectedShiftEndAt: '2026-10-25T04:00:00.000Z',
      });
      expect(ok(await checkOut(autumn, '2026-10-25T04:00:00.000Z')).grossSeconds).to.equal(5 * 3600);
    });

    it('a start inside the DST gap (02:30 on 2026-03-08, New York) moves forward by the gap; lateness counts from that instant', async () => {
      const shift = await insertShift(app, { start: '02:30', end: '10:30', timezone: 'America/New_York', grace: 15, workingDays: [7] });
      const user = await userOn(shift);
      const s = await checkIn(user, '2026-03-08T07:50:00.000Z'); // 03:50 EDT
      expect(s).to.deep.include({ expectedShiftStartAt: '2026-03-08T07:30:00.000Z', expectedShiftEndAt: '2026-03-08T14:30:00.000Z', isLate: true, lateMinutes: 20 });
    });
  });

  describe('overnight shifts in Karachi', () => {
    it('17:00–02:00: 17:10 Jun 25 → Jun 25; 01:30 Jun 26 → Jun 25; 05:59 Jun 26 → Jun 25; 06:00 Jun 26 → Jun 26 (SHIFT_POST_END_GRACE_HOURS=4)', async () => {
      const shift = await insertShift(app, { start: '17:00', end: '02:00', timezone: 'Asia/Karachi', workingDays: [1, 2, 3, 4, 5, 6, 7] });
      const cases: [string, string][] = [
        ['2026-06-25T12:10:00.000Z', '2026-06-25'],
        ['2026-06-25T20:30:00.000Z', '2026-06-25'],
        ['2026-06-26T00:59:00.000Z', '2026-06-25'],
        ['2026-06-26T01:00:00.000Z', '2026-06-26'],
      ];
      for (const [when, workDate] of cases) {
        const user = await userOn(shift);
        expect((await checkIn(user, when)).workDate, when).to.equal(workDate);
      }
    });

    it('22:00–06:00: a check-in at 00:30 local belongs to the previous date and is late from 22:00; a day shift keeps that calendar date', async () => {
      const night = await insertShift(app, { start: '22:00', end: '06:00', timezone: 'Asia/Karachi', workingDays: [1, 2, 3, 4, 5, 6, 7] });
      const day = await insertShift(app, { start: '09:00', end: '17:00', timezone: 'Asia/Karachi', workingDays: [1, 2, 3, 4, 5, 6, 7] });
      const nightUser = await userOn(night);
      expect(await checkIn(nightUser, '2026-06-25T19:30:00.000Z')).to.deep.include({
        workDate: '2026-06-25',
        expectedShiftStartAt: '2026-06-25T17:00:00.000Z',
        expectedShiftEndAt: '2026-06-26T01:00:00.000Z',
        isLate: true,
        lateMinutes: 150,
      });
      const dayUser = await userOn(day);
      expect(await checkIn(dayUser, '2026-06-25T19:30:00.000Z')).to.deep.include({ workDate: '2026-06-26', isLate: false, expectedShiftStartAt: '2026-06-26T04:00:00.000Z' });
    });

    it('22:00–06:00 checked out after midnight: early and after-shift are judged against the next-morning end', async () => {
      const night = await insertShift(app, { start: '22:00', end: '06:00', timezone: 'Asia/Karachi', workingDays: [1, 2, 3, 4, 5, 6, 7] });
      const early = await userOn(night);
      await checkIn(early, '2026-06-25T17:05:00.000Z'); // 22:05 PKT
      expectError(await checkOut(early, '2026-06-26T00:30:00.000Z'), 422, 'VALIDATION_ERROR', ['body.earlyCheckoutReason']); // 05:30 PKT
      expect(ok(await checkOut(early, '2026-06-26T00:30:00.000Z', { earlyCheckoutReason: 'bus leaves' }))).to.deep.include({
        workDate: '2026-06-25',
        isEarlyCheckout: true,
        earlyCheckoutMinutes: 30,
        grossSeconds: 7 * 3600 + 25 * 60,
      });
      const exact = await userOn(night);
      await checkIn(exact, '2026-06-25T17:00:00.000Z');
      expect(ok(await checkOut(exact, '2026-06-26T01:00:00.000Z'))).to.deep.include({ isEarlyCheckout: false, afterShiftMinutes: 0, workedSeconds: 8 * 3600 });
      const after = await userOn(night);
      await checkIn(after, '2026-06-25T17:00:00.000Z');
      expectError(await checkOut(after, '2026-06-26T01:40:00.000Z'), 422, 'VALIDATION_ERROR', ['body.afterShiftReason', 'body.afterShiftNote']);
      expect(ok(await checkOut(after, '2026-06-26T01:40:00.000Z', { afterShiftReason: 'overtime', afterShiftNote: 'deploy' }))).to.deep.include({
        workDate: '2026-06-25',
        afterShiftMinutes: 40,
        isOvertime: true,
      });
    });

    it('a holiday on the work date covers the whole night shift (a check-in after midnight is not scheduled)', async () => {
      const night = await insertShift(app, { start: '22:00', end: '06:00', timezone: 'Asia/Karachi', workingDays: [1, 2, 3, 4, 5, 6, 7] });
      await insertHoliday(app, '2026-07-09', 'Night holiday');
      const user = await userOn(night);
      expect(await checkIn(user, '2026-07-09T20:30:00.000Z')).to.deep.include({ workDate: '2026-07-09', isScheduledDay: false, isLate: false, expectedShiftEndAt: null });
    });

    it('getMyToday at 01:30 local on a night shift reports the previous (evening) work date', async () => {
      const night = await insertShift(app, { start: '22:00', end: '06:00', timezone: 'Asia/Karachi', workingDays: [1, 2, 3, 4, 5, 6, 7] });
      const user = await userOn(night);
      const s = await checkIn(user, '2026-06-25T17:00:00.000Z');
      const today = ok(await (await api(user, '2026-06-25T20:30:00.000Z')).GET('/attendance/me/today'));
      expect(today).to.deep.include({ workDate: '2026-06-25', dayStatus: 'present', activeSessionId: s.id });
      expect(today.sessions.map((x) => x.id)).to.deep.equal([s.id]);
    });
  });

  describe('check-in after the shift end (02 §6.1)', () => {
    it('is not closed immediately and is capped by the 16 h maximum only', async () => {
      const shift = await insertShift(app, { start: '09:00', end: '17:00', timezone: 'Asia/Karachi' });
      const user = await userOn(shift);
      const s = await checkIn(user, '2026-06-25T13:30:00.000Z'); // 18:30 PKT, after the 17:00 end
      expect(s.expectedShiftEndAt).to.equal('2026-06-25T12:00:00.000Z');
      for (const when of ['2026-06-25T13:31:00.000Z', '2026-06-25T15:00:00.000Z', '2026-06-26T05:29:59.000Z']) {
        const active = ok(await (await api(user, when)).GET('/attendance/active'));
        expect(active.session?.id, when).to.equal(s.id);
        clock.set(when);
        await app.running.services.scheduler.runOnce('attendance-auto-close');
        expect((await sessionRows(app, user.id))[0]!.status, when).to.equal('active');
      }
      clock.set('2026-06-26T05:30:00.000Z');
      await app.running.services.scheduler.runOnce('attendance-auto-close');
      const [row] = await sessionRows(app, user.id);
      expect(row).to.deep.include({ status: 'incomplete', auto_closed_reason: 'max_duration', gross_seconds: 16 * 3600 });
      expect(row!.check_out_at!.getTime() - row!.check_in_at.getTime()).to.equal(16 * HOUR);
    });

    it('a 03:30 check-in on a 17:00–02:00 shift belongs to the previous date and is capped by duration only', async () => {
      const shift = await insertShift(app, { start: '17:00', end: '02:00', timezone: 'Asia/Karachi', workingDays: [1, 2, 3, 4, 5, 6, 7] });
      const user = await userOn(shift);
      const s = await checkIn(user, '2026-06-25T22:30:00.000Z'); // 03:30 PKT on Jun 26
      expect(s).to.deep.include({ workDate: '2026-06-25', expectedShiftEndAt: '2026-06-25T21:00:00.000Z' });
      const later = ok(await (await api(user, '2026-06-26T00:00:00.000Z')).GET('/attendance/active'));
      expect(later.session?.status).to.equal('active');
      const closed = ok(await (await api(user, '2026-06-26T14:30:00.000Z')).GET('/attendance/me', { params: { query: { from: '2026-06-25', to: '2026-06-25' } } }));
      expect(closed.items[0]).to.deep.include({ status: 'incomplete', autoClosedReason: 'max_duration', checkOutAt: '2026-06-26T14:30:00.000Z' });
    });
  });
});
