/**
 * Leave routing and the may-resolve rule (03 §4.1): the nearest eligible approver up the requester's manager chain
 * (a team lead is skipped, an inactive manager too), else the org pool (`currentApproverId: null`, the event to every
 * pool member), else 422 "no approver available"; resolution depends on the current reporting line, never on
 * `currentApproverId`.
 *
 * Time: 2026-11-25T04:00Z (Wednesday 09:00 in Asia/Karachi).
 */
import { expect } from 'chai';
import { createOrg, createUser, signIn, signInOrg, type Org, type Session } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';
import { expectError } from '../helpers/expect.ts';
import { getLeave, resolveLeave, resolveOk, submitLeave, submitOk } from '../helpers/leave-fixtures.ts';
import { outboxEvents } from '../helpers/rows.ts';

const NOW = '2026-11-25T04:00:00.000Z';
const DAY = { startDate: '2026-12-01', endDate: '2026-12-01' };

describe('leave routing (03 §4.1)', function () {
  let app: TestApp;
  let org: Org;
  let manager: Session;
  let hr: Session;
  let admin: Session;

  before(async function () {
    app = await startTestApp({ clock: new FixedClock(NOW), env: { ORG_TIMEZONE: 'Asia/Karachi' } });
    org = await createOrg(app);
    ({ manager, hr, admin } = await signInOrg(app, org));
  });

  after(async function () {
    await app?.close();
  });

  /** Every active org approver (admins and HR with default grants) other than `except`. */
  async function pool(...except: string[]): Promise<string[]> {
    const { rows } = await app.sql.query<{ id: string }>(
      `SELECT id FROM users WHERE status = 'active' AND role IN ('admin', 'hr_operations') AND NOT (id = ANY($1::uuid[])) ORDER BY id`,
      [except],
    );
    return rows.map((r) => r.id);
  }

  it('a requester whose manager is a team lead goes to the next approver up (the team lead\'s manager)', async function () {
    const me = await signIn(app, org.employee);
    const leave = await submitOk(me, DAY);
    expect(leave).to.include({ currentApproverId: org.manager.id, currentApproverName: org.manager.fullName });
    const intern = await submitOk(await signIn(app, org.intern), DAY);
    expect(intern.currentApproverId).to.equal(org.manager.id);
    // The team lead's own request goes to their manager; a manager's to the admin; HR's to the admin.
    expect((await submitOk(await signIn(app, org.teamLead), DAY)).currentApproverId).to.equal(org.manager.id);
    expect((await submitOk(manager, DAY)).currentApproverId).to.equal(org.admin.id);
    expect((await submitOk(hr, DAY)).currentApproverId).to.equal(org.admin.id);
  });

  it('a manager\'s direct report goes to the manager', async function () {
    const leave = await submitOk(await signIn(app, org.employee2), DAY);
    expect(leave.currentApproverId).to.equal(org.manager.id);
  });

  it('no approver in the chain → the org pool (currentApproverId null); the event goes to every pool member', async function () {
    const lead = await createUser(app, { role: 'team_lead' });
    const report = await signIn(app, await createUser(app, { role: 'employee', managerId: lead.id }));
    const leave = await submitOk(report, DAY);
    expect(leave).to.include({ currentApproverId: null, currentApproverName: null, status: 'pending' });
    const events = await outboxEvents(app, 'leave.submitted', 'leaveId', leave.id);
    expect([...events[0]!.audience_user_ids].sort()).to.deep.equal(await pool());
    // Any org approver resolves it.
    expect((await resolveOk(hr, leave.id, 'approved')).decidedById).to.equal(org.hr.id);

    const loner = await signIn(app, await createUser(app, { role: 'employee' }));
    expect((await submitOk(loner, DAY)).currentApproverId).to.equal(null);
  });

  it('an admin\'s own request goes to the pool of the other org approvers, never to the admin', async function () {
    const leave = await submitOk(admin, DAY);
    expect(leave.currentApproverId).to.equal(null);
    const events = await outboxEvents(app, 'leave.submitted', 'leaveId', leave.id);
    expect([...events[0]!.audience_user_ids].sort()).to.deep.equal(await pool(org.admin.id));
    expect(events[0]!.audience_user_ids).to.not.include(org.admin.id);
  });

  it('a suspended approver is skipped: the request goes on up the chain', async function () {
    const gone = await createUser(app, { role: 'manager', managerId: org.admin.id, status: 'suspended' });
    const report = await signIn(app, await createUser(app, { role: 'employee', managerId: gone.id }));
    expect((await submitOk(report, DAY)).currentApproverId).to.equal(org.admin.id);
  });

  it('a team lead granted leave.approve approves a direct report; a manager denied it is skipped', async function () {
    const lead = await createUser(app, { role: 'team_lead', managerId: org.manager.id });
    await app.sql.query(`INSERT INTO user_permission_overrides (user_id, permission_key, granted) VALUES ($1, 'leave.approve', true)`, [lead.id]);
    const report = await signIn(app, await createUser(app, { role: 'employee', managerId: lead.id }));
    const leave = await submitOk(report, DAY);
    expect(leave.currentApproverId).to.equal(lead.id);
    expect((await resolveOk(await signIn(app, lead), leave.id, 'approved')).status).to.equal('approved');

    const denied = await createUser(app, { role: 'manager', managerId: org.admin.id });
    await app.sql.query(`INSERT INTO user_permission_overrides (user_id, permission_key, granted) VALUES ($1, 'leave.approve', false)`, [denied.id]);
    const report2 = await signIn(app, await createUser(app, { role: 'employee', managerId: denied.id }));
    expect((await submitOk(report2, DAY)).currentApproverId).to.equal(org.admin.id);
  });

  it('a manager change never strands a request: the new manager resolves it, the old one no longer sees it', async function () {
    const me = await signIn(app, await createUser(app, { role: 'employee', managerId: org.manager.id }));
    const leave = await submitOk(me, DAY);
    expect(leave.currentApproverId).to.equal(org.manager.id);
    await app.sql.query(`UPDATE users SET manager_id = $1 WHERE id = $2`, [org.otherManager.id, me.user.id]);
    expectError(await resolveLeave(manager, leave.id, 'approved'), 404, 'NOT_FOUND');
    const approved = await resolveOk(await signIn(app, org.otherManager), leave.id, 'approved');
    expect(approved).to.include({ status: 'approved', decidedById: org.otherManager.id, currentApproverId: org.manager.id });
    expect((await getLeave(me, leave.id)).data!.status).to.equal('approved');
  });
});

describe('leave routing: no approver available (03 §4.1)', function () {
  let app: TestApp;

  before(async function () {
    app = await startTestApp({ clock: new FixedClock(NOW), env: { ORG_TIMEZONE: 'Asia/Karachi' } });
  });

  after(async function () {
    await app?.close();
  });

  it('422 "no approver available" when neither the chain nor the pool has an active user other than the requester', async function () {
    const admin = await createUser(app, { role: 'admin' });
    await createUser(app, { role: 'hr_operations', managerId: admin.id, status: 'suspended' });
    const session = await signIn(app, admin);
    const result = await submitLeave(session, DAY);
    const envelope = expectError(result, 422, 'VALIDATION_ERROR', ['approver']);
    expect(envelope.message).to.equal('No approver available for this request.');
    const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM leave_requests`);
    expect(rows[0].n).to.equal(0);
    // Once another org approver is active, the same request is pooled.
    await createUser(app, { role: 'hr_operations', managerId: admin.id });
    expect((await submitOk(session, DAY)).currentApproverId).to.equal(null);
  });
});
