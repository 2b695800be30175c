/**
 * The exceptions center (02 §3.5, §4.7, §4.11, §5): a read-only, bounded, scoped list with a summary of the whole
 * filtered set; resolve / dismiss with scope, four-eyes, conditional update, audit and event. Exceptions are
 * arranged in SQL (they are raised by check-in, check-out, corrections and the job elsewhere).
 *
 * The clock stands at 2026-06-25T16:00Z (21:00 in Asia/Karachi): "today" is 2026-06-25.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createOrg, createUser, signIn, signInOrg, type Org, type Session } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';
import { insertShift } from '../helpers/attendance-sessions.ts';
import { insertException, insertSession } from '../helpers/correction-fixtures.ts';
import { expectError } from '../helpers/expect.ts';
import { auditRows, outboxEvents } from '../helpers/rows.ts';

const TODAY = '2026-06-25';

describe('attendance exceptions center (02 §3.5)', function () {
  let app: TestApp;
  let org: Org;
  let admin: Session;
  let hr: Session;
  let manager: Session;
  let teamLead: Session;
  let employee: Session;
  let otherManager: Session;
  let departmentId: string;

  before(async function () {
    app = await startTestApp({ clock: new FixedClock('2026-06-25T16:00:00.000Z'), env: { ORG_TIMEZONE: 'Asia/Karachi' } });
    org = await createOrg(app);
    ({ admin, hr, manager, teamLead, employee, otherManager } = await signInOrg(app, org));
    const { rows } = await app.sql.query<{ id: string }>(`INSERT INTO departments (name) VALUES ('Support') RETURNING id`);
    departmentId = rows[0]!.id;
  });

  after(async function () {
    await app?.close();
  });

  const list = (as: Session, query: Record<string, unknown> = {}) => as.api.GET('/attendance/exceptions', { params: { query: query as never } });
  const resolve = (as: Session, exceptionId: string, resolutionNote: string) =>
    as.api.POST('/attendance/exceptions/{exceptionId}/resolve', { params: { path: { exceptionId } }, body: { resolutionNote } });
  const dismiss = (as: Session, exceptionId: string, body: { resolutionNote?: string } = {}) =>
    as.api.POST('/attendance/exceptions/{exceptionId}/dismiss', { params: { path: { exceptionId } }, body });

  async function exceptionCount(): Promise<number> {
    const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM attendance_exceptions`);
    return rows[0].n;
  }

  describe('listing', function () {
    let subject: Session;
    let lateId: string;

    before(async function () {
      // a report of the team lead, in the Support department, with a shift and a session
      const user = await createUser(app, { role: 'employee', managerId: org.teamLead.id, departmentId, fullName: 'Zainab 100% Khan' });
      subject = await signIn(app, user);
      const shiftId = await insertShift(app, { name: 'Listing Day', start: '09:00', end: '17:00' });
      await app.sql.query(`UPDATE users SET shift_id = $2 WHERE id = $1`, [user.id, shiftId]);
      const sessionId = await insertSession(app, {
        userId: user.id,
        workDate: TODAY,
        checkInAt: '2026-06-25T04:30:00.000Z',
        checkOutAt: '2026-06-25T12:00:00.000Z',
        shiftId,
        window: { start: '2026-06-25T04:00:00.000Z', end: '2026-06-25T12:00:00.000Z' },
        isLate: true,
        lateMinutes: 30,
      });
      lateId = await insertException(app, { userId: user.id, workDate: TODAY, type: 'late', sessionId, detectedAt: '2026-06-25T04:30:00.000Z', reason: 'late check-in' });
      await insertException(app, { userId: user.id, workDate: TODAY, type: 'early', status: 'resolved' });
      await insertException(app, { userId: user.id, workDate: '2026-06-24', type: 'absent' });
      await insertException(app, { userId: user.id, workDate: '2026-06-20', type: 'missing_checkout', status: 'dismissed' });
      await insertException(app, { userId: org.outsider.id, workDate: TODAY, type: 'absent' });
      await insertException(app, { userId: org.employee2.id, workDate: TODAY, type: 'overtime' });
    });

    it('defaults to today, open exceptions and the widest scope; items carry user, department, shift and session', async function () {
      const { data, response } = await list(teamLead);
      expect(response.status).to.equal(200);
      // team lead: own + direct reports only (employee2 and the outsider are not direct reports)
      expect(data!.items.map((e) => e.id)).to.deep.equal([lateId]);
      expect(data!.items[0]).to.deep.equal({
        id: lateId,
        userId: subject.user.id,
        userFullName: 'Zainab 100% Khan',
        userEmail: subject.user.email,
        departmentId,
        departmentName: 'Support',
        type: 'late',
        severity: 'medium',
        status: 'open',
        workDate: TODAY,
        sessionId: data!.items[0]!.sessionId,
        correctionId: null,
        shiftName: 'Listing Day',
        shiftStartTime: '09:00',
        shiftEndTime: '17:00',
        checkInAt: '2026-06-25T04:30:00.000Z',
        checkOutAt: '2026-06-25T12:00:00.000Z',
        detectedAt: '2026-06-25T04:30:00.000Z',
        reason: 'late check-in',
        resolutionNote: null,
        resolvedById: null,
        resolvedAt: null,
      });
      expect(data!.summary).to.deep.equal({ open: 1, resolved: 0, dismissed: 0, late: 1, early: 0, overtime: 0, missingCheckout: 0, absent: 0, correctionRequest: 0 });
    });

    it('HR (org) sees everyone; a manager (team) sees the whole chain below, not another team', async function () {
      const orgIds = (await list(hr)).data!.items.map((e) => e.userId);
      expect(orgIds).to.include.members([subject.user.id, org.outsider.id, org.employee2.id]);
      const teamIds = (await list(manager)).data!.items.map((e) => e.userId);
      expect(teamIds).to.include.members([subject.user.id, org.employee2.id]);
      expect(teamIds).to.not.include(org.outsider.id);
      // an employee's default scope is own
      expect((await list(subject)).data!.items.map((e) => e.id)).to.deep.equal([lateId]);
      expect((await list(employee)).data!.items).to.deep.equal([]);
    });

    it('status=all, a date range, type, userId and departmentId filters; summary counts the whole filtered set, not the page', async function () {
      const query = { startDate: '2026-06-19', endDate: TODAY, status: 'all', userId: subject.user.id, limit: 1 };
      const { data } = await list(hr, query);
      expect(data).to.include({ total: 4, limit: 1, offset: 0 });
      expect(data!.items).to.have.length(1);
      // sorted -workDate, -detectedAt, id
      expect(data!.items[0]!.workDate).to.equal(TODAY);
      expect(data!.summary).to.deep.equal({ open: 2, resolved: 1, dismissed: 1, late: 1, early: 1, overtime: 0, missingCheckout: 1, absent: 1, correctionRequest: 0 });
      const page2 = await list(hr, { ...query, offset: 3 });
      expect(page2.data!.items[0]!.workDate).to.equal('2026-06-20');

      const absent = await list(hr, { startDate: '2026-06-19', endDate: TODAY, type: 'absent', departmentId });
      expect(absent.data!.items.map((e) => [e.userId, e.workDate])).to.deep.equal([[subject.user.id, '2026-06-24']]);
      const single = await list(hr, { date: '2026-06-20', status: 'dismissed' });
      expect(single.data!.items.map((e) => e.type)).to.deep.equal(['missing_checkout']);
    });

    it('a userId outside the scope narrows to an empty page', async function () {
      const { data } = await list(manager, { userId: org.outsider.id });
      expect(data!.items).to.deep.equal([]);
      expect(data!.total).to.equal(0);
      expect(data!.summary.open).to.equal(0);
    });

    it('exceptions search="%" matches a literal % only', async function () {
      const percent = await list(hr, { search: '%' });
      expect(percent.data!.items.map((e) => e.userId)).to.deep.equal([subject.user.id]);
      const underscore = await list(hr, { search: '_' });
      expect(underscore.data!.items).to.deep.equal([]);
      const byEmail = await list(hr, { search: subject.user.email.toUpperCase() });
      expect(byEmail.data!.items.map((e) => e.id)).to.deep.equal([lateId]);
    });

    it('exceptions startDate > endDate → 422', async function () {
      expectError(await list(hr, { startDate: '2026-06-25', endDate: '2026-06-24' }), 422, 'VALIDATION_ERROR', ['query.endDate']);
    });

    it('exceptions span 32 days → 422 (31 days is the maximum)', async function () {
      expectError(await list(hr, { startDate: '2026-05-25', endDate: '2026-06-25' }), 422, 'VALIDATION_ERROR', ['query.endDate']);
      const ok = await list(hr, { startDate: '2026-05-26', endDate: '2026-06-25' });
      expect(ok.response.status).to.equal(200);
    });

    it('exceptions endDate=9999-12-31 → 422 (no unbounded generation loop)', async function () {
      const before = await exceptionCount();
      const started = process.hrtime.bigint();
      expectError(await list(hr, { startDate: '2026-06-01', endDate: '9999-12-31' }), 422, 'VALIDATION_ERROR', ['query.endDate']);
      expect(Number(process.hrtime.bigint() - started) / 1e6).to.be.below(2000);
      expect(await exceptionCount()).to.equal(before);
    });

    it('refuses a date mixed with a range, and half a range (422)', async function () {
      expectError(await list(hr, { date: TODAY, startDate: TODAY, endDate: TODAY }), 422, 'VALIDATION_ERROR', ['query.date']);
      expectError(await list(hr, { startDate: TODAY }), 422, 'VALIDATION_ERROR', ['query.endDate']);
      expectError(await list(hr, { endDate: TODAY }), 422, 'VALIDATION_ERROR', ['query.startDate']);
    });

    it('exceptions type=foo, status=foo, scope=everyone → 422', async function () {
      expectError(await list(hr, { type: 'foo' }), 422, 'VALIDATION_ERROR', ['query.type']);
      expectError(await list(hr, { status: 'foo' }), 422, 'VALIDATION_ERROR', ['query.status']);
      expectError(await list(hr, { scope: 'everyone' }), 422, 'VALIDATION_ERROR', ['query.scope']);
    });

    it('exceptions scope=org by a manager → 403; scope=team by an employee → 403; a narrower scope is allowed', async function () {
      expectError(await list(manager, { scope: 'org' }), 403, 'PERMISSION_ERROR', ['query.scope']);
      expectError(await list(employee, { scope: 'team' }), 403, 'PERMISSION_ERROR', ['query.scope']);
      const own = await list(hr, { scope: 'own' });
      expect(own.data!.items).to.deep.equal([]);
    });

    it('is read-only: listing a range with users and no exceptions writes nothing', async function () {
      const before = await exceptionCount();
      await list(admin, { startDate: '2026-06-01', endDate: '2026-06-25', status: 'all' });
      await list(admin, { startDate: '2026-06-01', endDate: '2026-06-25', status: 'all' });
      expect(await exceptionCount()).to.equal(before);
    });
  });

  describe('resolve and dismiss', function () {
    async function reportException(type: 'late' | 'absent' | 'early' = 'absent', managerId: string = org.teamLead.id) {
      const user = await createUser(app, { role: 'employee', managerId });
      const exceptionId = await insertException(app, { userId: user.id, workDate: '2026-06-24', type });
      return { user, exceptionId };
    }

    async function exceptionRow(id: string) {
      const { rows } = await app.sql.query(`SELECT status, resolution_note, resolved_by_id, resolved_at FROM attendance_exceptions WHERE id = $1`, [id]);
      return rows[0];
    }

    it('resolves (team lead, direct report): note trimmed, audit, event to the user and their manager', async function () {
      const { user, exceptionId } = await reportException();
      const { data, response } = await resolve(teamLead, exceptionId, '  Was at a client site  ');
      expect(response.status).to.equal(200);
      expect(data).to.include({ id: exceptionId, status: 'resolved', resolutionNote: 'Was at a client site', resolvedById: org.teamLead.id, resolvedAt: '2026-06-25T16:00:00.000Z' });
      const audits = await auditRows(app, exceptionId);
      expect(audits).to.have.length(1);
      expect(audits[0]).to.deep.include({
        action: 'attendance.exception_resolved',
        actor_user_id: org.teamLead.id,
        entity_type: 'attendance_exception',
        before: { status: 'open' },
        after: { status: 'resolved', note: 'Was at a client site' },
      });
      const events = await outboxEvents(app, 'attendance.exception_updated', 'exceptionId', exceptionId);
      expect(events).to.have.length(1);
      expect(events[0]!.event.payload).to.deep.equal({ exceptionId, userId: user.id, workDate: '2026-06-24', type: 'absent', status: 'resolved' });
      expect(events[0]!.audience_user_ids).to.have.members([user.id, org.teamLead.id]);
    });

    it('dismisses with an optional note (none, or trimmed), audited as attendance.exception_dismissed', async function () {
      const first = await reportException();
      const { data } = await dismiss(manager, first.exceptionId);
      expect(data).to.include({ status: 'dismissed', resolutionNote: null, resolvedById: org.manager.id });
      expect((await auditRows(app, first.exceptionId))[0]).to.deep.include({ action: 'attendance.exception_dismissed', after: { status: 'dismissed', note: null } });
      const second = await reportException('late');
      expect((await dismiss(hr, second.exceptionId, { resolutionNote: ' Known outage ' })).data).to.include({ resolutionNote: 'Known outage' });
    });

    it('resolve with note "ok" → 422', async function () {
      const { exceptionId } = await reportException();
      expectError(await resolve(manager, exceptionId, 'ok'), 422, 'VALIDATION_ERROR', ['body.resolutionNote']);
      expectError(await resolve(manager, exceptionId, '  ok   '), 422, 'VALIDATION_ERROR', ['body.resolutionNote']);
      const missing = await manager.api.POST('/attendance/exceptions/{exceptionId}/resolve', { params: { path: { exceptionId } }, body: {} as never });
      expectError(missing, 422, 'VALIDATION_ERROR', ['body.resolutionNote']);
      expect((await exceptionRow(exceptionId)).status).to.equal('open');
    });

    it('resolve an already resolved one → 409', async function () {
      const { exceptionId } = await reportException();
      expect((await resolve(manager, exceptionId, 'Handled by phone')).response.status).to.equal(200);
      const again = await resolve(hr, exceptionId, 'Handled twice');
      expect(expectError(again, 409, 'CONFLICT', ['status']).details[0]!.message).to.equal('is resolved');
      expectError(await dismiss(hr, exceptionId), 409, 'CONFLICT');
      expect(await exceptionRow(exceptionId)).to.include({ resolution_note: 'Handled by phone', resolved_by_id: org.manager.id });
    });

    it('two people closing one exception at once → one 200 and one 409', async function () {
      const { exceptionId } = await reportException();
      const results = await Promise.all([resolve(manager, exceptionId, 'Manager handles it'), dismiss(hr, exceptionId, { resolutionNote: 'HR handles it' })]);
      expect(results.map((r) => r.response.status).sort()).to.deep.equal([200, 409]);
      expect((await auditRows(app, exceptionId)).filter((a) => a.outcome === 'success')).to.have.length(1);
    });

    it('resolve own exception → 403', async function () {
      const exceptionId = await insertException(app, { userId: org.manager.id, workDate: '2026-06-24', type: 'late' });
      expectError(await resolve(manager, exceptionId, 'It was my own fault'), 403, 'PERMISSION_ERROR');
      expectError(await dismiss(manager, exceptionId), 403, 'PERMISSION_ERROR');
      expect((await exceptionRow(exceptionId)).status).to.equal('open');
      // the manager's own manager may
      expect((await resolve(admin, exceptionId, 'Approved absence')).response.status).to.equal(200);
    });

    it('employee resolve → 403', async function () {
      const { exceptionId } = await reportException();
      expectError(await resolve(employee, exceptionId, 'I resolve this'), 403, 'PERMISSION_ERROR');
      expectError(await dismiss(employee, exceptionId), 403, 'PERMISSION_ERROR');
    });

    it('outside scope or unknown → 404 (another team; a team lead and a report two levels down)', async function () {
      const { exceptionId } = await reportException('absent', org.otherManager.id);
      expectError(await resolve(manager, exceptionId, 'Not mine to resolve'), 404, 'NOT_FOUND');
      expectError(await resolve(manager, randomUUID(), 'Unknown one'), 404, 'NOT_FOUND');
      const deep = await createUser(app, { role: 'employee', managerId: org.employee.id });
      const deepId = await insertException(app, { userId: deep.id, workDate: '2026-06-24', type: 'absent' });
      expectError(await resolve(teamLead, deepId, 'Two levels down'), 404, 'NOT_FOUND');
      expect((await resolve(otherManager, exceptionId, 'My own report')).response.status).to.equal(200);
    });

    it('replays a resolve retried with the same Idempotency-Key', async function () {
      const { exceptionId } = await reportException();
      const send = () =>
        manager.api.POST('/attendance/exceptions/{exceptionId}/resolve', {
          params: { path: { exceptionId }, header: { 'Idempotency-Key': `resolve-${exceptionId}` } },
          body: { resolutionNote: 'Confirmed with HR' },
        });
      const first = await send();
      const second = await send();
      expect(first.response.status).to.equal(200);
      expect(second.response.status).to.equal(200);
      expect(second.response.headers.get('idempotent-replayed')).to.equal('true');
      expect(second.data).to.deep.equal(first.data);
    });
  });
});
