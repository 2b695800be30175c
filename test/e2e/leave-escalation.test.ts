/**
 * The `leave-escalation` job (03 §4.1, 05 §6): a `pending`, routed, never-escalated request whose `awaitingSince` is
 * LEAVE_ESCALATION_HOURS old moves to the org pool; pooled requests never escalate, no request escalates twice, and
 * a second run changes nothing. Driven by a FixedClock and `scheduler.runOnce`.
 *
 * Time: submissions at 2026-11-25T04:00Z (Wednesday 09:00 in Asia/Karachi).
 */
import { expect } from 'chai';
import { createOrg, createUser, signIn, signInOrg, type Org, type Session } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';
import { amendLeave, getLeave, resolveOk, submitOk, timelineRows } from '../helpers/leave-fixtures.ts';
import { auditRows, outboxEvents } from '../helpers/rows.ts';

const NOW = '2026-11-25T04:00:00.000Z';
const HOUR = 3_600_000;

async function pool(app: TestApp, ...except: string[]): Promise<string[]> {
  const { rows } = await app.sql.query<{ id: string }>(
    `SELECT id FROM users WHERE status = 'active' AND role IN ('admin', 'hr_operations') AND NOT (id = ANY($1::uuid[])) ORDER BY id`,
    [except],
  );
  return rows.map((r) => r.id);
}

describe('leave escalation job (03 §4.1)', function () {
  let app: TestApp;
  let clock: FixedClock;
  let org: Org;
  let manager: Session;
  let hr: Session;

  before(async function () {
    clock = new FixedClock(NOW);
    app = await startTestApp({ clock, env: { ORG_TIMEZONE: 'Asia/Karachi', LEAVE_ESCALATION_HOURS: '36' } });
    org = await createOrg(app);
    ({ manager, hr } = await signInOrg(app, org));
  });

  after(async function () {
    await app?.close();
  });

  afterEach(function () {
    clock.set(NOW);
  });

  const run = () => app.running.services.scheduler.runOnce('leave-escalation');

  async function newEmployee(managerId: string = org.teamLead.id): Promise<Session> {
    return signIn(app, await createUser(app, { role: 'employee', managerId }));
  }

  it('escalates after the configured hours (not a minute before): pool, system timeline entry, audit and events', async function () {
    const me = await newEmployee();
    const leave = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-01' });
    clock.advance(36 * HOUR - 60_000);
    expect(await run()).to.deep.equal({ ran: true, result: { escalated: 0, failed: 0 } });
    expect((await getLeave(me, leave.id)).data!.status).to.equal('pending');

    clock.advance(60_000);
    expect(await run()).to.deep.equal({ ran: true, result: { escalated: 1, failed: 0 } });
    const escalated = (await getLeave(me, leave.id)).data!;
    expect(escalated).to.include({
      status: 'escalated',
      escalatedFromId: org.manager.id,
      currentApproverId: null,
      currentApproverName: null,
      escalatedAt: '2026-11-26T16:00:00.000Z',
      escalationCount: 1,
      awaitingSince: NOW,
    });
    expect((await timelineRows(app, leave.id)).at(-1)).to.deep.equal({ action: 'escalated', actor_id: null, comment: null });
    const audit = (await auditRows(app, leave.id)).at(-1)!;
    expect(audit).to.deep.include({ action: 'leave.escalated', actor_user_id: null, outcome: 'success' });
    expect(audit.before).to.deep.equal({ status: 'pending', currentApproverId: org.manager.id });
    expect(audit.after).to.deep.equal({ status: 'escalated', comment: null, currentApproverId: null });
    expect(audit.metadata).to.deep.equal({ job: 'leave-escalation' });
    const events = await outboxEvents(app, 'leave.escalated', 'leaveId', leave.id);
    expect(events).to.have.length(1);
    expect(events[0]!.event.payload).to.deep.equal({ leaveId: leave.id, userId: me.user.id, escalatedFromId: org.manager.id });
    expect([...events[0]!.audience_user_ids].sort()).to.deep.equal([me.user.id, ...(await pool(app))].sort());

    // Still decidable by the manager (team) and now listed for HR; the timeline names the system as null.
    const l3 = await hr.api.GET('/leaves/pending', { params: { query: { userId: me.user.id } } });
    expect(l3.data!.items.map((l) => [l.id, l.status])).to.deep.equal([[leave.id, 'escalated']]);
    const timeline = await me.api.GET('/leaves/{leaveId}/timeline', { params: { path: { leaveId: leave.id } } });
    expect(timeline.data!.items.at(-1)).to.include({ action: 'escalated', actorId: null, actorName: null });
    expect((await resolveOk(manager, leave.id, 'approved')).status).to.equal('approved');
  });

  it('never escalates twice: a second run does nothing; clarified and amended, it returns to escalated, not pending', async function () {
    const me = await newEmployee();
    const leave = await submitOk(me, { startDate: '2026-12-02', endDate: '2026-12-02' });
    clock.advance(40 * HOUR);
    expect((await run()).ran).to.equal(true);
    expect(await run()).to.deep.equal({ ran: true, result: { escalated: 0, failed: 0 } });
    await resolveOk(hr, leave.id, 'clarified', 'Reason, please');
    clock.advance(HOUR);
    const amended = await amendLeave(me, leave.id, { reason: 'Moving house' });
    expect(amended.data).to.include({ status: 'escalated', escalationCount: 1, currentApproverId: null, awaitingSince: '2026-11-26T21:00:00.000Z' });
    clock.advance(100 * HOUR);
    expect(await run()).to.deep.equal({ ran: true, result: { escalated: 0, failed: 0 } });
    expect((await timelineRows(app, leave.id)).map((t) => t.action)).to.deep.equal(['created', 'escalated', 'clarified', 'amended']);
    expect((await auditRows(app, leave.id)).filter((r) => r.action === 'leave.escalated')).to.have.length(1);
  });

  it('never escalates pooled requests, requests awaiting clarification, or decided ones', async function () {
    const lead = await createUser(app, { role: 'team_lead' });
    const pooled = await submitOk(await newEmployee(lead.id), { startDate: '2026-12-03', endDate: '2026-12-03' });
    expect(pooled.currentApproverId).to.equal(null);
    const waiting = await newEmployee();
    const asked = await submitOk(waiting, { startDate: '2026-12-03', endDate: '2026-12-03' });
    await resolveOk(manager, asked.id, 'clarified', 'Which project?');
    const decided = await submitOk(await newEmployee(), { startDate: '2026-12-03', endDate: '2026-12-03' });
    await resolveOk(manager, decided.id, 'rejected', 'No');
    clock.advance(200 * HOUR);
    expect(await run()).to.deep.equal({ ran: true, result: { escalated: 0, failed: 0 } });
    const { rows } = await app.sql.query(`SELECT status, escalation_count FROM leave_requests WHERE id = ANY($1::uuid[]) ORDER BY status`, [[pooled.id, asked.id, decided.id]]);
    expect(rows).to.deep.equal([
      { status: 'needs_clarification', escalation_count: 0 },
      { status: 'pending', escalation_count: 0 },
      { status: 'rejected', escalation_count: 0 },
    ]);
  });

  it('measures from awaitingSince, which a return from clarification resets', async function () {
    const me = await newEmployee();
    const leave = await submitOk(me, { startDate: '2026-12-04', endDate: '2026-12-04' });
    clock.advance(30 * HOUR);
    await resolveOk(manager, leave.id, 'clarified', 'Dates?');
    clock.advance(HOUR);
    await amendLeave(me, leave.id, { reason: 'Dentist, Friday' });
    clock.advance(30 * HOUR);
    await run();
    expect((await getLeave(me, leave.id)).data).to.include({ status: 'pending', escalationCount: 0 });
    clock.advance(6 * HOUR);
    await run();
    expect((await getLeave(me, leave.id)).data).to.include({ status: 'escalated', escalationCount: 1 });
  });
});

describe('leave escalation job: default LEAVE_ESCALATION_HOURS (48)', function () {
  let app: TestApp;
  let clock: FixedClock;

  before(async function () {
    clock = new FixedClock(NOW);
    app = await startTestApp({ clock, env: { ORG_TIMEZONE: 'Asia/Karachi' } });
  });

  after(async function () {
    await app?.close();
  });

  it('escalates at 48 hours, not at 47', async function () {
    const org = await createOrg(app);
    const me = await signIn(app, org.employee);
    const leave = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-01' });
    clock.advance(47 * HOUR);
    await app.running.services.scheduler.runOnce('leave-escalation');
    expect((await getLeave(me, leave.id)).data!.status).to.equal('pending');
    clock.advance(HOUR);
    expect(await app.running.services.scheduler.runOnce('leave-escalation')).to.deep.equal({ ran: true, result: { escalated: 1, failed: 0 } });
    expect((await getLeave(me, leave.id)).data).to.include({ status: 'escalated', escalatedFromId: org.manager.id });
  });
});
