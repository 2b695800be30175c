/**
 * Breaks (02 §3.3, §4.4, §5 rows on breaks): start / end / current / per-session list, paid and unpaid time,
 * the allowance information, the caps and the 409/422 rules. ORG_TIMEZONE=Asia/Karachi; users without a shift
 * unless stated, so check-out needs no reason.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createOrg, createUser, type FixtureUser, type Org } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';
import { apiAt, MINUTE, sessionRows, startKarachiApp } from '../helpers/attendance-sessions.ts';
import { expectError, ok } from '../helpers/expect.ts';
import { eventsFor } from '../helpers/rows.ts';

const START = '2026-06-25T04:00:00.000Z';
const at = (offsetMs: number) => new Date(Date.parse(START) + offsetMs).toISOString();

describe('attendance breaks (02 §3.3)', function () {
  const clock = new FixedClock(START);
  let app: TestApp;
  let org: Org;

  before(async () => {
    app = await startKarachiApp(clock);
    org = await createOrg(app);
  });
  after(() => app.close());

  const api = (user: FixtureUser, when: string) => apiAt(app, clock, user, when);

  async function checkedIn(manager: FixtureUser | null = null) {
    const user = await createUser(app, { role: 'employee', managerId: manager?.id ?? null });
    const session = ok(await (await api(user, START)).POST('/attendance/check-in', { body: { workMode: 'office' } }), 201);
    return { user, session };
  }

  it('starts a paid break (note trimmed, blank → null) and publishes attendance.break_started to user and manager', async () => {
    const { user, session } = await checkedIn(org.manager);
    const started = ok(await (await api(user, at(30 * MINUTE))).POST('/attendance/breaks/start', { body: { breakType: 'dinner', note: '   ' } }), 201);
    expect(started).to.deep.include({
      sessionId: session.id,
      userId: user.id,
      breakType: 'dinner',
      note: null,
      isPaid: true,
      startedAt: at(30 * MINUTE),
      endedAt: null,
      durationSeconds: null,
      endReason: null,
    });
    const events = (await eventsFor(app, session.id)).slice(2);
    expect(events.map((e) => e.event.type)).to.deep.equal(['attendance.break_started', 'dashboard.changed']);
    expect(events[0]!.audience_user_ids).to.have.members([user.id, org.manager.id]);
    expect(events[0]!.event.payload).to.deep.equal({ breakId: started.id, sessionId: session.id, userId: user.id, breakType: 'dinner', startedAt: at(30 * MINUTE) });
  });

  it('`other` with a note is stored trimmed', async () => {
    const { user } = await checkedIn();
    const started = ok(await (await api(user, at(MINUTE))).POST('/attendance/breaks/start', { body: { breakType: 'other', note: '  bank errand ' } }), 201);
    expect(started).to.deep.include({ breakType: 'other', note: 'bank errand' });
  });

  it('ends the open break (manual), counts whole seconds into the session totals and publishes attendance.break_ended', async () => {
    const { user, session } = await checkedIn();
    const started = ok(await (await api(user, at(10 * MINUTE))).POST('/attendance/breaks/start', { body: { breakType: 'prayer' } }), 201);
    const ended = ok(await (await api(user, at(10 * MINUTE + 59_999))).POST('/attendance/breaks/end', {}));
    expect(ended).to.deep.include({ id: started.id, endedAt: at(10 * MINUTE + 59_999), durationSeconds: 59, endReason: 'manual' });
    const active = ok(await (await api(user, at(11 * MINUTE))).GET('/attendance/active'));
    expect(active.session).to.deep.include({ breakSeconds: 59, unpaidBreakSeconds: 0, breakSecondsByType: { dinner: 0, prayer: 59, other: 0 }, grossSeconds: null });
    expect(active.activeBreak).to.equal(null);
    const { rows: stats } = await app.sql.query('SELECT break_seconds FROM daily_stats WHERE user_id = $1', [user.id]);
    expect(stats).to.deep.equal([{ break_seconds: 59 }]);
    const ev = (await eventsFor(app, session.id)).find((e) => e.event.type === 'attendance.break_ended')!;
    expect(ev.event.payload).to.deep.equal({ breakId: started.id, sessionId: session.id, userId: user.id, durationSeconds: 59 });
  });

  it('many 59-second breaks add up in seconds (never floored to minutes)', async () => {
    const { user } = await checkedIn();
    for (let i = 0; i < 3; i++) {
      ok(await (await api(user, at(i * 10 * MINUTE))).POST('/attendance/breaks/start', { body: { breakType: 'prayer' } }), 201);
      ok(await (await api(user, at(i * 10 * MINUTE + 59_000))).POST('/attendance/breaks/end', {}));
    }
    const closed = ok(await (await api(user, at(2 * 60 * MINUTE))).POST('/attendance/check-out', {}));
    expect(closed).to.deep.include({ breakSeconds: 177, grossSeconds: 7200, workedSeconds: 7200, classification: 'half_day' });
  });

  it('getCurrentBreak returns the open break, then null', async () => {
    const { user } = await checkedIn();
    const client = await api(user, at(MINUTE));
    expect(ok(await client.GET('/attendance/breaks/current'))).to.deep.equal({ activeBreak: null });
    const started = ok(await client.POST('/attendance/breaks/start', { body: { breakType: 'dinner' } }), 201);
    expect(ok(await client.GET('/attendance/breaks/current'))).to.deep.equal({ activeBreak: started });
    ok(await client.POST('/attendance/breaks/end', {}));
    expect(ok(await client.GET('/attendance/breaks/current'))).to.deep.equal({ activeBreak: null });
  });

  it('check-out closes the open break at the check-out instant (`check_out`); paid breaks stay in worked time; allowance overrun is information only', async () => {
    const { user, session } = await checkedIn();
    ok(await (await api(user, at(60 * MINUTE))).POST('/attendance/breaks/start', { body: { breakType: 'dinner' } }), 201);
    const closed = ok(await (await api(user, at(60 * MINUTE + 70 * MINUTE))).POST('/attendance/check-out', {}));
    expect(closed).to.deep.include({
      grossSeconds: 130 * 60,
      breakSeconds: 70 * 60,
      unpaidBreakSeconds: 0,
      workedSeconds: 130 * 60,
      breakSecondsByType: { dinner: 4200, prayer: 0, other: 0 },
      breakOverAllowanceSeconds: 600,
      activeBreak: null,
    });
    const breaks = ok(await (await api(user, at(3 * 60 * MINUTE))).GET('/attendance/sessions/{sessionId}/breaks', { params: { path: { sessionId: session.id } } }));
    expect(breaks.items).to.have.length(1);
    expect(breaks.items[0]).to.deep.include({ endedAt: at(130 * MINUTE), durationSeconds: 4200, endReason: 'check_out' });
  });

  it('lists a session\'s breaks oldest first in the list shape (own, manager in team, HR in org)', async () => {
    const { user, session } = await checkedIn(org.manager);
    for (const [i, type] of (['prayer', 'dinner'] as const).entries()) {
      ok(await (await api(user, at((i + 1) * 10 * MINUTE))).POST('/attendance/breaks/start', { body: { breakType: type } }), 201);
      ok(await (await api(user, at((i + 1) * 10 * MINUTE + MINUTE))).POST('/attendance/breaks/end', {}));
    }
    for (const viewer of [user, org.manager, org.hr]) {
      const list = ok(await (await api(viewer, at(HOUR_MS))).GET('/attendance/sessions/{sessionId}/breaks', { params: { path: { sessionId: session.id } } }));
      expect(list.total, viewer.role).to.equal(2);
      expect(list.items.map((b) => b.breakType)).to.deep.equal(['prayer', 'dinner']);
      expect(list).to.deep.include({ limit: 50, offset: 0 });
    }
    const paged = ok(
      await (await api(user, at(HOUR_MS))).GET('/attendance/sessions/{sessionId}/breaks', { params: { path: { sessionId: session.id }, query: { limit: 1, offset: 1 } } }),
    );
    expect(paged).to.deep.include({ total: 2, limit: 1, offset: 1 });
    expect(paged.items.map((b) => b.breakType)).to.deep.equal(['dinner']);
  });

  describe('§5 bad input and abuse (breaks)', () => {
    it('§5: break start without a session / while on break / 21st break; break end with no open break → 409', async () => {
      const loner = await createUser(app, { role: 'employee' });
      const noSession = await (await api(loner, START)).POST('/attendance/breaks/start', { body: { breakType: 'prayer' } });
      expect(expectError(noSession, 409, 'CONFLICT').message).to.equal('You have no active session; check in before starting a break.');
      expectError(await (await api(loner, START)).POST('/attendance/breaks/end', {}), 409, 'CONFLICT');

      const { user, session } = await checkedIn();
      const client = await api(user, at(MINUTE));
      expect(expectError(await client.POST('/attendance/breaks/end', {}), 409, 'CONFLICT').message).to.equal('You have no open break.');
      ok(await client.POST('/attendance/breaks/start', { body: { breakType: 'prayer' } }), 201);
      const again = await client.POST('/attendance/breaks/start', { body: { breakType: 'dinner' } });
      expect(expectError(again, 409, 'CONFLICT').message).to.equal('A break is already open; end it first.');
      ok(await client.POST('/attendance/breaks/end', {}));
      for (let i = 1; i < 20; i++) {
        const c = await api(user, at(i * 2 * MINUTE));
        ok(await c.POST('/attendance/breaks/start', { body: { breakType: 'prayer' } }), 201);
        ok(await c.POST('/attendance/breaks/end', {}));
      }
      const twentyFirst = await (await api(user, at(50 * MINUTE))).POST('/attendance/breaks/start', { body: { breakType: 'prayer' } });
      expect(expectError(twentyFirst, 409, 'CONFLICT').message).to.equal('The session already has 20 breaks.');
      const { rows } = await app.sql.query('SELECT count(*)::int AS n, count(*) FILTER (WHERE ended_at IS NULL)::int AS open FROM attendance_breaks WHERE session_id = $1', [
        session.id,
      ]);
      expect(rows[0]).to.deep.equal({ n: 20, open: 0 });
    });

    it('§5: breakType:"lunch"; other with note "  " → 422', async () => {
      const { user, session } = await checkedIn();
      const client = await api(user, at(MINUTE));
      expectError(await client.POST('/attendance/breaks/start', { body: { breakType: 'lunch' } as never }), 422, 'VALIDATION_ERROR', ['body.breakType']);
      expectError(await client.POST('/attendance/breaks/start', { body: { breakType: 'other', note: '  ' } }), 422, 'VALIDATION_ERROR', ['body.note']);
      expectError(await client.POST('/attendance/breaks/start', { body: { breakType: 'other' } }), 422, 'VALIDATION_ERROR', ['body.note']);
      expectError(await client.POST('/attendance/breaks/start', { body: { breakType: 'prayer', note: 'n'.repeat(501) } }), 422, 'VALIDATION_ERROR', ['body.note']);
      expectError(await client.POST('/attendance/breaks/end', { body: { reason: 'x' } as never }), 422, 'VALIDATION_ERROR', ['body.reason']);
      const { rows } = await app.sql.query('SELECT count(*)::int AS n FROM attendance_breaks WHERE session_id = $1', [session.id]);
      expect(rows[0].n).to.equal(0);
    });

    it('§5: GET /attendance/sessions/{id}/breaks outside scope / sessions/not-a-uuid → 404 (the original served anyone) / 422 path.sessionId', async () => {
      const { session } = await checkedIn(org.teamLead);
      const unknown = await (await api(org.outsider, START)).GET('/attendance/sessions/{sessionId}/breaks', { params: { path: { sessionId: randomUUID() } } });
      const outside = await (await api(org.outsider, START)).GET('/attendance/sessions/{sessionId}/breaks', { params: { path: { sessionId: session.id } } });
      const otherManager = await (await api(org.otherManager, START)).GET('/attendance/sessions/{sessionId}/breaks', { params: { path: { sessionId: session.id } } });
      const bodies = [unknown, outside, otherManager].map((r) => {
        const e = expectError(r, 404, 'NOT_FOUND');
        return { message: e.message, details: e.details };
      });
      expect(bodies[1]).to.deep.equal(bodies[0]);
      expect(bodies[2]).to.deep.equal(bodies[0]);
      const malformed = await (await api(org.outsider, START)).GET('/attendance/sessions/{sessionId}/breaks', { params: { path: { sessionId: 'not-a-uuid' } } });
      expectError(malformed, 422, 'VALIDATION_ERROR', ['path.sessionId']);
      const teamLead = await (await api(org.teamLead, START)).GET('/attendance/sessions/{sessionId}/breaks', { params: { path: { sessionId: session.id } } });
      expect(ok(teamLead).total).to.equal(0);
    });
  });
});

const HOUR_MS = 60 * MINUTE;

describe('attendance breaks with unpaid types (ATTENDANCE_UNPAID_BREAK_TYPES=dinner)', function () {
  const clock = new FixedClock(START);
  let app: TestApp;

  before(async () => {
    app = await startTestApp({ clock, env: { ORG_TIMEZONE: 'Asia/Karachi', ATTENDANCE_UNPAID_BREAK_TYPES: 'dinner', ATTENDANCE_BREAK_ALLOWANCE_MINUTES: '30' } });
  });
  after(() => app.close());

  it('records dinner as unpaid and subtracts it from worked time (worked = gross − unpaid)', async () => {
    const user = await createUser(app, { role: 'employee' });
    const call = (when: string) => apiAt(app, clock, user, when);
    ok(await (await call(START)).POST('/attendance/check-in', { body: { workMode: 'office' } }), 201);
    const dinner = ok(await (await call(at(60 * MINUTE))).POST('/attendance/breaks/start', { body: { breakType: 'dinner' } }), 201);
    expect(dinner.isPaid).to.equal(false);
    ok(await (await call(at(90 * MINUTE))).POST('/attendance/breaks/end', {}));
    const prayer = ok(await (await call(at(120 * MINUTE))).POST('/attendance/breaks/start', { body: { breakType: 'prayer' } }), 201);
    expect(prayer.isPaid).to.equal(true);
    const closed = ok(await (await call(at(130 * MINUTE))).POST('/attendance/check-out', {}));
    expect(closed).to.deep.include({
      grossSeconds: 130 * 60,
      breakSeconds: 40 * 60,
      unpaidBreakSeconds: 30 * 60,
      workedSeconds: 100 * 60,
      breakSecondsByType: { dinner: 1800, prayer: 600, other: 0 },
      breakOverAllowanceSeconds: 600,
      classification: 'half_day',
    });
    const [row] = await sessionRows(app, user.id);
    expect(row).to.deep.include({ worked_seconds: 6000, gross_seconds: 7800, break_seconds: 2400 });
  });
});
