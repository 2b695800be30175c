/**
 * Attendance corrections (02 §3.4, §4.1, §4.8, §4.11, §5): filing (own and on behalf), the §4.8 rules, the approver's
 * decisions with four-eyes and scope, the session rewrite on approval, amendments, cancellation, lists, audit rows,
 * events and races — through the generated SDK against the real app. Closed sessions are arranged in SQL.
 *
 * Time: the clock stands at 2026-06-25T16:00Z (Thursday 21:00 in Asia/Karachi). The day shift is 09:00–17:00 PKT,
 * so the window of Wednesday 2026-06-24 is 04:00Z–12:00Z.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createOrg, createUser, signIn, signInOrg, type FixtureUser, type Org, type Session } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';
import { insertShift } from '../helpers/attendance-sessions.ts';
import { insertBreak, insertException, insertSession, type SessionSpec } from '../helpers/correction-fixtures.ts';
import { expectError, ok } from '../helpers/expect.ts';
import { auditRows, outboxEvents } from '../helpers/rows.ts';

const NOW = '2026-06-25T16:00:00.000Z';
const D = '2026-06-24';
const WINDOW = { start: `${D}T04:00:00.000Z`, end: `${D}T12:00:00.000Z` };

describe('attendance corrections (02 §3.4, §4.8)', function () {
  let app: TestApp;
  let clock: FixedClock;
  let org: Org;
  let admin: Session;
  let hr: Session;
  let manager: Session;
  let teamLead: Session;
  let employee: Session;
  let otherManager: Session;
  let outsider: Session;
  let dayShift: string;
  let nightShift: string;

  before(async function () {
    clock = new FixedClock(NOW);
    app = await startTestApp({ clock, env: { ORG_TIMEZONE: 'Asia/Karachi' } });
    org = await createOrg(app);
    ({ admin, hr, manager, teamLead, employee, otherManager, outsider } = await signInOrg(app, org));
    dayShift = await insertShift(app, { name: 'Day', start: '09:00', end: '17:00' });
    nightShift = await insertShift(app, { name: 'Night', start: '17:00', end: '02:00' });
  });

  after(async function () {
    await app?.close();
  });

  afterEach(function () {
    clock.set(NOW);
  });

  /** A fresh employee reporting to `managerId` (default: the manager), signed in. */
  async function newEmployee(managerId: string = org.manager.id): Promise<Session> {
    return signIn(app, await createUser(app, { role: 'employee', managerId }));
  }

  /** A closed day-shift session on 2026-06-24, 09:00–17:00 PKT unless overridden. */
  function daySession(user: FixtureUser, overrides: Partial<SessionSpec> = {}): Promise<string> {
    return insertSession(app, {
      userId: user.id,
      workDate: D,
      checkInAt: WINDOW.start,
      checkOutAt: WINDOW.end,
      shiftId: dayShift,
      window: WINDOW,
      ...overrides,
    });
  }

  async function file(as: Session, sessionId: string, body: { requestedCheckInAt?: string; requestedCheckOutAt?: string; reason?: string }) {
    return as.api.POST('/attendance/sessions/{sessionId}/corrections', {
      params: { path: { sessionId } },
      body: { reason: 'Forgot to check out on time', ...body } as { reason: string },
    });
  }

  async function fileOk(as: Session, sessionId: string, body: { requestedCheckInAt?: string; requestedCheckOutAt?: string; reason?: string }) {
    return ok(await file(as, sessionId, body), 201);
  }

  const approve = (as: Session, correctionId: string, comment?: string) =>
    as.api.POST('/attendance/corrections/{correctionId}/approve', { params: { path: { correctionId } }, body: comment === undefined ? {} : { comment } });
  const reject = (as: Session, correctionId: string, comment: string) =>
    as.api.POST('/attendance/corrections/{correctionId}/reject', { params: { path: { correctionId } }, body: { comment } });
  const clarify = (as: Session, correctionId: string, comment: string) =>
    as.api.POST('/attendance/corrections/{correctionId}/request-clarification', { params: { path: { correctionId } }, body: { comment } });
  const cancel = (as: Session, correctionId: string) => as.api.POST('/attendance/corrections/{correctionId}/cancel', { params: { path: { correctionId } } });
  const amend = (as: Session, correctionId: string, body: { requestedCheckInAt?: string | null; requestedCheckOutAt?: string | null; reason?: string }) =>
    as.api.PATCH('/attendance/corrections/{correctionId}', { params: { path: { correctionId } }, body });

  async function sessionRow(id: string) {
    const { rows } = await app.sql.query(
      `SELECT status, is_corrected, check_in_at, check_out_at, is_late, late_minutes, is_early_checkout, early_checkout_minutes,
              early_checkout_reason, after_shift_reason, after_shift_minutes, is_overtime, auto_closed_reason, gross_seconds,
              worked_seconds, classification
       FROM attendance_sessions WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  async function exceptionRows(userId: string) {
    const { rows } = await app.sql.query(
      `SELECT type, status, severity, session_id, correction_id, resolved_by_id, resolution_note, reason
       FROM attendance_exceptions WHERE user_id = $1 ORDER BY type`,
      [userId],
    );
    return rows;
  }

  async function correctionCount(sessionId: string): Promise<number> {
    const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM attendance_corrections WHERE session_id = $1`, [sessionId]);
    return rows[0].n;
  }

  describe('filing (createCorrection)', function () {
    it('files a correction on an own session: 201 pending, correction_request exception, audit, event to the routed approver', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user, { checkInAt: `${D}T04:20:00.000Z`, isLate: true, lateMinutes: 20 });
      const { data, response } = await owner.api.POST('/attendance/sessions/{sessionId}/corrections', {
        params: { path: { sessionId } },
        body: { requestedCheckInAt: '2026-06-24T09:00:00+05:00', reason: '  Badge reader was down at the gate  ' },
        headers: { 'X-Request-Id': 'corr-create-1' },
      });
      expect(response.status).to.equal(201);
      expect(data).to.deep.include({
        sessionId,
        userId: owner.user.id,
        userFullName: owner.user.fullName,
        requestedById: owner.user.id,
        workDate: D,
        originalCheckInAt: `${D}T04:20:00.000Z`,
        originalCheckOutAt: WINDOW.end,
        requestedCheckInAt: `${D}T04:00:00.000Z`,
        requestedCheckOutAt: null,
        reason: 'Badge reader was down at the gate',
        status: 'pending',
        reviewerId: null,
        reviewerComment: null,
        resolvedAt: null,
        createdAt: NOW,
      });

      const exceptions = await exceptionRows(owner.user.id);
      expect(exceptions).to.have.length(1);
      expect(exceptions[0]).to.include({ type: 'correction_request', status: 'open', severity: 'medium', session_id: sessionId, correction_id: data!.id });

      const audits = await auditRows(app, data!.id);
      expect(audits).to.have.length(1);
      expect(audits[0]).to.deep.include({ action: 'attendance.correction_requested', actor_user_id: owner.user.id, entity_type: 'attendance_correction', outcome: 'success' });
      expect(audits[0]!.after).to.deep.equal({ status: 'pending', requestedCheckInAt: `${D}T04:00:00.000Z`, requestedCheckOutAt: null });
      expect(audits[0]!.metadata).to.include({ requestId: 'corr-create-1', sessionId });

      const events = await outboxEvents(app, 'attendance.correction_requested', 'correctionId', data!.id);
      expect(events).to.have.length(1);
      expect(events[0]!.event.payload).to.deep.equal({ correctionId: data!.id, sessionId, userId: owner.user.id, workDate: D });
      // owner (user), the manager (team and routed approver)
      expect(events[0]!.audience_user_ids).to.have.members([owner.user.id, org.manager.id]);
      const { rows } = await app.sql.query(
        `SELECT event->'payload'->>'scope' AS scope FROM realtime_outbox WHERE event->>'type' = 'dashboard.changed' AND $1 = ANY(audience_user_ids) ORDER BY seq`,
        [owner.user.id],
      );
      expect(rows.map((r) => r.scope)).to.include.members(['attendance', 'approvals']);
    });

    it('lets HR file on behalf of a user: userId is the owner, requestedById the caller', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const data = await fileOk(hr, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z`, reason: 'Stayed for the release, per team lead' });
      expect(data).to.include({ userId: owner.user.id, requestedById: org.hr.id, userFullName: owner.user.fullName, status: 'pending' });
      const { rows } = await app.sql.query(`SELECT user_id, requested_by_id FROM attendance_corrections WHERE id = $1`, [data.id]);
      expect(rows[0]).to.deep.equal({ user_id: owner.user.id, requested_by_id: org.hr.id });
      expect((await auditRows(app, data.id))[0]!.after).to.include({ onBehalfOf: owner.user.id });
    });

    it('correction on another user\'s session by an employee → 404 + audit attendance.correction_idor_denied', async function () {
      const victim = await newEmployee();
      const sessionId = await daySession(victim.user);
      const result = await file(employee, sessionId, { requestedCheckOutAt: `${D}T13:00:00.000Z` });
      expectError(result, 404, 'NOT_FOUND');
      expect(await correctionCount(sessionId)).to.equal(0);
      const audits = await auditRows(app, sessionId, { action: 'attendance.correction_idor_denied' });
      expect(audits).to.have.length(1);
      expect(audits[0]).to.deep.include({ actor_user_id: org.employee.id, entity_type: 'attendance_session', outcome: 'denied' });
      expect(audits[0].after).to.deep.equal({ reason: 'not_session_owner' });
      // an unknown session is a plain 404, with the same body and no audit
      const unknown = randomUUID();
      expectError(await file(employee, unknown, { requestedCheckOutAt: `${D}T13:00:00.000Z` }), 404, 'NOT_FOUND');
      expect(await auditRows(app, unknown, { action: 'attendance.correction_idor_denied' })).to.have.length(0);
    });

    it('a manager (no attendance.view_org) cannot file for a report: 404 + attendance.correction_idor_denied', async function () {
      const report = await newEmployee();
      const sessionId = await daySession(report.user);
      expectError(await file(manager, sessionId, { requestedCheckOutAt: `${D}T13:00:00.000Z` }), 404, 'NOT_FOUND');
      expect(await auditRows(app, sessionId, { action: 'attendance.correction_idor_denied' })).to.have.length(1);
    });

    it('correction with requestedCheckOutAt <= requestedCheckInAt → 422', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const equal = await file(owner, sessionId, { requestedCheckInAt: `${D}T05:00:00.000Z`, requestedCheckOutAt: `${D}T05:00:00.000Z` });
      expect(expectError(equal, 422, 'VALIDATION_ERROR', ['body.requestedCheckOutAt']).details[0]!.message).to.equal('must be after the check-in');
      const before = await file(owner, sessionId, { requestedCheckInAt: `${D}T06:00:00.000Z`, requestedCheckOutAt: `${D}T05:00:00.000Z` });
      expectError(before, 422, 'VALIDATION_ERROR', ['body.requestedCheckOutAt']);
      expect(await correctionCount(sessionId)).to.equal(0);
    });

    it('correction with a new check-in after the existing check-out → 422', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const result = await file(owner, sessionId, { requestedCheckInAt: `${D}T12:30:00.000Z` });
      expect(expectError(result, 422, 'VALIDATION_ERROR', ['body.requestedCheckInAt']).details[0]!.message).to.equal('must be before the check-out');
    });

    it('correction with neither time → 422', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const result = await file(owner, sessionId, {});
      expect(expectError(result, 422, 'VALIDATION_ERROR', ['body.requestedCheckInAt']).details[0]!.message).to.match(/requestedCheckInAt or requestedCheckOutAt/);
    });

    it('correction with the same values as now → 422', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      // the same instants written with another offset are still the same values
      const result = await file(owner, sessionId, { requestedCheckInAt: '2026-06-24T09:00:00+05:00', requestedCheckOutAt: WINDOW.end });
      expect(expectError(result, 422, 'VALIDATION_ERROR', ['body.requestedCheckOutAt']).details[0]!.message).to.equal('must change the check-in or the check-out time');
    });

    it('correction with a naive time 2026-06-25T09:00:00 → 422', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const result = await file(owner, sessionId, { requestedCheckInAt: '2026-06-24T09:00:00' });
      expectError(result, 422, 'VALIDATION_ERROR', ['body.requestedCheckInAt']);
      expect(await correctionCount(sessionId)).to.equal(0);
    });

    it('correction requestedCheckOutAt in the far future (2999-01-01T00:00:00Z) → 422', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const result = await file(owner, sessionId, { requestedCheckOutAt: '2999-01-01T00:00:00Z' });
      expectError(result, 422, 'VALIDATION_ERROR', ['body.requestedCheckOutAt']);
    });

    it('correction requestedCheckOutAt > now + 60 s → 422 (exactly now + 60 s is accepted)', async function () {
      const owner = await newEmployee();
      // today's session: 2026-06-25 09:00–17:00 PKT, corrected to end just after "now" (21:00 PKT)
      const sessionId = await insertSession(app, {
        userId: owner.user.id,
        workDate: '2026-06-25',
        checkInAt: '2026-06-25T04:00:00.000Z',
        checkOutAt: '2026-06-25T12:00:00.000Z',
        shiftId: dayShift,
        window: { start: '2026-06-25T04:00:00.000Z', end: '2026-06-25T12:00:00.000Z' },
      });
      const late = await file(owner, sessionId, { requestedCheckOutAt: '2026-06-25T16:01:00.001Z' });
      expect(expectError(late, 422, 'VALIDATION_ERROR', ['body.requestedCheckOutAt']).details[0]!.message).to.equal('must not be in the future');
      const edge = await fileOk(owner, sessionId, { requestedCheckOutAt: '2026-06-25T16:01:00.000Z' });
      expect(edge.requestedCheckOutAt).to.equal('2026-06-25T16:01:00.000Z');
    });

    it('correction moving check-in to another work date → 422', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      // 23:30 PKT on Jun 23 is the work date Jun 23 under the day shift
      const result = await file(owner, sessionId, { requestedCheckInAt: '2026-06-23T23:30:00+05:00', requestedCheckOutAt: '2026-06-24T08:00:00+05:00' });
      expect(expectError(result, 422, 'VALIDATION_ERROR', ['body.requestedCheckInAt']).details[0]!.message).to.equal(
        "must stay on the session's work date 2026-06-24",
      );
    });

    it('uses the session\'s stored overnight shift for the work date: 01:30 next day stays on the night\'s work date', async function () {
      const owner = await newEmployee();
      // night shift 17:00–02:00 PKT, work date Jun 24: window 12:00Z Jun 24 → 21:00Z Jun 24
      const sessionId = await insertSession(app, {
        userId: owner.user.id,
        workDate: D,
        checkInAt: `${D}T12:30:00.000Z`,
        checkOutAt: `${D}T21:00:00.000Z`,
        shiftId: nightShift,
        window: { start: `${D}T12:00:00.000Z`, end: `${D}T21:00:00.000Z` },
      });
      // 01:30 PKT on Jun 25 is before end + SHIFT_POST_END_GRACE_HOURS (06:00): it still belongs to Jun 24
      const ok = await fileOk(owner, sessionId, { requestedCheckInAt: '2026-06-25T01:30:00+05:00', requestedCheckOutAt: '2026-06-25T02:00:00+05:00' });
      expect(ok).to.include({ workDate: D, requestedCheckInAt: `${D}T20:30:00.000Z` });
      await cancel(owner, ok.id);
      // 05:59 PKT on Jun 24 belongs to the night of Jun 23
      const moved = await file(owner, sessionId, { requestedCheckInAt: '2026-06-24T05:59:00+05:00' });
      expectError(moved, 422, 'VALIDATION_ERROR', ['body.requestedCheckInAt']);
    });

    it('correction span > 16 h → 422', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      // check-in moved to 06:00 PKT, check-out to 22:00:01 PKT = 16 h 1 s
      const result = await file(owner, sessionId, { requestedCheckInAt: `${D}T01:00:00.000Z`, requestedCheckOutAt: `${D}T17:00:01.000Z` });
      expect(expectError(result, 422, 'VALIDATION_ERROR', ['body.requestedCheckOutAt']).details[0]!.message).to.equal('the session must not last more than 16 hours');
      // exactly 16 h is allowed
      await fileOk(owner, sessionId, { requestedCheckInAt: `${D}T01:00:00.000Z`, requestedCheckOutAt: `${D}T17:00:00.000Z` });
    });

    it('correction work date older than 30 days → 422', async function () {
      const owner = await newEmployee();
      // today is 2026-06-25: 2026-05-26 is exactly 30 days back (allowed), 2026-05-25 is 31 (refused)
      const old = await insertSession(app, { userId: owner.user.id, workDate: '2026-05-25', checkInAt: '2026-05-25T04:00:00.000Z', checkOutAt: '2026-05-25T12:00:00.000Z' });
      const result = await file(owner, old, { requestedCheckOutAt: '2026-05-25T12:30:00.000Z' });
      expect(expectError(result, 422, 'VALIDATION_ERROR', ['path.sessionId']).details[0]!.message).to.equal('the work date is older than 30 days');
      const edge = await insertSession(app, { userId: owner.user.id, workDate: '2026-05-26', checkInAt: '2026-05-26T04:00:00.000Z', checkOutAt: '2026-05-26T12:00:00.000Z' });
      await fileOk(owner, edge, { requestedCheckOutAt: '2026-05-26T12:30:00.000Z' });
    });

    it('correction leaving a break outside the new interval → 422', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      await insertBreak(app, { sessionId, userId: owner.user.id, startedAt: `${D}T04:10:00.000Z`, endedAt: `${D}T04:25:00.000Z` });
      const result = await file(owner, sessionId, { requestedCheckInAt: `${D}T04:15:00.000Z` });
      expect(expectError(result, 422, 'VALIDATION_ERROR', ['body.requestedCheckInAt']).details[0]!.message).to.equal(
        'every break of the session must lie inside the corrected interval',
      );
      await fileOk(owner, sessionId, { requestedCheckInAt: `${D}T04:10:00.000Z` });
    });

    it('correction overlapping another own session → 409', async function () {
      const owner = await newEmployee();
      const first = await daySession(owner.user, { checkOutAt: `${D}T08:00:00.000Z` });
      await daySession(owner.user, { checkInAt: `${D}T09:00:00.000Z`, checkOutAt: `${D}T12:00:00.000Z` });
      const result = await file(owner, first, { requestedCheckOutAt: `${D}T09:30:00.000Z` });
      expect(expectError(result, 409, 'CONFLICT', ['body.requestedCheckOutAt']).details[0]!.message).to.equal('overlaps another session of the user');
      // touching the next session's check-in is not an overlap
      await fileOk(owner, first, { requestedCheckOutAt: `${D}T09:00:00.000Z` });
    });

    it('correction on an active session → 409', async function () {
      const owner = await newEmployee();
      clock.set('2026-06-25T06:00:00.000Z');
      const sessionId = await insertSession(app, { userId: owner.user.id, workDate: '2026-06-25', checkInAt: '2026-06-25T04:30:00.000Z', checkOutAt: null, status: 'active' });
      const result = await file(owner, sessionId, { requestedCheckInAt: '2026-06-25T04:00:00.000Z' });
      expect(expectError(result, 409, 'CONFLICT', ['path.sessionId']).message).to.equal('The session is still active; check out first.');
      expect(await correctionCount(sessionId)).to.equal(0);
    });

    it('second open correction → 409', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      const second = await file(owner, sessionId, { requestedCheckOutAt: `${D}T12:45:00.000Z` });
      expectError(second, 409, 'CONFLICT', ['path.sessionId']);
      expect(await correctionCount(sessionId)).to.equal(1);
    });

    it('two simultaneous filings on one session → one 201 and one 409, one row', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const results = await Promise.all([
        file(owner, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` }),
        file(owner, sessionId, { requestedCheckOutAt: `${D}T12:40:00.000Z` }),
      ]);
      expect(results.map((r) => r.response.status).sort()).to.deep.equal([201, 409]);
      expect(await correctionCount(sessionId)).to.equal(1);
    });

    it('refuses unknown body properties and a short reason (422)', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const unknown = await owner.api.POST('/attendance/sessions/{sessionId}/corrections', {
        params: { path: { sessionId } },
        body: { requestedCheckOutAt: `${D}T12:30:00.000Z`, reason: 'Long enough reason', userId: org.employee.id } as never,
      });
      expectError(unknown, 422, 'VALIDATION_ERROR', ['body.userId']);
      const blank = await file(owner, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z`, reason: '   abcd   ' });
      expectError(blank, 422, 'VALIDATION_ERROR', ['body.reason']);
    });

    it('replays a filing retried with the same Idempotency-Key', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const send = () =>
        owner.api.POST('/attendance/sessions/{sessionId}/corrections', {
          params: { path: { sessionId }, header: { 'Idempotency-Key': `file-${sessionId}` } },
          body: { requestedCheckOutAt: `${D}T12:30:00.000Z`, reason: 'Stayed late for the deploy' },
        });
      const first = await send();
      const second = await send();
      expect(first.response.status).to.equal(201);
      expect(second.response.status).to.equal(201);
      expect(second.response.headers.get('idempotent-replayed')).to.equal('true');
      expect(second.data).to.deep.equal(first.data);
      expect(await correctionCount(sessionId)).to.equal(1);
    });
  });

  describe('approval', function () {
    it('approves: rewrites the session (corrected, durations, late recomputed), resolves superseded exceptions, refreshes daily_stats, audits and announces', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user, { checkInAt: `${D}T04:40:00.000Z`, isLate: true, lateMinutes: 40 });
      await insertException(app, { userId: owner.user.id, workDate: D, type: 'late', sessionId });
      const correction = await fileOk(owner, sessionId, { requestedCheckInAt: `${D}T04:05:00.000Z` });

      const { data, response } = await manager.api.POST('/attendance/corrections/{correctionId}/approve', {
        params: { path: { correctionId: correction.id } },
        body: { comment: '  Confirmed with security  ' },
        headers: { 'X-Request-Id': 'corr-approve-1' },
      });
      expect(response.status).to.equal(200);
      expect(data).to.include({ status: 'approved', reviewerId: org.manager.id, reviewerComment: 'Confirmed with security', resolvedAt: NOW });

      const session = await sessionRow(sessionId);
      expect(session).to.include({ status: 'corrected', is_corrected: true, is_late: false, late_minutes: 0, gross_seconds: 28_500, worked_seconds: 28_500, classification: 'full_day' });
      expect(session.check_in_at.toISOString()).to.equal(`${D}T04:05:00.000Z`);

      const exceptions = await exceptionRows(owner.user.id);
      expect(exceptions.map((e) => [e.type, e.status, e.resolved_by_id])).to.deep.equal([
        ['correction_request', 'resolved', null],
        ['late', 'resolved', null],
      ]);
      for (const e of exceptions) expect(e.resolution_note).to.match(/^auto:/);

      const { rows: stats } = await app.sql.query(`SELECT is_late, worked_seconds, day_classification, session_count FROM daily_stats WHERE user_id = $1 AND work_date = $2`, [
        owner.user.id,
        D,
      ]);
      expect(stats[0]).to.deep.equal({ is_late: false, worked_seconds: 28_500, day_classification: 'full_day', session_count: 1 });

      const audits = await auditRows(app, correction.id);
      const approved = audits.find((a) => a.action === 'attendance.correction_approved')!;
      expect(approved).to.deep.include({ actor_user_id: org.manager.id, outcome: 'success', before: { status: 'pending' } });
      expect(approved.after).to.deep.equal({
        status: 'approved',
        comment: 'Confirmed with security',
        appliedChanges: { checkInAt: { from: `${D}T04:40:00.000Z`, to: `${D}T04:05:00.000Z` } },
      });
      expect(approved.metadata).to.include({ sessionId, requestId: 'corr-approve-1' });

      const updated = await outboxEvents(app, 'attendance.correction_updated', 'correctionId', correction.id);
      expect(updated).to.have.length(1);
      expect(updated[0]!.event.payload).to.deep.equal({ correctionId: correction.id, sessionId, userId: owner.user.id, status: 'approved' });
      expect(updated[0]!.audience_user_ids).to.include.members([owner.user.id, org.manager.id]);
      const sessionEvents = await outboxEvents(app, 'attendance.session_updated', 'sessionId', sessionId);
      expect(sessionEvents).to.have.length(1);
      expect(sessionEvents[0]!.event.payload).to.deep.equal({ sessionId, userId: owner.user.id, workDate: D });
      expect(sessionEvents[0]!.audience_user_ids).to.have.members([owner.user.id, org.manager.id]);
    });

    it('approving a correction of an auto-closed session resolves missing_checkout and keeps autoClosedReason; no overtime without the stored reason', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user, { status: 'incomplete', autoClosedReason: 'shift_ended' });
      await insertException(app, { userId: owner.user.id, workDate: D, type: 'missing_checkout', sessionId });
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T13:30:00.000Z` });
      expect((await approve(manager, correction.id)).response.status).to.equal(200);
      const session = await sessionRow(sessionId);
      expect(session).to.include({ status: 'corrected', auto_closed_reason: 'shift_ended', after_shift_minutes: 90, is_overtime: false, gross_seconds: 34_200 });
      const missing = (await exceptionRows(owner.user.id)).find((e) => e.type === 'missing_checkout');
      expect(missing).to.include({ status: 'resolved', resolved_by_id: null });
    });

    it('approving a check-out moved back to the shift end clears overtime and resolves the overtime exception', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user, {
        checkOutAt: `${D}T14:00:00.000Z`,
        afterShiftReason: 'overtime',
        afterShiftNote: 'release',
        afterShiftMinutes: 120,
        isOvertime: true,
      });
      await insertException(app, { userId: owner.user.id, workDate: D, type: 'overtime', sessionId });
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: WINDOW.end, reason: 'Pressed check-out two hours late' });
      expect((await approve(manager, correction.id)).response.status).to.equal(200);
      expect(await sessionRow(sessionId)).to.include({ is_overtime: false, after_shift_minutes: 0, is_early_checkout: false, gross_seconds: 28_800 });
      expect((await exceptionRows(owner.user.id)).find((e) => e.type === 'overtime')).to.include({ status: 'resolved', resolved_by_id: null });
    });

    it('keeps overtime when the corrected check-out is still after the shift end and the stored reason was overtime', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user, { checkOutAt: `${D}T14:00:00.000Z`, afterShiftReason: 'overtime', afterShiftNote: 'release', afterShiftMinutes: 120, isOvertime: true });
      await insertException(app, { userId: owner.user.id, workDate: D, type: 'overtime', sessionId });
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T13:00:00.000Z` });
      expect((await approve(manager, correction.id)).response.status).to.equal(200);
      expect(await sessionRow(sessionId)).to.include({ is_overtime: true, after_shift_minutes: 60 });
      expect((await exceptionRows(owner.user.id)).find((e) => e.type === 'overtime')).to.include({ status: 'open' });
    });

    it('approving a check-out moved to the shift end clears the early flag and resolves the early exception', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user, { checkOutAt: `${D}T10:00:00.000Z`, isEarlyCheckout: true, earlyCheckoutMinutes: 120, earlyCheckoutReason: 'Doctor appointment' });
      await insertException(app, { userId: owner.user.id, workDate: D, type: 'early', sessionId });
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: WINDOW.end });
      expect((await approve(manager, correction.id)).response.status).to.equal(200);
      expect(await sessionRow(sessionId)).to.include({ is_early_checkout: false, early_checkout_minutes: 0, early_checkout_reason: null });
      expect((await exceptionRows(owner.user.id)).find((e) => e.type === 'early')).to.include({ status: 'resolved' });
    });

    it('keeps late only for the day\'s first session, and the late exception while that session is still late', async function () {
      const owner = await newEmployee();
      const first = await daySession(owner.user, { checkInAt: `${D}T04:30:00.000Z`, checkOutAt: `${D}T06:00:00.000Z`, isLate: true, lateMinutes: 30 });
      const second = await daySession(owner.user, { checkInAt: `${D}T07:00:00.000Z` });
      await insertException(app, { userId: owner.user.id, workDate: D, type: 'late', sessionId: first });
      // the second session moved earlier is still not the first one: never late
      const c2 = await fileOk(owner, second, { requestedCheckInAt: `${D}T06:30:00.000Z` });
      expect((await approve(manager, c2.id)).response.status).to.equal(200);
      expect(await sessionRow(second)).to.include({ is_late: false, late_minutes: 0 });
      // the first session corrected to 09:20 PKT: still late (20 min from the start), the exception stays open
      const c1 = await fileOk(owner, first, { requestedCheckInAt: `${D}T04:20:00.000Z` });
      expect((await approve(manager, c1.id)).response.status).to.equal(200);
      expect(await sessionRow(first)).to.include({ is_late: true, late_minutes: 20, status: 'corrected' });
      expect((await exceptionRows(owner.user.id)).find((e) => e.type === 'late')).to.include({ status: 'open' });
    });

    it('approval re-checks §4.8: 409 when the interval now overlaps another session, nothing changes', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T14:00:00.000Z` });
      await daySession(owner.user, { checkInAt: `${D}T13:00:00.000Z`, checkOutAt: `${D}T15:00:00.000Z`, window: null, shiftId: null });
      const result = await approve(manager, correction.id);
      expect(expectError(result, 409, 'CONFLICT', ['body.requestedCheckOutAt']).details[0]!.message).to.equal('overlaps another session of the user');
      expect(await sessionRow(sessionId)).to.include({ status: 'completed', is_corrected: false });
      const { rows } = await app.sql.query(`SELECT status FROM attendance_corrections WHERE id = $1`, [correction.id]);
      expect(rows[0].status).to.equal('pending');
    });

    it('approval answers 409 when the session changed after filing', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      await app.sql.query(`UPDATE attendance_sessions SET check_in_at = $2 WHERE id = $1`, [sessionId, `${D}T04:01:00.000Z`]);
      const result = await approve(manager, correction.id);
      expect(expectError(result, 409, 'CONFLICT').message).to.equal('The session changed after the correction was filed.');
    });

    it('approve by team_lead → 403 + audit attendance.correction_resolve_denied', async function () {
      const owner = await signIn(app, await createUser(app, { role: 'employee', managerId: org.teamLead.id }));
      const sessionId = await daySession(owner.user);
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      expectError(await approve(teamLead, correction.id), 403, 'PERMISSION_ERROR');
      expectError(await reject(teamLead, correction.id, 'no'), 403, 'PERMISSION_ERROR');
      const audits = await auditRows(app, correction.id, { action: 'attendance.correction_resolve_denied' });
      expect(audits).to.have.length(2);
      expect(audits[0]).to.deep.include({ actor_user_id: org.teamLead.id, entity_type: 'attendance_correction', outcome: 'denied' });
      expect(audits[0].after).to.include({ reason: 'missing_permission' });
      const { rows } = await app.sql.query(`SELECT status FROM attendance_corrections WHERE id = $1`, [correction.id]);
      expect(rows[0].status).to.equal('pending');
    });

    it('approve own → 403 + audit attendance.self_correction_approval_denied', async function () {
      const sessionId = await daySession(org.manager);
      const correction = await fileOk(manager, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      const result = await approve(manager, correction.id);
      expectError(result, 403, 'PERMISSION_ERROR');
      const audits = await auditRows(app, correction.id, { action: 'attendance.self_correction_approval_denied' });
      expect(audits).to.have.length(1);
      expect(audits[0]).to.deep.include({ actor_user_id: org.manager.id, outcome: 'denied', after: { reason: 'session_owner' } });
      // the manager's own manager (the admin) may approve it
      expect((await approve(admin, correction.id)).data).to.include({ status: 'approved', reviewerId: org.admin.id });
    });

    it('approve own-filed on-behalf request → 403', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const correction = await fileOk(hr, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      expectError(await approve(hr, correction.id), 403, 'PERMISSION_ERROR');
      const audits = await auditRows(app, correction.id, { action: 'attendance.self_correction_approval_denied' });
      expect(audits[0]).to.deep.include({ actor_user_id: org.hr.id, after: { reason: 'requester' } });
      expect((await approve(manager, correction.id)).response.status).to.equal(200);
    });

    it("an admin's own correction is approved by another admin or by HR, never by the admin", async function () {
      const secondAdmin = await signIn(app, await createUser(app, { role: 'admin' }));
      const first = await daySession(org.admin);
      const viaAdmin = await fileOk(admin, first, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      // no manager above the admin: the correction goes to the pool (other admins and HR), never to the requester
      const events = await outboxEvents(app, 'attendance.correction_requested', 'correctionId', viaAdmin.id);
      expect(events[0]!.audience_user_ids).to.include.members([org.hr.id, secondAdmin.user.id]);
      expectError(await approve(admin, viaAdmin.id), 403, 'PERMISSION_ERROR');
      expect((await approve(secondAdmin, viaAdmin.id)).data).to.include({ status: 'approved', reviewerId: secondAdmin.user.id });

      const second = await insertSession(app, { userId: org.admin.id, workDate: '2026-06-23', checkInAt: '2026-06-23T04:00:00.000Z', checkOutAt: '2026-06-23T12:00:00.000Z' });
      const viaHr = await fileOk(admin, second, { requestedCheckOutAt: '2026-06-23T12:30:00.000Z' });
      expect((await approve(hr, viaHr.id)).data).to.include({ status: 'approved', reviewerId: org.hr.id });
    });

    it('approve by a manager for a non-report → 404 + audit attendance.cross_team_correction_denied', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      const result = await approve(otherManager, correction.id);
      expectError(result, 404, 'NOT_FOUND');
      const audits = await auditRows(app, correction.id, { action: 'attendance.cross_team_correction_denied' });
      expect(audits).to.have.length(1);
      expect(audits[0]).to.deep.include({ actor_user_id: org.otherManager.id, outcome: 'denied' });
      // an unknown id: the same 404, not audited
      const unknown = randomUUID();
      expectError(await approve(otherManager, unknown), 404, 'NOT_FOUND');
      expect(await auditRows(app, unknown, { action: 'attendance.cross_team_correction_denied' })).to.have.length(0);
    });

    it('approve / reject twice → 409', async function () {
      const owner = await newEmployee();
      const s1 = await daySession(owner.user);
      const c1 = await fileOk(owner, s1, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      expect((await approve(manager, c1.id)).response.status).to.equal(200);
      expect(expectError(await approve(manager, c1.id), 409, 'CONFLICT', ['status']).details[0]!.message).to.equal('is approved');
      expectError(await reject(manager, c1.id, 'too late'), 409, 'CONFLICT');

      const s2 = await insertSession(app, { userId: owner.user.id, workDate: '2026-06-23', checkInAt: '2026-06-23T04:00:00.000Z', checkOutAt: '2026-06-23T12:00:00.000Z' });
      const c2 = await fileOk(owner, s2, { requestedCheckOutAt: '2026-06-23T12:30:00.000Z' });
      expect((await reject(manager, c2.id, 'No evidence')).response.status).to.equal(200);
      expectError(await reject(manager, c2.id, 'No evidence'), 409, 'CONFLICT');
      expectError(await approve(hr, c2.id), 409, 'CONFLICT');
    });

    it('two approvers racing → one 200 and one 409; the session is rewritten once', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      const results = await Promise.all([approve(manager, correction.id), approve(hr, correction.id), reject(admin, correction.id, 'racing')]);
      expect(results.map((r) => r.response.status).sort()).to.deep.equal([200, 409, 409]);
      const audits = (await auditRows(app, correction.id)).filter((a) => a.action !== 'attendance.correction_requested');
      expect(audits).to.have.length(1);
      expect(await outboxEvents(app, 'attendance.session_updated', 'sessionId', sessionId)).to.have.length(audits[0]!.action === 'attendance.correction_approved' ? 1 : 0);
    });

    it('replays an approval retried with the same Idempotency-Key', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      const send = () =>
        manager.api.POST('/attendance/corrections/{correctionId}/approve', {
          params: { path: { correctionId: correction.id }, header: { 'Idempotency-Key': `approve-${correction.id}` } },
          body: {},
        });
      const first = await send();
      const second = await send();
      expect(first.response.status).to.equal(200);
      expect(second.response.status).to.equal(200);
      expect(second.response.headers.get('idempotent-replayed')).to.equal('true');
      expect(second.data).to.deep.equal(first.data);
    });

    it('approves with no body at all', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      const response = await fetch(`${app.url}/api/v1/attendance/corrections/${correction.id}/approve`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${manager.accessToken}` },
      });
      expect(response.status).to.equal(200);
      expect(await response.json()).to.include({ status: 'approved', reviewerComment: null });
    });
  });

  describe('reject, clarification, amendment and cancellation', function () {
    it('reject or clarify without comment → 422', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      const missing = await manager.api.POST('/attendance/corrections/{correctionId}/reject', { params: { path: { correctionId: correction.id } }, body: {} as never });
      expectError(missing, 422, 'VALIDATION_ERROR', ['body.comment']);
      expectError(await reject(manager, correction.id, '   '), 422, 'VALIDATION_ERROR', ['body.comment']);
      const clarifyMissing = await manager.api.POST('/attendance/corrections/{correctionId}/request-clarification', {
        params: { path: { correctionId: correction.id } },
        body: {} as never,
      });
      expectError(clarifyMissing, 422, 'VALIDATION_ERROR', ['body.comment']);
      expectError(await clarify(manager, correction.id, '  '), 422, 'VALIDATION_ERROR', ['body.comment']);
    });

    it('rejects: session unchanged, correction_request exception closed, audit and event', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      const { data } = await reject(manager, correction.id, ' Badge logs show 17:00 ');
      expect(data).to.include({ status: 'rejected', reviewerId: org.manager.id, reviewerComment: 'Badge logs show 17:00', resolvedAt: NOW });
      expect(await sessionRow(sessionId)).to.include({ status: 'completed', is_corrected: false });
      expect((await exceptionRows(owner.user.id))[0]).to.include({ type: 'correction_request', status: 'resolved', resolved_by_id: null });
      const rejected = (await auditRows(app, correction.id)).find((a) => a.action === 'attendance.correction_rejected')!;
      expect(rejected).to.deep.include({ before: { status: 'pending' }, after: { status: 'rejected', comment: 'Badge logs show 17:00' } });
      const events = await outboxEvents(app, 'attendance.correction_updated', 'correctionId', correction.id);
      expect(events.map((e) => e.event.payload.status)).to.deep.equal(['rejected']);
      // a terminal correction frees the session for a new one
      await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T12:15:00.000Z` });
    });

    it('clarify a needs_clarification → 409; the requester answers with PATCH, which returns it to pending', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      const { data: asked } = await clarify(manager, correction.id, 'Which door did you use?');
      expect(asked).to.include({ status: 'needs_clarification', reviewerComment: 'Which door did you use?', resolvedAt: null });
      expectError(await clarify(manager, correction.id, 'Again?'), 409, 'CONFLICT', ['status']);

      const { data: amended, response } = await amend(owner, correction.id, { requestedCheckOutAt: `${D}T12:20:00.000Z`, reason: 'Side door, the log shows 17:20' });
      expect(response.status).to.equal(200);
      expect(amended).to.include({ status: 'pending', requestedCheckOutAt: `${D}T12:20:00.000Z`, reason: 'Side door, the log shows 17:20' });
      const amendedAudit = (await auditRows(app, correction.id)).find((a) => a.action === 'attendance.correction_amended')!;
      expect(amendedAudit.before).to.deep.equal({ requestedCheckOutAt: `${D}T12:30:00.000Z`, reason: 'Forgot to check out on time', status: 'needs_clarification' });
      expect(amendedAudit.after).to.deep.equal({ requestedCheckOutAt: `${D}T12:20:00.000Z`, reason: 'Side door, the log shows 17:20', status: 'pending' });
      const clarifiedAudit = (await auditRows(app, correction.id)).find((a) => a.action === 'attendance.correction_clarification_requested')!;
      expect(clarifiedAudit).to.deep.include({ before: { status: 'pending' }, after: { status: 'needs_clarification', comment: 'Which door did you use?' } });
      const statuses = (await outboxEvents(app, 'attendance.correction_updated', 'correctionId', correction.id)).map((e) => e.event.payload.status);
      expect(statuses).to.deep.equal(['needs_clarification', 'pending']);
      // approvable again
      expect((await approve(manager, correction.id)).data).to.include({ status: 'approved' });
    });

    it('PATCH is re-validated against §4.8 and may set a requested time back to null', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const correction = await fileOk(owner, sessionId, { requestedCheckInAt: `${D}T03:50:00.000Z`, requestedCheckOutAt: `${D}T12:30:00.000Z` });
      expectError(await amend(owner, correction.id, { requestedCheckOutAt: `${D}T03:00:00.000Z` }), 422, 'VALIDATION_ERROR', ['body.requestedCheckOutAt']);
      expectError(await amend(owner, correction.id, { requestedCheckInAt: null, requestedCheckOutAt: null }), 422, 'VALIDATION_ERROR', ['body.requestedCheckInAt']);
      const { data } = await amend(owner, correction.id, { requestedCheckInAt: null });
      expect(data).to.include({ requestedCheckInAt: null, requestedCheckOutAt: `${D}T12:30:00.000Z`, status: 'pending' });
    });

    it('PATCH by someone who can see it but is not the requester → 403; by someone who cannot → 404', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      expectError(await amend(manager, correction.id, { reason: 'Manager edits it' }), 403, 'PERMISSION_ERROR');
      expectError(await amend(outsider, correction.id, { reason: 'Outsider edits it' }), 404, 'NOT_FOUND');
      expectError(await cancel(manager, correction.id), 403, 'PERMISSION_ERROR');
      expectError(await cancel(outsider, correction.id), 404, 'NOT_FOUND');
    });

    it('PATCH an approved correction → 409', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      await approve(manager, correction.id);
      const result = await amend(owner, correction.id, { reason: 'Changing my mind now' });
      expect(expectError(result, 409, 'CONFLICT', ['status']).details[0]!.message).to.equal('is approved');
    });

    it('the requester cancels: cancelled, correction_request closed, audited; cancel again → 409', async function () {
      const owner = await newEmployee();
      const sessionId = await daySession(owner.user);
      const correction = await fileOk(owner, sessionId, { requestedCheckOutAt: `${D}T12:30:00.000Z` });
      const { data } = await cancel(owner, correction.id);
      expect(data).to.include({ status: 'cancelled', resolvedAt: NOW, reviewerId: null });
      expect((await exceptionRows(owner.user.id))[0]).to.include({ type: 'correction_request', status: 'resolved', resolved_by_id: null });
      expect((await auditRows(app, correction.id)).map((a) => a.action)).to.deep.equal(['attendance.correction_requested', 'attendance.correction_cancelled']);
      expectError(await cancel(owner, correction.id), 409, 'CONFLICT');
      expectError(await approve(manager, correction.id), 409, 'CONFLICT');
    });
  });

  describe('reading (listCorrections, getCorrection)', function () {
    let owner: Session;
    let correctionId: string;
    let otherCorrectionId: string;

    before(async function () {
      owner = await signIn(app, await createUser(app, { role: 'employee', managerId: org.teamLead.id }));
      const sessionId = await insertSession(app, { userId: owner.user.id, workDate: '2026-06-22', checkInAt: '2026-06-22T04:00:00.000Z', checkOutAt: '2026-06-22T12:00:00.000Z' });
      correctionId = (await fileOk(owner, sessionId, { requestedCheckOutAt: '2026-06-22T12:30:00.000Z' })).id;
      const otherSession = await insertSession(app, { userId: org.outsider.id, workDate: '2026-06-22', checkInAt: '2026-06-22T04:00:00.000Z', checkOutAt: '2026-06-22T12:00:00.000Z' });
      otherCorrectionId = (await fileOk(outsider, otherSession, { requestedCheckOutAt: '2026-06-22T12:30:00.000Z' })).id;
    });

    it('scope=own (default) lists the caller\'s corrections; scope=team by an employee → 403', async function () {
      const { data } = await owner.api.GET('/attendance/corrections', {});
      expect(data!.items.map((c) => c.id)).to.deep.equal([correctionId]);
      expect(data).to.include({ total: 1, limit: 50, offset: 0 });
      const team = await owner.api.GET('/attendance/corrections', { params: { query: { scope: 'team' } } });
      expectError(team, 403, 'PERMISSION_ERROR', ['query.scope']);
    });

    it('scope=team covers the team set only; scope=org by a manager → 403; HR sees the org', async function () {
      const { data } = await manager.api.GET('/attendance/corrections', { params: { query: { scope: 'team', status: 'pending', from: '2026-06-22', to: '2026-06-22' } } });
      const ids = data!.items.map((c) => c.id);
      expect(ids).to.include(correctionId);
      expect(ids).to.not.include(otherCorrectionId);
      expectError(await manager.api.GET('/attendance/corrections', { params: { query: { scope: 'org' } } }), 403, 'PERMISSION_ERROR');
      const orgList = await hr.api.GET('/attendance/corrections', { params: { query: { scope: 'org', from: '2026-06-22', to: '2026-06-22' } } });
      expect(orgList.data!.items.map((c) => c.id)).to.include.members([correctionId, otherCorrectionId]);
    });

    it('a userId outside the scope narrows to an empty page; reversed dates → 422', async function () {
      const { data } = await manager.api.GET('/attendance/corrections', { params: { query: { scope: 'team', userId: org.outsider.id } } });
      expect(data).to.deep.equal({ items: [], total: 0, limit: 50, offset: 0 });
      const reversed = await manager.api.GET('/attendance/corrections', { params: { query: { scope: 'team', from: '2026-06-23', to: '2026-06-22' } } });
      expectError(reversed, 422, 'VALIDATION_ERROR', ['query.to']);
      const badStatus = await manager.api.GET('/attendance/corrections', { params: { query: { status: 'open' as never } } });
      expectError(badStatus, 422, 'VALIDATION_ERROR', ['query.status']);
    });

    it('getCorrection: owner, team lead, manager and HR see it; another team\'s manager and employee get 404', async function () {
      for (const viewer of [owner, teamLead, manager, hr]) {
        const { data, response } = await viewer.api.GET('/attendance/corrections/{correctionId}', { params: { path: { correctionId } } });
        expect(response.status).to.equal(200);
        expect(data!.id).to.equal(correctionId);
      }
      for (const stranger of [otherManager, employee]) {
        expectError(await stranger.api.GET('/attendance/corrections/{correctionId}', { params: { path: { correctionId } } }), 404, 'NOT_FOUND');
      }
      expectError(await owner.api.GET('/attendance/corrections/{correctionId}', { params: { path: { correctionId: 'nope' } } }), 422, 'VALIDATION_ERROR', [
        'path.correctionId',
      ]);
    });
  });
});
