/**
 * Check-in and check-out (02 §3.1, §4.2–§4.4, §4.7 late/early/overtime, §5 rows on check-in/out) through the SDK
 * against the real app: stored flags, durations, exceptions, daily_stats, outbox events, and the hostile inputs.
 * ORG_TIMEZONE=Asia/Karachi (UTC+5, no DST); the clock starts on Thursday 2026-06-25 09:00 PKT.
 */
import { expect } from 'chai';
import { createUser, type FixtureUser } from '../helpers/fixtures.ts';
import { FixedClock, type TestApp } from '../helpers/harness.ts';
import {
  apiAt,
  as,
  dailyStats,
  DAY_SHIFT,
  employeeOn,
  exceptionRows,
  insertHoliday,
  insertShift,
  rawPost,
  sessionRows,
  startKarachiApp,
} from '../helpers/attendance-sessions.ts';
import { expectError, ok } from '../helpers/expect.ts';
import { eventsFor } from '../helpers/rows.ts';

describe('attendance sessions: check-in and check-out (02 §3.1)', function () {
  const clock = new FixedClock('2026-06-25T04:00:00.000Z');
  let app: TestApp;
  let dayShift: string;
  let manager: FixtureUser;

  before(async () => {
    app = await startKarachiApp(clock);
    dayShift = await insertShift(app, DAY_SHIFT);
    manager = await createUser(app, { role: 'manager' });
  });
  after(() => app.close());

  /** An employee reporting to `manager`, on the 09:00–17:00 Karachi shift unless `shift` is null. */
  const employee = (shift: string | null = dayShift): Promise<FixtureUser> => employeeOn(app, shift, manager.id);

  async function checkInOk(user: FixtureUser, at: string, workMode: 'office' | 'wfh' = 'office') {
    return ok(await (await apiAt(app, clock, user, at)).POST('/attendance/check-in', { body: { workMode } }), 201);
  }

  async function checkOutAt(user: FixtureUser, at: string, body?: Record<string, string>) {
    return (await apiAt(app, clock, user, at)).POST('/attendance/check-out', body ? { body: body as never } : {});
  }

  describe('check-in', () => {
    it('opens an active session at the server clock with the shift, work date, expected window and no lateness within grace', async () => {
      const user = await employee();
      const session = await checkInOk(user, '2026-06-25T04:10:00.000Z');
      expect(session).to.deep.include({
        userId: user.id,
        userFullName: user.fullName,
        workDate: '2026-06-25',
        workMode: 'office',
        wfhApproved: null,
        status: 'active',
        classification: 'active',
        checkInAt: '2026-06-25T04:10:00.000Z',
        checkOutAt: null,
        shiftId: dayShift,
        isScheduledDay: true,
        expectedShiftStartAt: '2026-06-25T04:00:00.000Z',
        expectedShiftEndAt: '2026-06-25T12:00:00.000Z',
        isLate: false,
        lateMinutes: 0,
        grossSeconds: null,
        workedSeconds: null,
        breakSeconds: 0,
        breakSecondsByType: { dinner: 0, prayer: 0, other: 0 },
        breakOverAllowanceSeconds: 0,
        autoClosedReason: null,
        isCorrected: false,
        correctionPending: false,
        activeBreak: null,
        createdAt: '2026-06-25T04:10:00.000Z',
      });
      expect(await exceptionRows(app, user.id)).to.deep.equal([]);
      expect(await dailyStats(app, user.id, '2026-06-25')).to.deep.include({ session_count: 1, day_status: 'present', is_late: false, day_classification: null });
    });

    it('publishes attendance.checked_in and dashboard.changed to the user and their active manager, and writes no audit row', async () => {
      const user = await employee();
      const session = await checkInOk(user, '2026-06-25T04:05:00.000Z');
      const events = await eventsFor(app, session.id);
      expect(events.map((e) => e.event.type)).to.deep.equal(['attendance.checked_in', 'dashboard.changed']);
      expect(events[0]!.audience_user_ids).to.have.members([user.id, manager.id]);
      expect(events[0]!.event.payload).to.deep.equal({
        sessionId: session.id,
        userId: user.id,
        workDate: '2026-06-25',
        workMode: 'office',
        checkInAt: '2026-06-25T04:05:00.000Z',
        isLate: false,
        lateMinutes: 0,
      });
      expect(events[1]!.event.payload).to.deep.equal({ scope: 'attendance' });
      const { rows } = await app.sql.query(`SELECT action FROM audit_logs WHERE actor_user_id = $1`, [user.id]);
      expect(rows).to.deep.equal([]);
    });

    it('does not send the team copy to an inactive manager', async () => {
      const away = await createUser(app, { role: 'manager', status: 'suspended' });
      const user = await createUser(app, { role: 'employee', managerId: away.id });
      const session = await checkInOk(user, '2026-06-25T04:05:00.000Z');
      const events = await eventsFor(app, session.id);
      expect(events[0]!.audience_user_ids).to.deep.equal([user.id]);
    });

    it('is late only strictly after start + grace, counting minutes from the start, and raises a medium `late` exception', async () => {
      const onTime = await employee();
      expect(await checkInOk(onTime, '2026-06-25T04:15:00.000Z')).to.deep.include({ isLate: false, lateMinutes: 0 });
      const late = await employee();
      const session = await checkInOk(late, '2026-06-25T04:16:30.000Z');
      expect(session).to.deep.include({ isLate: true, lateMinutes: 16 });
      expect(await exceptionRows(app, late.id)).to.deep.equal([
        {
          type: 'late',
          severity: 'medium',
          status: 'open',
          work_date: '2026-06-25',
          session_id: session.id,
          reason: 'Checked in 16 min after the shift start',
          resolution_note: null,
          resolved_by_id: null,
        },
      ]);
      expect(await exceptionRows(app, onTime.id)).to.deep.equal([]);
    });

    it('flags only the first session of the work date as late', async () => {
      const user = await employee();
      await checkInOk(user, '2026-06-25T03:50:00.000Z');
      ok(await checkOutAt(user, '2026-06-25T05:00:00.000Z', { earlyCheckoutReason: 'doctor visit' }));
      const second = await checkInOk(user, '2026-06-25T06:00:00.000Z');
      expect(second).to.deep.include({ isLate: false, lateMinutes: 0, workDate: '2026-06-25' });
      expect((await exceptionRows(app, user.id)).map((e) => e.type)).to.deep.equal(['early']);
    });

    it('records WFH with wfhApproved=false (no approved WFH leave exists yet) and never refuses it', async () => {
      const user = await employee();
      const session = await checkInOk(user, '2026-06-25T04:00:00.000Z', 'wfh');
      expect(session).to.deep.include({ workMode: 'wfh', wfhApproved: false });
      expect(await dailyStats(app, user.id, '2026-06-25')).to.deep.include({ day_status: 'wfh', is_wfh: true });
    });

    it('without a shift: no scheduled day, no window, no lateness (work date = the ORG_TIMEZONE calendar date)', async () => {
      const user = await employee(null);
      const session = await checkInOk(user, '2026-06-25T08:00:00.000Z');
      expect(session).to.deep.include({
        workDate: '2026-06-25',
        shiftId: null,
        isScheduledDay: false,
        expectedShiftStartAt: null,
        expectedShiftEndAt: null,
        isLate: false,
      });
    });

    it('on a holiday: the shift is stored but the day is not scheduled and nothing is late', async () => {
      const holidayShift = await insertShift(app, { start: '09:00', end: '17:00', timezone: 'Asia/Karachi', workingDays: [1, 2, 3, 4, 5, 6, 7] });
      await insertHoliday(app, '2026-07-01', 'Test holiday');
      const user = await employee(holidayShift);
      const session = await checkInOk(user, '2026-07-01T07:00:00.000Z');
      expect(session).to.deep.include({ workDate: '2026-07-01', shiftId: holidayShift, isScheduledDay: false, expectedShiftStartAt: null, isLate: false });
      expect(await exceptionRows(app, user.id)).to.deep.equal([]);
    });

    it('on an off day (Saturday for a Mon–Fri shift): not scheduled, not late', async () => {
      const user = await employee();
      const session = await checkInOk(user, '2026-06-27T07:00:00.000Z');
      expect(session).to.deep.include({ workDate: '2026-06-27', isScheduledDay: false, isLate: false, expectedShiftEndAt: null });
    });

    it('resolves an open `absent` exception of the work date as the system', async () => {
      const user = await employee();
      await app.sql.query(
        `INSERT INTO attendance_exceptions (user_id, work_date, type, severity, status, detected_at) VALUES ($1, '2026-06-25', 'absent', 'high', 'open', now())`,
        [user.id],
      );
      await checkInOk(user, '2026-06-25T06:00:00.000Z');
      const absent = (await exceptionRows(app, user.id)).find((e) => e.type === 'absent')!;
      expect(absent).to.deep.include({ status: 'resolved', resolved_by_id: null, resolution_note: 'auto: checked in' });
    });

    it('getActiveSession returns the active session and its open break, and nulls when none', async () => {
      const user = await employee();
      clock.set('2026-06-25T04:00:00.000Z');
      let { api } = await as(app, user);
      expect(ok(await api.GET('/attendance/active'))).to.deep.equal({ session: null, activeBreak: null });
      const session = await checkInOk(user, '2026-06-25T04:00:00.000Z');
      clock.set('2026-06-25T06:00:00.000Z');
      ({ api } = await as(app, user));
      const opened = ok(await api.POST('/attendance/breaks/start', { body: { breakType: 'prayer' } }), 201);
      const active = ok(await api.GET('/attendance/active'));
      expect(active.session!.id).to.equal(session.id);
      expect(active.activeBreak).to.deep.equal(opened);
      expect(active.session!.activeBreak).to.deep.equal(opened);
    });
  });

  describe('check-out', () => {
    it('exactly at the shift end needs no reason; durations and classification follow §4.4', async () => {
      const user = await employee();
      const session = await checkInOk(user, '2026-06-25T04:00:00.000Z');
      const closed = ok(await checkOutAt(user, '2026-06-25T12:00:00.000Z'));
      expect(closed).to.deep.include({
        id: session.id,
        status: 'completed',
        classification: 'full_day',
        checkOutAt: '2026-06-25T12:00:00.000Z',
        grossSeconds: 28_800,
        workedSeconds: 28_800,
        isEarlyCheckout: false,
        earlyCheckoutMinutes: 0,
        afterShiftReason: null,
        afterShiftMinutes: 0,
        isOvertime: false,
        updatedAt: '2026-06-25T12:00:00.000Z',
      });
      expect(await dailyStats(app, user.id, '2026-06-25')).to.deep.include({ day_status: 'checked_out', day_classification: 'full_day', worked_seconds: 28_800 });
    });

    it('publishes attendance.checked_out with durations and flags', async () => {
      const user = await employee();
      const session = await checkInOk(user, '2026-06-25T04:00:00.000Z');
      ok(await checkOutAt(user, '2026-06-25T09:00:00.500Z', { earlyCheckoutReason: 'family matter' }));
      const events = (await eventsFor(app, session.id)).filter((e) => e.event.type === 'attendance.checked_out');
      expect(events).to.have.length(1);
      expect(events[0]!.audience_user_ids).to.have.members([user.id, manager.id]);
      expect(events[0]!.event.payload).to.deep.equal({
        sessionId: session.id,
        userId: user.id,
        workDate: '2026-06-25',
        checkOutAt: '2026-06-25T09:00:00.500Z',
        workedSeconds: 18_000,
        classification: 'short_leave',
        isEarlyCheckout: true,
        isOvertime: false,
      });
    });

    it('early: stores the trimmed reason and the minutes, raises `early` (reason copied), ignores after-shift fields', async () => {
      const user = await employee();
      const session = await checkInOk(user, '2026-06-25T04:00:00.000Z');
      const closed = ok(
        await checkOutAt(user, '2026-06-25T11:29:30.000Z', {
          earlyCheckoutReason: '  child pickup  ',
          afterShiftReason: 'overtime',
          afterShiftNote: 'not needed',
        }),
      );
      expect(closed).to.deep.include({
        isEarlyCheckout: true,
        earlyCheckoutMinutes: 30,
        earlyCheckoutReason: 'child pickup',
        afterShiftReason: null,
        afterShiftNote: null,
        isOvertime: false,
      });
      const [early] = await exceptionRows(app, user.id);
      expect(early).to.deep.include({ type: 'early', severity: 'medium', status: 'open', session_id: session.id, reason: 'child pickup' });
    });

    it('less than a minute early is early with 0 minutes', async () => {
      const user = await employee();
      await checkInOk(user, '2026-06-25T04:00:00.000Z');
      expect(ok(await checkOutAt(user, '2026-06-25T11:59:30.000Z', { earlyCheckoutReason: 'leaving now' }))).to.deep.include({
        isEarlyCheckout: true,
        earlyCheckoutMinutes: 0,
      });
    });

    it('after the shift with overtime: minutes, note, isOvertime and a low `overtime` exception (note copied); the early reason is ignored', async () => {
      const user = await employee();
      await checkInOk(user, '2026-06-25T04:00:00.000Z');
      const closed = ok(
        await checkOutAt(user, '2026-06-25T12:40:59.000Z', { afterShiftReason: 'overtime', afterShiftNote: ' release night ', earlyCheckoutReason: 'ignored reason' }),
      );
      expect(closed).to.deep.include({
        afterShiftReason: 'overtime',
        afterShiftNote: 'release night',
        afterShiftMinutes: 40,
        isOvertime: true,
        isEarlyCheckout: false,
        earlyCheckoutReason: null,
      });
      const [overtime] = await exceptionRows(app, user.id);
      expect(overtime).to.deep.include({ type: 'overtime', severity: 'low', reason: 'release night' });
      expect(await dailyStats(app, user.id, '2026-06-25')).to.deep.include({ is_overtime: true });
    });

    it('after the shift with forgot_checkout: no overtime flag and no exception', async () => {
      const user = await employee();
      await checkInOk(user, '2026-06-25T04:00:00.000Z');
      const closed = ok(await checkOutAt(user, '2026-06-25T12:30:00.000Z', { afterShiftReason: 'forgot_checkout', afterShiftNote: 'meeting ran long' }));
      expect(closed).to.deep.include({ afterShiftReason: 'forgot_checkout', afterShiftMinutes: 30, isOvertime: false });
      expect(await exceptionRows(app, user.id)).to.deep.equal([]);
    });

    it('without an expected window nothing is required and well-formed extra fields are ignored', async () => {
      const user = await employee(null);
      await checkInOk(user, '2026-06-25T04:00:00.000Z');
      const closed = ok(await checkOutAt(user, '2026-06-25T05:00:00.000Z', { earlyCheckoutReason: 'some reason', afterShiftReason: 'overtime', afterShiftNote: 'n' }));
      expect(closed).to.deep.include({ isEarlyCheckout: false, earlyCheckoutReason: null, afterShiftReason: null, afterShiftNote: null, classification: 'half_day' });
      const [row] = await sessionRows(app, user.id);
      expect(row).to.deep.include({ early_checkout_reason: null, after_shift_reason: null, after_shift_note: null });
    });

    it('accepts an empty body and `{}`', async () => {
      const user = await employee(null);
      const token = (await checkInOk(user, '2026-06-25T04:00:00.000Z')) && (await as(app, user)).accessToken;
      const response = await fetch(`${app.url}/api/v1/attendance/check-out`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      expect(response.status).to.equal(200);
      const other = await employee(null);
      await checkInOk(other, '2026-06-25T04:00:00.000Z');
      const withEmpty = await rawPost(app, '/api/v1/attendance/check-out', (await as(app, other)).accessToken, '{}');
      expect(withEmpty.status).to.equal(200);
    });

    it('classification boundaries: 59 min full_leave, 60 min half_day, 6 h short_leave, 6 h 01 m full_day', async () => {
      const cases: [number, string][] = [
        [59 * 60 + 59, 'full_leave'],
        [60 * 60, 'half_day'],
        [360 * 60 + 59, 'short_leave'],
        [361 * 60, 'full_day'],
      ];
      for (const [seconds, classification] of cases) {
        const user = await employee(null);
        await checkInOk(user, '2026-06-25T04:00:00.000Z');
        const closed = ok(await checkOutAt(user, new Date(Date.parse('2026-06-25T04:00:00.000Z') + seconds * 1000).toISOString()));
        expect(closed, String(seconds)).to.deep.include({ grossSeconds: seconds, workedSeconds: seconds, classification });
      }
    });
  });

  describe('§5 bad input and abuse (check-in / check-out)', () => {
    it('§5: POST /attendance/check-in {} → 422 VALIDATION_ERROR, field body.workMode', async () => {
      const user = await employee();
      const { api } = await as(app, user);
      const result = await api.POST('/attendance/check-in', { body: {} as never });
      expectError(result, 422, 'VALIDATION_ERROR', ['body.workMode']);
      expect(await sessionRows(app, user.id)).to.deep.equal([]);
    });

    it('§5: {"workMode":"remote"}, {"workMode":"WFH"}, {"workMode":null} → 422 (enum is exact, lower-case)', async () => {
      const user = await employee();
      const { api } = await as(app, user);
      for (const workMode of ['remote', 'WFH', null]) {
        const result = await api.POST('/attendance/check-in', { body: { workMode } as never });
        expectError(result, 422, 'VALIDATION_ERROR', ['body.workMode']);
      }
      expect(await sessionRows(app, user.id)).to.deep.equal([]);
    });

    it('§5: {"work_mode":"office"} → 422 (unknown property + missing workMode)', async () => {
      const user = await employee();
      const { api } = await as(app, user);
      const envelope = expectError(await api.POST('/attendance/check-in', { body: { work_mode: 'office' } as never }), 422, 'VALIDATION_ERROR');
      // The validator reports the missing property first; every reported field is one of the two problems.
      const fields = envelope.details.map((d) => d.field);
      expect(fields).to.include('body.workMode');
      expect(fields.every((f) => f === 'body.workMode' || f === 'body.work_mode')).to.equal(true);
      expect(await sessionRows(app, user.id)).to.deep.equal([]);
    });

    it('§5: {"workMode":"office","checkInAt":"2020-01-01T00:00:00.000Z"} → 422 unknown property; no backdating', async () => {
      const user = await employee();
      const { api } = await as(app, user);
      const result = await api.POST('/attendance/check-in', { body: { workMode: 'office', checkInAt: '2020-01-01T00:00:00.000Z' } as never });
      const envelope = expectError(result, 422, 'VALIDATION_ERROR', ['body.checkInAt']);
      expect(envelope.details[0]!.message).to.equal('is not a known property');
      expect(await sessionRows(app, user.id)).to.deep.equal([]);
    });

    it('§5: check-in body sent as text/plain → 415 API_ERROR; malformed JSON → 422', async () => {
      const user = await employee();
      const { accessToken } = await as(app, user);
      const plain = await rawPost(app, '/api/v1/attendance/check-in', accessToken, '{"workMode":"office"}', 'text/plain');
      expect(plain.status).to.equal(415);
      expect(plain.json!.error!.code).to.equal('API_ERROR');
      const malformed = await rawPost(app, '/api/v1/attendance/check-in', accessToken, '{"workMode":"office"');
      expect(malformed.status).to.equal(422);
      expect(malformed.json!.error).to.deep.include({ code: 'VALIDATION_ERROR', details: [{ field: 'body', message: 'must be valid JSON' }] });
      expect(await sessionRows(app, user.id)).to.deep.equal([]);
    });

    it('§5: second check-in while active; 11th session on the same work date → 409 CONFLICT; still one active row', async () => {
      const user = await employee(null);
      await checkInOk(user, '2026-06-25T04:00:00.000Z');
      const { api } = await as(app, user);
      const second = expectError(await api.POST('/attendance/check-in', { body: { workMode: 'office' } }), 409, 'CONFLICT');
      expect(second.message).to.equal('You are already checked in; check out first.');
      expect((await sessionRows(app, user.id)).filter((s) => s.status === 'active')).to.have.length(1);
      ok(await checkOutAt(user, '2026-06-25T04:10:00.000Z'));
      for (let i = 1; i < 10; i++) {
        await checkInOk(user, new Date(Date.parse('2026-06-25T04:10:00.000Z') + i * 20 * 60_000).toISOString());
        ok(await checkOutAt(user, new Date(Date.parse('2026-06-25T04:20:00.000Z') + i * 20 * 60_000).toISOString()));
      }
      clock.set('2026-06-25T09:00:00.000Z');
      const eleventh = await (await as(app, user)).api.POST('/attendance/check-in', { body: { workMode: 'office' } });
      expect(expectError(eleventh, 409, 'CONFLICT').message).to.equal('The work date 2026-06-25 already has 10 sessions.');
      const rows = await sessionRows(app, user.id);
      expect(rows).to.have.length(10);
      expect(rows.filter((s) => s.status === 'active')).to.have.length(0);
    });

    it('§5: check-in by a suspended / deactivated account (old token) → 401 AUTH_ERROR; no row written', async () => {
      for (const status of ['suspended', 'inactive']) {
        const user = await employee();
        clock.set('2026-06-25T04:00:00.000Z');
        const { api } = await as(app, user);
        await app.sql.query('UPDATE users SET status = $2 WHERE id = $1', [user.id, status]);
        const result = await api.POST('/attendance/check-in', { body: { workMode: 'office' } });
        expectError(result, 401, 'AUTH_ERROR');
        expect(await sessionRows(app, user.id), status).to.deep.equal([]);
      }
    });

    it('§5: check-out with no active session, or after auto-close → 409', async () => {
      const user = await employee();
      const none = await checkOutAt(user, '2026-06-25T05:00:00.000Z');
      expect(expectError(none, 409, 'CONFLICT').message).to.equal('You have no active session to check out of.');
      await checkInOk(user, '2026-06-25T04:00:00.000Z');
      // Shift end 17:00 PKT + 60 min grace: at 18:00 PKT the session is stale; the lazy close closes it first.
      const late = await checkOutAt(user, '2026-06-25T13:00:00.000Z', { afterShiftReason: 'forgot_checkout', afterShiftNote: 'forgot' });
      expectError(late, 409, 'CONFLICT');
      const [row] = await sessionRows(app, user.id);
      expect(row).to.deep.include({ status: 'incomplete', auto_closed_reason: 'shift_ended' });
      expect(row!.check_out_at!.toISOString()).to.equal('2026-06-25T12:00:00.000Z');
    });

    it('§5: early check-out without reason, reason "abc", or "   abcd  " (4 after trim) → 422 body.earlyCheckoutReason', async () => {
      const user = await employee();
      await checkInOk(user, '2026-06-25T04:00:00.000Z');
      for (const body of [undefined, {}, { earlyCheckoutReason: 'abc' }, { earlyCheckoutReason: '   abcd  ' }, { afterShiftReason: 'overtime', afterShiftNote: 'x' }]) {
        const result = await checkOutAt(user, '2026-06-25T08:00:00.000Z', body as Record<string, string> | undefined);
        expectError(result, 422, 'VALIDATION_ERROR', ['body.earlyCheckoutReason']);
      }
      const [row] = await sessionRows(app, user.id);
      expect(row!.status).to.equal('active');
      ok(await checkOutAt(user, '2026-06-25T08:00:00.000Z', { earlyCheckoutReason: '  abcde ' }));
    });

    it('§5: after-shift check-out with reason and no note, or afterShiftReason:"auto_checkout" → 422 (auto_checkout is not a client value)', async () => {
      const user = await employee();
      await checkInOk(user, '2026-06-25T04:00:00.000Z');
      const at = '2026-06-25T12:20:00.000Z';
      expectError(await checkOutAt(user, at, { afterShiftReason: 'overtime' }), 422, 'VALIDATION_ERROR', ['body.afterShiftNote']);
      expectError(await checkOutAt(user, at, { afterShiftReason: 'overtime', afterShiftNote: '   ' }), 422, 'VALIDATION_ERROR', ['body.afterShiftNote']);
      expectError(await checkOutAt(user, at, { afterShiftNote: 'a note' }), 422, 'VALIDATION_ERROR', ['body.afterShiftReason']);
      expectError(await checkOutAt(user, at), 422, 'VALIDATION_ERROR', ['body.afterShiftReason', 'body.afterShiftNote']);
      expectError(await checkOutAt(user, at, { afterShiftReason: 'auto_checkout', afterShiftNote: 'x' }), 422, 'VALIDATION_ERROR', ['body.afterShiftReason']);
      expect((await sessionRows(app, user.id))[0]!.status).to.equal('active');
    });

    it('§5: any reason > 1000 chars → 422', async () => {
      const user = await employee();
      await checkInOk(user, '2026-06-25T04:00:00.000Z');
      const long = 'x'.repeat(1001);
      expectError(await checkOutAt(user, '2026-06-25T08:00:00.000Z', { earlyCheckoutReason: long }), 422, 'VALIDATION_ERROR', ['body.earlyCheckoutReason']);
      expectError(await checkOutAt(user, '2026-06-25T12:30:00.000Z', { afterShiftReason: 'overtime', afterShiftNote: long }), 422, 'VALIDATION_ERROR', [
        'body.afterShiftNote',
      ]);
      const ok1000 = await checkOutAt(user, '2026-06-25T08:00:00.000Z', { earlyCheckoutReason: 'y'.repeat(1000) });
      expect(ok(ok1000).earlyCheckoutReason).to.have.length(1000);
    });
  });
});
