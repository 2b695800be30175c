/**
 * Auto-close and absence marking (02 §4.6, §4.7): the `attendance-auto-close` job, the lazy close on the owner's
 * own endpoints, account suspension, and the idempotency of all three. ORG_TIMEZONE=Asia/Karachi; the shift is
 * 09:00–17:00 PKT Mon–Fri with 15 min grace, so a session is due at 18:00 PKT (shift end + 60 min) or after 16 h.
 */
import { expect } from 'chai';
import { createUser, type FixtureUser } from '../helpers/fixtures.ts';
import { FixedClock, type TestApp } from '../helpers/harness.ts';
import {
  apiAt,
  dailyStats,
  DAY_SHIFT,
  employeeOn,
  exceptionRows,
  insertHoliday,
  insertShift,
  sessionRows,
  startKarachiApp,
} from '../helpers/attendance-sessions.ts';
import { expectError, ok } from '../helpers/expect.ts';
import { eventsFor } from '../helpers/rows.ts';

describe('attendance auto-close and absences (02 §4.6, §4.7)', function () {
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

  const runJob = async (when: string) => {
    clock.set(when);
    const outcome = await app.running.services.scheduler.runOnce('attendance-auto-close');
    expect(outcome.ran).to.equal(true);
    return outcome.ran ? (outcome.result as Record<string, number>) : {};
  };

  const api = (user: FixtureUser, when: string) => apiAt(app, clock, user, when);
  const employee = (shift: string | null = dayShift) => employeeOn(app, shift, manager.id);

  const checkIn = async (user: FixtureUser, when: string) =>
    ok(await (await api(user, when)).POST('/attendance/check-in', { body: { workMode: 'office' } }), 201);

  /** Everything the job writes about a user, for before/after comparisons. */
  async function snapshot(userId: string) {
    const sessions = await app.sql.query('SELECT * FROM attendance_sessions WHERE user_id = $1 ORDER BY id', [userId]);
    const breaks = await app.sql.query('SELECT * FROM attendance_breaks WHERE user_id = $1 ORDER BY id', [userId]);
    const exceptions = await app.sql.query('SELECT * FROM attendance_exceptions WHERE user_id = $1 ORDER BY id', [userId]);
    const stats = await app.sql.query('SELECT * FROM daily_stats WHERE user_id = $1 ORDER BY work_date', [userId]);
    const events = await app.sql.query(`SELECT count(*)::int AS n FROM realtime_outbox WHERE $1 = ANY(audience_user_ids)`, [userId]);
    return { sessions: sessions.rows, breaks: breaks.rows, exceptions: exceptions.rows, stats: stats.rows, events: events.rows[0].n };
  }

  describe('the job closes stale sessions', () => {
    it('leaves a session alone before shift end + grace, then closes it at the shift end (`shift_ended`) as incomplete', async () => {
      const user = await employee();
      const session = await checkIn(user, '2026-06-25T04:00:00.000Z');
      await runJob('2026-06-25T12:59:59.000Z');
      expect((await sessionRows(app, user.id))[0]!.status).to.equal('active');
      await runJob('2026-06-25T13:00:00.000Z');
      const [row] = await sessionRows(app, user.id);
      expect(row).to.deep.include({ status: 'incomplete', auto_closed_reason: 'shift_ended', gross_seconds: 8 * 3600, worked_seconds: 8 * 3600, classification: 'full_day' });
      expect(row!.check_out_at!.toISOString()).to.equal('2026-06-25T12:00:00.000Z');
      const [missing] = await exceptionRows(app, user.id);
      expect(missing).to.deep.include({ type: 'missing_checkout', severity: 'high', status: 'open', work_date: '2026-06-25', session_id: session.id });
      expect(await dailyStats(app, user.id, '2026-06-25')).to.deep.include({ day_status: 'checked_out', day_classification: 'full_day', worked_seconds: 28_800 });
      const events = (await eventsFor(app, session.id)).slice(2);
      expect(events.map((e) => e.event.type)).to.deep.equal(['attendance.auto_closed', 'dashboard.changed']);
      expect(events[0]!.audience_user_ids).to.have.members([user.id, manager.id]);
      expect(events[0]!.event.payload).to.deep.equal({
        sessionId: session.id,
        userId: user.id,
        workDate: '2026-06-25',
        checkOutAt: '2026-06-25T12:00:00.000Z',
        autoClosedReason: 'shift_ended',
      });
      const detail = ok(await (await api(user, '2026-06-25T13:01:00.000Z')).GET('/attendance/sessions/{sessionId}', { params: { path: { sessionId: session.id } } }));
      expect(detail).to.deep.include({ status: 'incomplete', autoClosedReason: 'shift_ended', afterShiftReason: null, isEarlyCheckout: false });
    });

    it('a break open at the shift end is closed there (`auto_close`); a break taken during the grace keeps check-out at its start', async () => {
      const before = await employee();
      await checkIn(before, '2026-06-25T04:00:00.000Z');
      ok(await (await api(before, '2026-06-25T11:30:00.000Z')).POST('/attendance/breaks/start', { body: { breakType: 'dinner' } }), 201);
      const inGrace = await employee();
      await checkIn(inGrace, '2026-06-25T04:00:00.000Z');
      ok(await (await api(inGrace, '2026-06-25T12:20:00.000Z')).POST('/attendance/breaks/start', { body: { breakType: 'prayer' } }), 201);
      await runJob('2026-06-25T13:05:00.000Z');
      const [a] = await sessionRows(app, before.id);
      expect(a!.check_out_at!.toISOString()).to.equal('2026-06-25T12:00:00.000Z');
      expect(a).to.deep.include({ break_seconds: 1800, worked_seconds: 8 * 3600 });
      const [b] = await sessionRows(app, inGrace.id);
      expect(b!.check_out_at!.toISOString()).to.equal('2026-06-25T12:20:00.000Z');
      const { rows } = await app.sql.query(
        `SELECT user_id, ended_at, duration_seconds, end_reason FROM attendance_breaks WHERE user_id = ANY($1) ORDER BY started_at`,
        [[before.id, inGrace.id]],
      );
      expect(rows.map((r) => [r.user_id, r.ended_at.toISOString(), r.duration_seconds, r.end_reason])).to.deep.equal([
        [before.id, '2026-06-25T12:00:00.000Z', 1800, 'auto_close'],
        [inGrace.id, '2026-06-25T12:20:00.000Z', 0, 'auto_close'],
      ]);
    });

    it('without a shift only the 16 h cap applies (`max_duration`), and the check-out is the cap even when the job runs later', async () => {
      const user = await employee(null);
      await checkIn(user, '2026-06-25T04:00:00.000Z');
      await runJob('2026-06-25T19:59:59.000Z');
      expect((await sessionRows(app, user.id))[0]!.status).to.equal('active');
      await runJob('2026-06-25T23:30:00.000Z');
      const [row] = await sessionRows(app, user.id);
      expect(row).to.deep.include({ status: 'incomplete', auto_closed_reason: 'max_duration', gross_seconds: 16 * 3600 });
      expect(row!.check_out_at!.toISOString()).to.equal('2026-06-25T20:00:00.000Z');
    });

    it('is idempotent: a second run changes nothing (same rows, no new events)', async () => {
      const user = await employee();
      await checkIn(user, '2026-06-25T04:00:00.000Z');
      await runJob('2026-06-25T13:30:00.000Z');
      const first = await snapshot(user.id);
      const again = await runJob('2026-06-25T13:35:00.000Z');
      expect(again.closed).to.equal(0);
      expect(await snapshot(user.id)).to.deep.equal(first);
    });
  });

  describe('lazy close on the owner\'s own endpoints', () => {
    it('GET /attendance/active closes the caller\'s stale session (same close as the job) and reports none', async () => {
      const user = await employee();
      const session = await checkIn(user, '2026-06-25T04:00:00.000Z');
      const active = ok(await (await api(user, '2026-06-25T13:00:00.000Z')).GET('/attendance/active'));
      expect(active).to.deep.equal({ session: null, activeBreak: null });
      const [row] = await sessionRows(app, user.id);
      expect(row).to.deep.include({ id: session.id, status: 'incomplete', auto_closed_reason: 'shift_ended' });
      expect((await exceptionRows(app, user.id)).map((e) => e.type)).to.deep.equal(['missing_checkout']);
    });

    it('check-in closes the stale session first and then opens a new one', async () => {
      const user = await employee(null);
      const old = await checkIn(user, '2026-06-25T04:00:00.000Z');
      const fresh = await checkIn(user, '2026-06-26T04:00:00.000Z');
      expect(fresh.id).to.not.equal(old.id);
      const rows = await sessionRows(app, user.id);
      expect(rows.map((r) => [r.status, r.auto_closed_reason])).to.deep.equal([
        ['incomplete', 'max_duration'],
        ['active', null],
      ]);
    });

    it('breaks/start, breaks/end, breaks/current and me/today close it too (409 / null afterwards)', async () => {
      const user = await employee();
      await checkIn(user, '2026-06-25T04:00:00.000Z');
      const late = await api(user, '2026-06-25T13:00:00.000Z');
      const refused = expectError(await late.POST('/attendance/breaks/start', { body: { breakType: 'prayer' } }), 409, 'CONFLICT');
      expect(refused.message).to.equal('You have no active session; check in before starting a break.');
      expect((await sessionRows(app, user.id))[0]!.status).to.equal('incomplete');
      for (const endpoint of ['/attendance/breaks/current', '/attendance/me/today'] as const) {
        const other = await employee();
        await checkIn(other, '2026-06-25T04:00:00.000Z');
        ok(await (await api(other, '2026-06-25T13:00:00.000Z')).GET(endpoint));
        expect((await sessionRows(app, other.id))[0]!.status, endpoint).to.equal('incomplete');
      }
      const ender = await employee();
      await checkIn(ender, '2026-06-25T04:00:00.000Z');
      ok(await (await api(ender, '2026-06-25T11:00:00.000Z')).POST('/attendance/breaks/start', { body: { breakType: 'dinner' } }), 201);
      const noBreak = expectError(await (await api(ender, '2026-06-25T13:00:00.000Z')).POST('/attendance/breaks/end', {}), 409, 'CONFLICT');
      expect(noBreak.message).to.equal('You have no open break.');
      expect((await sessionRows(app, ender.id))[0]!.status).to.equal('incomplete');
    });

    it('other users\' views do not close it (only the owner\'s endpoints and the job do)', async () => {
      const user = await employee();
      const session = await checkIn(user, '2026-06-25T04:00:00.000Z');
      const team = ok(await (await api(manager, '2026-06-25T14:00:00.000Z')).GET('/attendance/team', { params: { query: { userId: user.id } } }));
      expect(team.items.map((s) => [s.id, s.status])).to.deep.equal([[session.id, 'active']]);
      ok(await (await api(manager, '2026-06-25T14:00:00.000Z')).GET('/attendance/sessions/{sessionId}', { params: { path: { sessionId: session.id } } }));
      expect((await sessionRows(app, user.id))[0]!.status).to.equal('active');
    });
  });

  describe('account suspension (closeActiveSessionForAccount)', () => {
    it('closes the active session at that instant with `account_suspended`, its open break too, without exception', async () => {
      const user = await employee();
      const session = await checkIn(user, '2026-06-25T04:00:00.000Z');
      ok(await (await api(user, '2026-06-25T06:00:00.000Z')).POST('/attendance/breaks/start', { body: { breakType: 'prayer' } }), 201);
      const { db, services } = app.running;
      const now = new Date('2026-06-25T06:30:00.000Z');
      const closed = await db.transaction((tx) => services.attendanceSessions.closeActiveSessionForAccount(tx, user.id, now));
      expect(closed).to.deep.include({ sessionId: session.id, workedSeconds: 9000, classification: 'half_day' });
      const [row] = await sessionRows(app, user.id);
      expect(row).to.deep.include({ status: 'incomplete', auto_closed_reason: 'account_suspended', break_seconds: 1800 });
      expect(row!.check_out_at!.toISOString()).to.equal('2026-06-25T06:30:00.000Z');
      expect(await exceptionRows(app, user.id)).to.deep.equal([]);
      const types = (await eventsFor(app, session.id)).map((e) => e.event.type);
      expect(types.slice(-2)).to.deep.equal(['attendance.auto_closed', 'dashboard.changed']);
      expect(await db.transaction((tx) => services.attendanceSessions.closeActiveSessionForAccount(tx, user.id, now))).to.equal(null);
    });

    it('a session already past its deadline is closed as the due auto-close instead (no time after the deadline is credited)', async () => {
      const user = await employee();
      await checkIn(user, '2026-06-25T04:00:00.000Z');
      const { db, services } = app.running;
      await db.transaction((tx) => services.attendanceSessions.closeActiveSessionForAccount(tx, user.id, new Date('2026-06-25T15:00:00.000Z')));
      const [row] = await sessionRows(app, user.id);
      expect(row).to.deep.include({ auto_closed_reason: 'shift_ended' });
      expect(row!.check_out_at!.toISOString()).to.equal('2026-06-25T12:00:00.000Z');
    });
  });

  describe('absence evaluation', () => {
    const setCreated = (userId: string, at: string) => app.sql.query('UPDATE users SET created_at = $2 WHERE id = $1', [userId, at]);

    it('raises `absent` (high) for scheduled days without a session from max(today − 6, creation date) to today; never on off days or holidays', async () => {
      await insertHoliday(app, '2026-06-23', 'Absence test holiday');
      const recent = await employee();
      await setCreated(recent.id, '2026-06-20T10:00:00.000Z');
      const veteran = await employee();
      await setCreated(veteran.id, '2025-01-01T00:00:00.000Z');
      const worker = await employee();
      await setCreated(worker.id, '2025-01-01T00:00:00.000Z');
      await checkIn(worker, '2026-06-24T04:00:00.000Z');
      ok(await (await api(worker, '2026-06-24T12:00:00.000Z')).POST('/attendance/check-out', {}));
      const noShift = await employee(null);
      await setCreated(noShift.id, '2025-01-01T00:00:00.000Z');
      const suspended = await createUser(app, { role: 'employee', status: 'suspended' });
      await setCreated(suspended.id, '2025-01-01T00:00:00.000Z');

      // Thursday 2026-06-25 11:00 PKT: after today's 09:15 deadline.
      await runJob('2026-06-25T06:00:00.000Z');
      const absentDates = async (userId: string) => (await exceptionRows(app, userId)).filter((e) => e.type === 'absent').map((e) => e.work_date);
      expect(await absentDates(recent.id)).to.deep.equal(['2026-06-22', '2026-06-24', '2026-06-25']);
      expect(await absentDates(veteran.id)).to.deep.equal(['2026-06-19', '2026-06-22', '2026-06-24', '2026-06-25']);
      expect(await absentDates(worker.id)).to.deep.equal(['2026-06-19', '2026-06-22', '2026-06-25']);
      // Without a shift the deadline is the end of the day: today is not absent yet.
      expect(await absentDates(noShift.id)).to.deep.equal(['2026-06-19', '2026-06-22', '2026-06-24']);
      expect(await absentDates(suspended.id)).to.deep.equal([]);
      const [first] = await exceptionRows(app, recent.id);
      expect(first).to.deep.include({ severity: 'high', status: 'open', session_id: null, reason: 'No check-in on 2026-06-22' });
      expect(await dailyStats(app, recent.id, '2026-06-22')).to.deep.include({ day_status: 'absent', is_absent: true });
      expect(await dailyStats(app, recent.id, '2026-06-23')).to.deep.include({ day_status: 'holiday', is_absent: false });
      expect(await dailyStats(app, recent.id, '2026-06-21')).to.deep.include({ day_status: 'off_day' });
      expect(await dailyStats(app, recent.id, '2026-06-19')).to.equal(undefined);

      // Idempotent: a second run leaves the same rows.
      const before = await snapshot(veteran.id);
      await runJob('2026-06-25T06:10:00.000Z');
      expect(await snapshot(veteran.id)).to.deep.equal(before);

      // A late check-in today resolves today's absence as the system.
      await checkIn(recent, '2026-06-25T06:30:00.000Z');
      const today = (await exceptionRows(app, recent.id)).find((e) => e.type === 'absent' && e.work_date === '2026-06-25')!;
      expect(today).to.deep.include({ status: 'resolved', resolved_by_id: null, resolution_note: 'auto: checked in' });
      expect((await exceptionRows(app, recent.id)).find((e) => e.type === 'late')).to.deep.include({ work_date: '2026-06-25' });
    });

    it('does not mark today absent before the deadline (start + grace)', async () => {
      const user = await employee();
      await setCreated(user.id, '2026-06-25T00:00:00.000Z');
      await runJob('2026-06-25T04:15:00.000Z');
      expect(await exceptionRows(app, user.id)).to.deep.equal([]);
      expect(await dailyStats(app, user.id, '2026-06-25')).to.deep.include({ day_status: 'scheduled' });
      await runJob('2026-06-25T04:15:01.000Z');
      expect((await exceptionRows(app, user.id)).map((e) => [e.type, e.work_date])).to.deep.equal([['absent', '2026-06-25']]);
    });
  });
});
