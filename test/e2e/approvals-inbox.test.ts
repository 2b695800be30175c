/**
 * The unified approvals inbox (04 §3.1 `GET /approvals/pending`): exactly the requests the caller can decide now —
 * leave requests under 03 §4.1 (the caller's L3 items) and attendance corrections under 02 §3.4 — never the caller's
 * own; one list sorted by `submittedAt` then `id`, with exact totals per kind and server-built summaries.
 *
 * Time: 2026-11-25T04:00Z (Wednesday 09:00 in Asia/Karachi). Corrections and their sessions are arranged in SQL.
 */
import { expect } from 'chai';
import type { components } from '../../generated/sdk/src/schema.ts';
import { createOrg, createUser, signIn, type FixtureUser, type Org, type Session } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';
import { insertSession } from '../helpers/correction-fixtures.ts';
import { expectError } from '../helpers/expect.ts';
import { insertLeaveRow, resolveOk, submitOk } from '../helpers/leave-fixtures.ts';

type Item = components['schemas']['PendingApproval'];

const NOW = '2026-11-25T04:00:00.000Z';
const MINUTE = 60_000;

describe('approvals inbox (04 §3.1)', function () {
  let app: TestApp;
  let clock: FixedClock;
  let org: Org;
  let sara: FixtureUser;
  const sessions: Record<string, Session> = {};
  const leaves: Record<string, string> = {};
  const corrections: Record<string, string> = {};

  /** An open (or decided) correction of `owner`'s closed session on `workDate`, filed by `requester` at `createdAt`. */
  async function insertCorrection(owner: FixtureUser, requester: FixtureUser, workDate: string, createdAt: string, status = 'pending'): Promise<string> {
    const checkInAt = `${workDate}T04:00:00.000Z`;
    const checkOutAt = `${workDate}T12:00:00.000Z`;
    const sessionId = await insertSession(app, { userId: owner.id, workDate, checkInAt, checkOutAt });
    const terminal = ['approved', 'rejected', 'cancelled'].includes(status);
    const { rows } = await app.sql.query<{ id: string }>(
      `INSERT INTO attendance_corrections (session_id, user_id, requested_by_id, original_check_in_at, original_check_out_at,
         requested_check_out_at, reason, status, resolved_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'Forgot to check out', $7, $8, $9, $9) RETURNING id`,
      [sessionId, owner.id, requester.id, checkInAt, checkOutAt, `${workDate}T13:00:00.000Z`, status, terminal ? createdAt : null, createdAt],
    );
    return rows[0]!.id;
  }

  const inbox = (as: Session, query: { kind?: 'leave_request' | 'attendance_correction'; limit?: number; offset?: number } = {}) =>
    as.api.GET('/approvals/pending', { params: { query } });

  async function items(as: Session, kind?: 'leave_request' | 'attendance_correction'): Promise<Item[]> {
    const result = await inbox(as, { kind, limit: 200 });
    expect(result.response.status).to.equal(200);
    return result.data!.items;
  }

  before(async function () {
    clock = new FixedClock(NOW);
    app = await startTestApp({ clock, env: { ORG_TIMEZONE: 'Asia/Karachi' } });
    org = await createOrg(app);
    sara = await createUser(app, { role: 'employee', managerId: org.teamLead.id, fullName: 'Sara Khan' });
    for (const [name, user] of Object.entries({ ...org, sara })) sessions[name] = await signIn(app, user);

    // Leaves, one minute apart (submittedAt = createdAt).
    leaves.sara = (await submitOk(sessions.sara!, { leaveType: 'annual', startDate: '2026-12-01', endDate: '2026-12-03' })).id;
    clock.advance(MINUTE);
    leaves.intern = (await submitOk(sessions.intern!, { leaveType: 'sick', isHalfDay: true, halfDayPeriod: 'first_half', startDate: '2026-12-04', endDate: '2026-12-04' })).id;
    await resolveOk(sessions.manager!, leaves.intern, 'clarified', 'Doctor\'s note?');
    clock.advance(MINUTE);
    leaves.outsider = (await submitOk(sessions.outsider!, { leaveType: 'wfh', startDate: '2026-12-07', endDate: '2026-12-07' })).id;
    clock.advance(MINUTE);
    leaves.manager = (await submitOk(sessions.manager!, { leaveType: 'casual', startDate: '2026-12-08', endDate: '2026-12-08' })).id;
    clock.advance(MINUTE);
    leaves.hr = (await submitOk(sessions.hr!, { leaveType: 'annual', startDate: '2026-12-09', endDate: '2026-12-10' })).id;
    clock.advance(MINUTE);
    leaves.decided = (await submitOk(sessions.junior!, { startDate: '2026-12-11', endDate: '2026-12-11' })).id;
    await resolveOk(sessions.manager!, leaves.decided, 'approved');
    // Escalated to the pool two days ago (arranged: the job is tested on its own).
    leaves.escalated = await insertLeaveRow(app, {
      userId: org.employee2.id,
      startDate: '2026-12-14',
      endDate: '2026-12-14',
      status: 'escalated',
      currentApproverId: org.manager.id,
      awaitingSince: '2026-11-23T04:00:00.000Z',
    });
    clock.set(NOW);

    // Corrections, interleaved in time with the leaves.
    corrections.sara = await insertCorrection(sara, sara, '2026-11-24', '2026-11-25T04:00:30.000Z');
    corrections.byHr = await insertCorrection(org.employee, org.hr, '2026-11-23', '2026-11-25T04:02:30.000Z');
    corrections.outsider = await insertCorrection(org.outsider, org.outsider, '2026-11-24', '2026-11-25T04:03:30.000Z', 'needs_clarification');
    corrections.teamLead = await insertCorrection(org.teamLead, org.teamLead, '2026-11-20', '2026-11-25T04:04:30.000Z');
    corrections.done = await insertCorrection(org.employee2, org.employee2, '2026-11-24', '2026-11-25T03:00:00.000Z', 'approved');
  });

  after(async function () {
    await app?.close();
  });

  it('a manager sees exactly the leave requests and corrections they can decide now, oldest first, with summaries', async function () {
    const all = await inbox(sessions.manager!, { limit: 200 });
    expect(all.data!.items.map((i) => [i.kind, i.id])).to.deep.equal([
      ['leave_request', leaves.escalated],
      ['leave_request', leaves.sara],
      ['attendance_correction', corrections.sara],
      ['leave_request', leaves.intern],
      ['attendance_correction', corrections.byHr],
      ['attendance_correction', corrections.teamLead],
    ]);
    expect(all.data).to.include({ total: 6, limit: 200, offset: 0 });
    const byId = new Map(all.data!.items.map((i) => [i.id, i]));
    expect(byId.get(leaves.sara!)).to.deep.equal({
      kind: 'leave_request',
      id: leaves.sara,
      requesterId: sara.id,
      requesterName: 'Sara Khan',
      submittedAt: NOW,
      summary: 'Annual leave 2026-12-01 – 2026-12-03 (3 days)',
    });
    expect(byId.get(leaves.intern!)!.summary).to.equal('Sick leave 2026-12-04, first half (0.5 days)');
    expect(byId.get(leaves.escalated!)!.summary).to.equal('Annual leave 2026-12-14 (1 day)');
    expect(byId.get(corrections.sara!)).to.deep.equal({
      kind: 'attendance_correction',
      id: corrections.sara,
      requesterId: sara.id,
      requesterName: 'Sara Khan',
      submittedAt: '2026-11-25T04:00:30.000Z',
      summary: 'Attendance correction, 2026-11-24 (for Sara Khan)',
    });
    // Filed by HR on the employee's behalf: the requester is HR, the summary names the owner.
    expect(byId.get(corrections.byHr!)).to.include({ requesterId: org.hr.id, requesterName: org.hr.fullName, summary: `Attendance correction, 2026-11-23 (for ${org.employee.fullName})` });
  });

  it('per-kind totals equal L3\'s total and the corrections the approver can approve', async function () {
    for (const name of ['manager', 'hr', 'admin', 'otherManager'] as const) {
      const as = sessions[name]!;
      const l3 = await as.api.GET('/leaves/pending', { params: { query: { limit: 200 } } });
      const leaveKind = await inbox(as, { kind: 'leave_request', limit: 200 });
      expect(leaveKind.data!.total, name).to.equal(l3.data!.total);
      expect(leaveKind.data!.items.map((i) => i.id).sort(), name).to.deep.equal(l3.data!.items.map((l) => l.id).sort());
      const correctionKind = await inbox(as, { kind: 'attendance_correction', limit: 200 });
      const all = await inbox(as, { limit: 1 });
      expect(all.data!.total, name).to.equal(leaveKind.data!.total + correctionKind.data!.total);
      expect(all.data!.items).to.have.length(1);
    }
    expect((await items(sessions.manager!, 'attendance_correction')).map((i) => i.id)).to.deep.equal([corrections.sara, corrections.byHr, corrections.teamLead]);
    expect((await items(sessions.otherManager!, 'attendance_correction')).map((i) => i.id)).to.deep.equal([corrections.outsider]);
    expect((await items(sessions.otherManager!, 'leave_request')).map((i) => i.id)).to.deep.equal([leaves.outsider]);
  });

  it('HR sees org-wide items except its own request and the correction it filed; the admin sees HR\'s request', async function () {
    const hrItems = (await items(sessions.hr!)).map((i) => i.id);
    expect(hrItems).to.have.members([
      leaves.escalated,
      leaves.sara,
      leaves.intern,
      leaves.outsider,
      leaves.manager,
      corrections.sara,
      corrections.outsider,
      corrections.teamLead,
    ]);
    expect(hrItems).to.not.include.members([leaves.hr, corrections.byHr, leaves.decided, corrections.done]);
    const adminItems = (await items(sessions.admin!)).map((i) => i.id);
    expect(adminItems).to.include.members([leaves.hr, leaves.manager, corrections.byHr]);
  });

  it('callers who may decide nothing get an empty page (never 403); the requester never sees their own', async function () {
    for (const name of ['teamLead', 'employee', 'intern', 'sara'] as const) {
      const result = await inbox(sessions[name]!);
      expect(result.response.status, name).to.equal(200);
      expect(result.data, name).to.deep.equal({ items: [], total: 0, limit: 50, offset: 0 });
    }
    expectError(await sessions.manager!.api.GET('/approvals/pending', { params: { query: { kind: 'project' as never } } }), 422, 'VALIDATION_ERROR', ['query.kind']);
  });

  it('pages without skipping or repeating, and a decided item leaves the inbox at once', async function () {
    const first = await inbox(sessions.manager!, { limit: 4, offset: 0 });
    const second = await inbox(sessions.manager!, { limit: 4, offset: 4 });
    expect(first.data!.total).to.equal(6);
    expect([...first.data!.items, ...second.data!.items].map((i) => i.id)).to.deep.equal((await items(sessions.manager!)).map((i) => i.id));
    await resolveOk(sessions.manager!, leaves.sara!, 'approved');
    const after = await items(sessions.manager!);
    expect(after.map((i) => i.id)).to.not.include(leaves.sara);
    expect(after).to.have.length(5);
    expect((await sessions.manager!.api.GET('/leaves/pending', {})).data!.total).to.equal(2);
  });

  it('its correction items are the ones the corrections endpoints let the caller decide; the others are refused', async function () {
    const approve = (as: Session, correctionId: string) =>
      as.api.POST('/attendance/corrections/{correctionId}/approve', { params: { path: { correctionId } }, body: {} });
    expectError(await approve(sessions.manager!, corrections.outsider!), 404, 'NOT_FOUND');
    expectError(await approve(sessions.hr!, corrections.byHr!), 403, 'PERMISSION_ERROR');
    expectError(await approve(sessions.teamLead!, corrections.sara!), 403, 'PERMISSION_ERROR');
    const approved = await approve(sessions.manager!, corrections.teamLead!);
    expect(approved.response.status, JSON.stringify(approved.error)).to.equal(200);
    expect((await items(sessions.manager!, 'attendance_correction')).map((i) => i.id)).to.deep.equal([corrections.sara, corrections.byHr]);
    expect((await items(sessions.hr!, 'attendance_correction')).map((i) => i.id)).to.deep.equal([corrections.sara, corrections.outsider]);
  });
});
