/**
 * Leaves & WFH, bad input and abuse (03 §5, every leave row as its own case), through the generated SDK against the
 * real app.
 *
 * Time: the clock stands at 2026-11-25T04:00Z, Wednesday 09:00 in Asia/Karachi; today is 2026-11-25.
 * 2026-11-28/29 is a weekend; 2026-12-25 (a Friday) is made a holiday.
 */
import { expect } from 'chai';
import { createOrg, createUser, signIn, signInOrg, type Org, type Session } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';
import { insertShift } from '../helpers/attendance-sessions.ts';
import { insertSession } from '../helpers/correction-fixtures.ts';
import { expectError } from '../helpers/expect.ts';
import { cancelLeave, leaveTimeline, resolveLeave, resolveOk, submitLeave, submitOk } from '../helpers/leave-fixtures.ts';
import { auditRows } from '../helpers/rows.ts';

const NOW = '2026-11-25T04:00:00.000Z';

describe('leaves: bad input and abuse (03 §5)', function () {
  let app: TestApp;
  let clock: FixedClock;
  let org: Org;
  let admin: Session;
  let hr: Session;
  let manager: Session;
  let teamLead: Session;
  let otherManager: Session;
  let employee2: Session;

  before(async function () {
    clock = new FixedClock(NOW);
    app = await startTestApp({ clock, env: { ORG_TIMEZONE: 'Asia/Karachi' } });
    org = await createOrg(app);
    ({ admin, hr, manager, teamLead, otherManager, employee2 } = await signInOrg(app, org));
    await app.sql.query(`INSERT INTO holidays (name, holiday_date) VALUES ('Winter Day', '2026-12-25')`);
  });

  after(async function () {
    await app?.close();
  });

  afterEach(function () {
    clock.set(NOW);
  });

  /** A fresh employee under the team lead (routed to the manager), signed in. */
  async function newEmployee(): Promise<Session> {
    return signIn(app, await createUser(app, { role: 'employee', managerId: org.teamLead.id }));
  }

  it('L1 `endDate` before `startDate` → 422, details `body.endDate`', async function () {
    const me = await newEmployee();
    expectError(await submitLeave(me, { startDate: '2026-12-03', endDate: '2026-12-01' }), 422, 'VALIDATION_ERROR', ['body.endDate']);
  });

  it('L1 `half_day` with `startDate ≠ endDate` → 422, `body.endDate`', async function () {
    const me = await newEmployee();
    const result = await submitLeave(me, { leaveType: 'half_day', halfDayPeriod: 'first_half', startDate: '2026-12-01', endDate: '2026-12-02' });
    expectError(result, 422, 'VALIDATION_ERROR', ['body.endDate']);
  });

  it('L1 `isHalfDay:true`, no `halfDayPeriod` → 422, `body.halfDayPeriod`', async function () {
    const me = await newEmployee();
    const result = await submitLeave(me, { leaveType: 'sick', isHalfDay: true, startDate: '2026-12-01', endDate: '2026-12-01' });
    expectError(result, 422, 'VALIDATION_ERROR', ['body.halfDayPeriod']);
    // `half_day` forces isHalfDay, so it needs the period too; an explicit `isHalfDay: false` with it is refused.
    expectError(await submitLeave(me, { leaveType: 'half_day', startDate: '2026-12-01', endDate: '2026-12-01' }), 422, 'VALIDATION_ERROR', ['body.halfDayPeriod']);
    const contradiction = await submitLeave(me, { leaveType: 'half_day', isHalfDay: false, halfDayPeriod: 'first_half', startDate: '2026-12-01', endDate: '2026-12-01' });
    expectError(contradiction, 422, 'VALIDATION_ERROR', ['body.isHalfDay']);
  });

  it('L1 `halfDayPeriod` with full-day sick leave → 422, `body.halfDayPeriod`', async function () {
    const me = await newEmployee();
    const result = await submitLeave(me, { leaveType: 'sick', halfDayPeriod: 'second_half', startDate: '2026-12-01', endDate: '2026-12-01' });
    expectError(result, 422, 'VALIDATION_ERROR', ['body.halfDayPeriod']);
    // null is the same as absent.
    const ok = await submitOk(me, { leaveType: 'sick', halfDayPeriod: null, startDate: '2026-12-01', endDate: '2026-12-01' });
    expect(ok).to.include({ isHalfDay: false, halfDayPeriod: null, workingDays: 1 });
  });

  it('L1 `reason: "   "` / 1001 chars → 422, `body.reason`', async function () {
    const me = await newEmployee();
    expectError(await submitLeave(me, { startDate: '2026-12-01', endDate: '2026-12-01', reason: '   ' }), 422, 'VALIDATION_ERROR', ['body.reason']);
    const long = await submitLeave(me, { startDate: '2026-12-01', endDate: '2026-12-01', reason: 'x'.repeat(1001) });
    expectError(long, 422, 'VALIDATION_ERROR', ['body.reason']);
    const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM leave_requests WHERE user_id = $1`, [me.user.id]);
    expect(rows[0].n).to.equal(0);
  });

  it('L1 `leaveType: "vacation"`, `startDate: "2026-02-30"` → 422', async function () {
    const me = await newEmployee();
    const vacation = await me.api.POST('/leaves', { body: { leaveType: 'vacation', startDate: '2026-12-01', endDate: '2026-12-01', reason: 'Sun' } as never });
    expectError(vacation, 422, 'VALIDATION_ERROR', ['body.leaveType']);
    expectError(await submitLeave(me, { startDate: '2026-02-30', endDate: '2026-03-02' }), 422, 'VALIDATION_ERROR', ['body.startDate']);
  });

  it('L1 range Sat–Sun only (Mon–Fri shift) or a single holiday → 422 (`workingDays = 0`)', async function () {
    const shiftId = await insertShift(app, { name: 'Weekdays', start: '09:00', end: '17:00', workingDays: [1, 2, 3, 4, 5] });
    const me = await newEmployee();
    await app.sql.query(`UPDATE users SET shift_id = $1 WHERE id = $2`, [shiftId, me.user.id]);
    const weekend = await submitLeave(me, { startDate: '2026-11-28', endDate: '2026-11-29' });
    expect(expectError(weekend, 422, 'VALIDATION_ERROR', ['body.startDate']).details[0]!.message).to.match(/no working day/);
    expectError(await submitLeave(me, { startDate: '2026-12-25', endDate: '2026-12-25' }), 422, 'VALIDATION_ERROR', ['body.startDate']);
    // The same Saturday counts for someone whose shift works Saturdays.
    const sixDays = await insertShift(app, { name: 'Six days', start: '09:00', end: '17:00', workingDays: [1, 2, 3, 4, 5, 6] });
    const saturdayWorker = await newEmployee();
    await app.sql.query(`UPDATE users SET shift_id = $1 WHERE id = $2`, [sixDays, saturdayWorker.user.id]);
    expect((await submitOk(saturdayWorker, { startDate: '2026-11-28', endDate: '2026-11-29' })).workingDays).to.equal(1);
  });

  it('L1 `startDate` 5 years ahead / 2 years back / 120-day span → 422', async function () {
    const me = await newEmployee();
    expectError(await submitLeave(me, { startDate: '2031-12-01', endDate: '2031-12-01' }), 422, 'VALIDATION_ERROR', ['body.startDate']);
    expectError(await submitLeave(me, { startDate: '2024-11-25', endDate: '2024-11-26' }), 422, 'VALIDATION_ERROR', ['body.startDate']);
    expectError(await submitLeave(me, { startDate: '2026-12-01', endDate: '2027-03-30' }), 422, 'VALIDATION_ERROR', ['body.endDate']);
    // The edges hold: 30 days back, 60 calendar days.
    expect((await submitOk(me, { startDate: '2026-10-26', endDate: '2026-10-26', leaveType: 'wfh' })).status).to.equal('pending');
    expect((await submitOk(me, { startDate: '2027-01-04', endDate: '2027-03-04' })).workingDays).to.equal(44);
  });

  it('L1 second request overlapping a pending one; full-day over a first-half request → 409', async function () {
    const me = await newEmployee();
    const first = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-03' });
    const overlap = await submitLeave(me, { leaveType: 'wfh', startDate: '2026-12-03', endDate: '2026-12-04' });
    const envelope = expectError(overlap, 409, 'CONFLICT', ['conflictingLeaveId']);
    expect(envelope.details[0]!.message).to.equal(first.id);

    const half = await submitOk(me, { leaveType: 'half_day', halfDayPeriod: 'first_half', startDate: '2026-12-07', endDate: '2026-12-07' });
    const fullOverHalf = await submitLeave(me, { leaveType: 'sick', startDate: '2026-12-07', endDate: '2026-12-07' });
    expect(expectError(fullOverHalf, 409, 'CONFLICT', ['conflictingLeaveId']).details[0]!.message).to.equal(half.id);
    // The same half again is an overlap too.
    expectError(await submitLeave(me, { leaveType: 'sick', isHalfDay: true, halfDayPeriod: 'first_half', startDate: '2026-12-07', endDate: '2026-12-07' }), 409, 'CONFLICT');
  });

  it('L1 two half-days same date, first and second half → both 201 (`workingDays 0.5` each)', async function () {
    const me = await newEmployee();
    const first = await submitOk(me, { leaveType: 'half_day', halfDayPeriod: 'first_half', startDate: '2026-12-02', endDate: '2026-12-02' });
    const second = await submitOk(me, { leaveType: 'casual', isHalfDay: true, halfDayPeriod: 'second_half', startDate: '2026-12-02', endDate: '2026-12-02' });
    expect(first).to.include({ isHalfDay: true, halfDayPeriod: 'first_half', workingDays: 0.5, status: 'pending' });
    expect(second).to.include({ leaveType: 'casual', isHalfDay: true, halfDayPeriod: 'second_half', workingDays: 0.5, status: 'pending' });
  });

  it('L1 full-day annual leave on a date already checked in → 409', async function () {
    const me = await newEmployee();
    const sessionId = await insertSession(app, { userId: me.user.id, workDate: '2026-11-24', checkInAt: '2026-11-24T04:00:00.000Z', checkOutAt: '2026-11-24T12:00:00.000Z' });
    const result = await submitLeave(me, { startDate: '2026-11-23', endDate: '2026-11-24' });
    expect(expectError(result, 409, 'CONFLICT', ['conflictingSessionId']).details[0]!.message).to.equal(sessionId);
    // Half-day and WFH requests ignore attendance.
    await submitOk(me, { leaveType: 'wfh', startDate: '2026-11-24', endDate: '2026-11-24' });
    const other = await newEmployee();
    await insertSession(app, { userId: other.user.id, workDate: '2026-11-24', checkInAt: '2026-11-24T04:00:00.000Z', checkOutAt: '2026-11-24T08:00:00.000Z' });
    await submitOk(other, { leaveType: 'sick', isHalfDay: true, halfDayPeriod: 'second_half', startDate: '2026-11-24', endDate: '2026-11-24' });
  });

  it('L7 requester (any role, incl. admin/HR) resolves own request → 403 + audit `leave.self_approval_denied`', async function () {
    for (const [i, who] of [await newEmployee(), hr, admin, manager].entries()) {
      const own = await submitOk(who, { startDate: `2027-02-0${i + 1}`, endDate: `2027-02-0${i + 1}` });
      for (const action of ['approved', 'rejected'] as const) {
        const result = await resolveLeave(who, own.id, action, 'mine');
        expect(expectError(result, 403, 'PERMISSION_ERROR').message).to.match(/own request/);
      }
      const audit = (await auditRows(app, own.id)).filter((r) => r.action === 'leave.self_approval_denied');
      expect(audit).to.have.length(2);
      expect(audit[0]).to.include({ actor_user_id: who.user.id, outcome: 'denied', entity_type: 'leave_request' });
      expect(audit[0]!.after).to.deep.equal({ reason: 'own_request' });
      const { rows } = await app.sql.query(`SELECT status, decided_by_id FROM leave_requests WHERE id = $1`, [own.id]);
      expect(rows[0]).to.deep.equal({ status: 'pending', decided_by_id: null });
    }
  });

  it('L7 manager resolves a non-report\'s request they cannot see → 404', async function () {
    const me = await newEmployee();
    const leave = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-01' });
    const result = await resolveLeave(otherManager, leave.id, 'approved');
    expect(expectError(result, 404, 'NOT_FOUND').message).to.equal('Resource not found.');
    // A team lead sees the request (leave.view_team) but may not resolve it: 403 and a denied audit row.
    expectError(await resolveLeave(teamLead, leave.id, 'approved'), 403, 'PERMISSION_ERROR');
    const denied = (await auditRows(app, leave.id)).filter((r) => r.action === 'leave.cross_team_resolution_denied');
    expect(denied.map((r) => [r.actor_user_id, r.outcome, r.after])).to.deep.equal([[org.teamLead.id, 'denied', { reason: 'no_approve_key' }]]);
    expect((await resolveOk(manager, leave.id, 'approved')).status).to.equal('approved');
  });

  it('L7 `action: "cancelled"` or `"escalated"` → 422', async function () {
    const me = await newEmployee();
    const leave = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-01' });
    for (const action of ['cancelled', 'escalated']) {
      expectError(await resolveLeave(manager, leave.id, action, 'because'), 422, 'VALIDATION_ERROR', ['body.action']);
    }
    const { rows } = await app.sql.query(`SELECT status FROM leave_requests WHERE id = $1`, [leave.id]);
    expect(rows[0].status).to.equal('pending');
  });

  it('L7 reject without comment / blank comment → 422, `body.comment`', async function () {
    const me = await newEmployee();
    const leave = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-01' });
    expectError(await resolveLeave(manager, leave.id, 'rejected'), 422, 'VALIDATION_ERROR', ['body.comment']);
    expectError(await resolveLeave(manager, leave.id, 'rejected', '   '), 422, 'VALIDATION_ERROR', ['body.comment']);
    expectError(await resolveLeave(manager, leave.id, 'clarified', ' '), 422, 'VALIDATION_ERROR', ['body.comment']);
    const rejected = await resolveOk(manager, leave.id, 'rejected', '  Team offsite that week  ');
    expect(rejected).to.include({ status: 'rejected', decisionComment: 'Team offsite that week', decidedById: org.manager.id });
  });

  it('L7 approve an approved / rejected / cancelled request → 409', async function () {
    const me = await newEmployee();
    const approved = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-01' });
    await resolveOk(manager, approved.id, 'approved');
    const rejected = await submitOk(me, { startDate: '2026-12-02', endDate: '2026-12-02' });
    await resolveOk(manager, rejected.id, 'rejected', 'No');
    const cancelled = await submitOk(me, { startDate: '2026-12-03', endDate: '2026-12-03' });
    const cancelledNow = await cancelLeave(me, cancelled.id);
    expect(cancelledNow.response.status).to.equal(200);
    expect(cancelledNow.data).to.include({ status: 'cancelled', cancelledById: me.user.id });
    for (const [leave, status] of [[approved, 'approved'], [rejected, 'rejected'], [cancelled, 'cancelled']] as const) {
      const envelope = expectError(await resolveLeave(hr, leave.id, 'approved'), 409, 'CONFLICT', ['status']);
      expect(envelope.details[0]!.message).to.equal(`is ${status}`);
    }
    // Clarification of a request already awaiting clarification is a 409 too.
    const asked = await submitOk(me, { startDate: '2026-12-04', endDate: '2026-12-04' });
    await resolveOk(manager, asked.id, 'clarified', 'Which project covers you?');
    expectError(await resolveLeave(manager, asked.id, 'clarified', 'Again?'), 409, 'CONFLICT', ['status']);
  });

  it('L8 requester cancels approved leave that started yesterday → 409', async function () {
    const me = await newEmployee();
    const leave = await submitOk(me, { startDate: '2026-11-24', endDate: '2026-11-26' });
    await resolveOk(manager, leave.id, 'approved');
    const result = await cancelLeave(me, leave.id);
    expect(expectError(result, 409, 'CONFLICT', ['startDate']).message).to.match(/already started/);
    // An approved leave starting today may still be cancelled by its requester.
    const today = await submitOk(me, { leaveType: 'wfh', startDate: '2026-11-27', endDate: '2026-11-27' });
    await resolveOk(manager, today.id, 'approved');
    clock.set('2026-11-27T03:00:00.000Z');
    expect((await cancelLeave(me, today.id)).data).to.include({ status: 'cancelled', cancelledById: me.user.id });
    // An org approver may cancel the started one, with a comment.
    expectError(await cancelLeave(hr, leave.id), 422, 'VALIDATION_ERROR', ['body.comment']);
    expect((await cancelLeave(hr, leave.id, 'Recalled for the audit')).data).to.include({ status: 'cancelled', cancelledById: org.hr.id });
  });

  it('L8 colleague cancels someone else\'s request → 404 (not visible) or 403 (visible, not allowed)', async function () {
    const me = await newEmployee();
    const leave = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-01' });
    expect(expectError(await cancelLeave(employee2, leave.id), 404, 'NOT_FOUND').details).to.deep.equal([]);
    expectError(await cancelLeave(teamLead, leave.id, 'not yours'), 403, 'PERMISSION_ERROR');
    // The manager may resolve it but is no org approver, so may not cancel it.
    expectError(await cancelLeave(manager, leave.id, 'not yours either'), 403, 'PERMISSION_ERROR');
    const { rows } = await app.sql.query(`SELECT status FROM leave_requests WHERE id = $1`, [leave.id]);
    expect(rows[0].status).to.equal('pending');
  });

  it('L9 timeline of another employee\'s request → 404', async function () {
    const me = await newEmployee();
    const leave = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-01' });
    expectError(await leaveTimeline(employee2, leave.id), 404, 'NOT_FOUND');
    expectError(await leaveTimeline(otherManager, leave.id), 404, 'NOT_FOUND');
    // Unknown ids answer the same 404 (never `200 []`).
    expectError(await leaveTimeline(admin, '00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
    expect((await leaveTimeline(me, leave.id)).data!.items.map((e) => e.action)).to.deep.equal(['created']);
  });
});
