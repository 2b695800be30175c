/**
 * Races of 02 §4.11 and the Idempotency-Key of §4.12 / 05 §4 against the real database: parallel check-ins with and
 * without a key, racing check-outs, check-out against the auto-close job, racing break starts. Where two requests
 * must truly overlap, the test holds the session row lock from its own connection until both are waiting on it
 * (a condition polled in pg_stat_activity, not a timed sleep), then releases it.
 */
import { expect } from 'chai';
import pg from 'pg';
import { attendanceAutoCloseJob } from '../../src/jobs/attendance-auto-close.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createUser, type FixtureUser } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';
import { as, assignShift, exceptionRows, insertShift, rawPost, sessionRows } from '../helpers/attendance-sessions.ts';

describe('attendance concurrency and idempotency (02 §4.11, §4.12)', function () {
  this.timeout(60_000);
  const clock = new FixedClock('2026-06-25T04:00:00.000Z');
  let app: TestApp;
  let dayShift: string;

  before(async () => {
    app = await startTestApp({ clock, env: { ORG_TIMEZONE: 'Asia/Karachi' } });
    dayShift = await insertShift(app, { start: '09:00', end: '17:00', timezone: 'Asia/Karachi' });
  });
  after(() => app.close());

  async function token(user: FixtureUser, when: string) {
    clock.set(when);
    return (await as(app, user)).accessToken;
  }

  /** Polls pg_stat_activity until `count` backends of this database wait on a lock (a condition, not a timed sleep). */
  async function untilWaiting(count: number): Promise<void> {
    let waiting = 0;
    for (let i = 0; i < 5000 && waiting < count; i++) {
      const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      waiting = rows[0].n;
      if (waiting < count) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(waiting, 'backends blocked on the session row').to.be.at.least(count);
  }

  /**
   * Runs `operations` while a separate connection holds the session row lock. They are started one after the other,
   * each once the previous one is blocked on the lock (so PostgreSQL queues them in that order); then the lock is
   * released and they compete for the row.
   */
  async function whileLocked<T>(sessionId: string | null, operations: (() => Promise<T>)[]): Promise<T[]> {
    const holder = new pg.Client({ connectionString: app.config.databaseUrl! });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      if (sessionId) await holder.query('SELECT id FROM attendance_sessions WHERE id = $1 FOR UPDATE', [sessionId]);
      // Without a session: block every insert into the table (reads still pass), so both check-ins pass the pre-check.
      else await holder.query('LOCK TABLE attendance_sessions IN SHARE MODE');
      const started: Promise<T>[] = [];
      for (const [i, operation] of operations.entries()) {
        started.push(operation());
        await untilWaiting(i + 1);
      }
      await holder.query('COMMIT');
      return await Promise.all(started);
    } finally {
      await holder.end();
    }
  }

  it('50 parallel check-ins of one user: exactly one session, one 201 and 49 × 409 CONFLICT', async () => {
    const user = await createUser(app, { role: 'employee' });
    await assignShift(app, user.id, dayShift);
    const access = await token(user, '2026-06-25T04:05:00.000Z');
    const results = await Promise.all(Array.from({ length: 50 }, () => rawPost(app, '/api/v1/attendance/check-in', access, '{"workMode":"office"}')));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).to.have.length(1);
    expect(statuses.filter((s) => s === 409)).to.have.length(49);
    for (const r of results.filter((x) => x.status === 409)) expect(r.json!.error!.code).to.equal('CONFLICT');
    const rows = await sessionRows(app, user.id);
    expect(rows).to.have.length(1);
    expect(rows[0]!.status).to.equal('active');
    const { rows: stats } = await app.sql.query('SELECT session_count FROM daily_stats WHERE user_id = $1', [user.id]);
    expect(stats).to.deep.equal([{ session_count: 1 }]);
  });

  it('two check-ins that both pass the pre-check: the unique index makes the loser a 409 (uq_attendance_one_active_session_per_user)', async () => {
    const user = await createUser(app, { role: 'employee' });
    const access = await token(user, '2026-06-25T04:05:00.000Z');
    const results = await whileLocked(null, [
      () => rawPost(app, '/api/v1/attendance/check-in', access, '{"workMode":"office"}'),
      () => rawPost(app, '/api/v1/attendance/check-in', access, '{"workMode":"wfh"}'),
    ]);
    expect(results.map((r) => r.status).sort()).to.deep.equal([201, 409]);
    expect(results.find((r) => r.status === 409)!.json!.error).to.deep.include({ code: 'CONFLICT', message: 'You are already checked in; check out first.' });
    expect(await sessionRows(app, user.id)).to.have.length(1);
  });

  it('50 parallel check-ins with one Idempotency-Key: 50 byte-identical 201 bodies and one session', async () => {
    const user = await createUser(app, { role: 'employee' });
    const access = await token(user, '2026-06-25T04:05:00.000Z');
    const results = await Promise.all(
      Array.from({ length: 50 }, () => rawPost(app, '/api/v1/attendance/check-in', access, '{"workMode":"wfh"}', 'application/json', { 'Idempotency-Key': 'check-in-once' })),
    );
    expect(results.map((r) => r.status)).to.deep.equal(Array(50).fill(201));
    expect(new Set(results.map((r) => r.text)).size).to.equal(1);
    expect(results.filter((r) => r.response.headers.get('idempotent-replayed') === 'true')).to.have.length(49);
    expect(await sessionRows(app, user.id)).to.have.length(1);
    // Without the key a retry is a plain second check-in: 409.
    const retry = await rawPost(app, '/api/v1/attendance/check-in', access, '{"workMode":"wfh"}');
    expect(retry.status).to.equal(409);
    // The same key with another body is refused.
    const other = await rawPost(app, '/api/v1/attendance/check-in', access, '{"workMode":"office"}', 'application/json', { 'Idempotency-Key': 'check-in-once' });
    expect(other.status).to.equal(422);
    expect(other.json!.error!.details).to.deep.equal([{ field: 'header.idempotency-key', message: 'was already used with a different request' }]);
  });

  it('check-out, break start and break end replay their first response for a retried Idempotency-Key', async () => {
    const user = await createUser(app, { role: 'employee' });
    const access = await token(user, '2026-06-25T04:00:00.000Z');
    expect((await rawPost(app, '/api/v1/attendance/check-in', access, '{"workMode":"office"}')).status).to.equal(201);
    const first = await rawPost(app, '/api/v1/attendance/breaks/start', access, '{"breakType":"prayer"}', 'application/json', { 'Idempotency-Key': 'b1' });
    const again = await rawPost(app, '/api/v1/attendance/breaks/start', access, '{"breakType":"prayer"}', 'application/json', { 'Idempotency-Key': 'b1' });
    expect([first.status, again.status]).to.deep.equal([201, 201]);
    expect(again.text).to.equal(first.text);
    const end1 = await rawPost(app, '/api/v1/attendance/breaks/end', access, '{}', 'application/json', { 'Idempotency-Key': 'e1' });
    const end2 = await rawPost(app, '/api/v1/attendance/breaks/end', access, '{}', 'application/json', { 'Idempotency-Key': 'e1' });
    expect([end1.status, end2.status]).to.deep.equal([200, 200]);
    expect(end2.text).to.equal(end1.text);
    const out1 = await rawPost(app, '/api/v1/attendance/check-out', access, '{}', 'application/json', { 'Idempotency-Key': 'o1' });
    const out2 = await rawPost(app, '/api/v1/attendance/check-out', access, '{}', 'application/json', { 'Idempotency-Key': 'o1' });
    expect([out1.status, out2.status]).to.deep.equal([200, 200]);
    expect(out2.text).to.equal(out1.text);
    expect(out2.response.headers.get('idempotent-replayed')).to.equal('true');
    const { rows } = await app.sql.query('SELECT count(*)::int AS n FROM attendance_breaks WHERE user_id = $1', [user.id]);
    expect(rows[0].n).to.equal(1);
  });

  it('two racing check-outs: one 200 and one 409, one closed session and one checked_out event', async () => {
    const user = await createUser(app, { role: 'employee' });
    const access = await token(user, '2026-06-25T04:00:00.000Z');
    const opened = await rawPost(app, '/api/v1/attendance/check-in', access, '{"workMode":"office"}');
    const sessionId = opened.json!.id as string;
    const later = await token(user, '2026-06-25T06:00:00.000Z');
    const results = await whileLocked(sessionId, [
      () => rawPost(app, '/api/v1/attendance/check-out', later, '{}'),
      () => rawPost(app, '/api/v1/attendance/check-out', later, '{}'),
    ]);
    expect(results.map((r) => r.status)).to.deep.equal([200, 409]);
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, 409]);
    expect(results.find((r) => r.status === 409)!.json!.error!.code).to.equal('CONFLICT');
    const [row] = await sessionRows(app, user.id);
    expect(row).to.deep.include({ status: 'completed', gross_seconds: 7200 });
    const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM realtime_outbox WHERE event->>'type' = 'attendance.checked_out' AND event->>'entityId' = $1`, [sessionId]);
    expect(rows[0].n).to.equal(1);
  });

  for (const first of ['check-out', 'auto-close'] as const) {
    it(`check-out racing the auto-close job (${first} reaches the row first): exactly one closes the session`, async () => {
      const job = attendanceAutoCloseJob(app.running.db, app.config);
      const logger = createLogger('silent');
      const user = await createUser(app, { role: 'employee' });
      await assignShift(app, user.id, dayShift);
      const access = await token(user, '2026-06-25T04:00:00.000Z');
      const sessionId = (await rawPost(app, '/api/v1/attendance/check-in', access, '{"workMode":"office"}')).json!.id as string;
      // The user checks out at 17:30 PKT (after the shift, still allowed); the job runs as of 18:00 PKT (due).
      const later = await token(user, '2026-06-25T12:30:00.000Z');
      const checkOut = () => rawPost(app, '/api/v1/attendance/check-out', later, '{"afterShiftReason":"forgot_checkout","afterShiftNote":"left late"}');
      const autoClose = () => job.run({ now: new Date('2026-06-25T13:00:00.000Z'), logger }).then(() => null);
      const results = await whileLocked<Awaited<ReturnType<typeof checkOut>> | null>(sessionId, first === 'check-out' ? [checkOut, autoClose] : [autoClose, checkOut]);
      const checkout = results.find((r) => r !== null)!;
      const [row] = await sessionRows(app, user.id);
      const missing = (await exceptionRows(app, user.id)).filter((e) => e.type === 'missing_checkout');
      const { rows } = await app.sql.query(`SELECT event->>'type' AS type FROM realtime_outbox WHERE event->>'entityId' = $1 AND event->>'type' LIKE 'attendance.%' ORDER BY seq`, [
        sessionId,
      ]);
      const closeEvents = rows.map((r) => r.type).filter((t) => t !== 'attendance.checked_in');
      if (first === 'check-out') {
        expect(checkout.status).to.equal(200);
        expect(row).to.deep.include({ status: 'completed', auto_closed_reason: null, after_shift_reason: 'forgot_checkout' });
        expect(missing).to.have.length(0);
        expect(closeEvents).to.deep.equal(['attendance.checked_out']);
      } else {
        expect(checkout.status).to.equal(409);
        expect(checkout.json!.error!.code).to.equal('CONFLICT');
        expect(row).to.deep.include({ status: 'incomplete', auto_closed_reason: 'shift_ended' });
        expect(row!.check_out_at!.toISOString()).to.equal('2026-06-25T12:00:00.000Z');
        expect(missing).to.have.length(1);
        expect(closeEvents).to.deep.equal(['attendance.auto_closed']);
      }
    });
  }

  it('two racing break starts: one 201 and one 409, one open break', async () => {
    const user = await createUser(app, { role: 'employee' });
    const access = await token(user, '2026-06-25T04:00:00.000Z');
    const sessionId = (await rawPost(app, '/api/v1/attendance/check-in', access, '{"workMode":"office"}')).json!.id as string;
    const later = await token(user, '2026-06-25T05:00:00.000Z');
    const results = await whileLocked(sessionId, [
      () => rawPost(app, '/api/v1/attendance/breaks/start', later, '{"breakType":"prayer"}'),
      () => rawPost(app, '/api/v1/attendance/breaks/start', later, '{"breakType":"dinner"}'),
    ]);
    expect(results.map((r) => r.status).sort()).to.deep.equal([201, 409]);
    const { rows } = await app.sql.query('SELECT count(*)::int AS n FROM attendance_breaks WHERE user_id = $1 AND ended_at IS NULL', [user.id]);
    expect(rows[0].n).to.equal(1);
  });
});
