/**
 * Approver routing (02 §3.4, shared with leave routing 03 §4.1): the first active user up the owner's manager chain
 * who holds the approval key, has the owner in scope and is not the requester; else the org pool. Checked on the
 * routing query itself (src/auth/approvers.ts) and on the `attendance.correction_requested` event it addresses.
 */
import { expect } from 'chai';
import { CORRECTION_APPROVAL_KEYS, routeApprovers, type ApproverRoute } from '../../src/auth/approvers.ts';
import { createOrg, createUser, signIn, type FixtureUser, type Org } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';
import { insertSession } from '../helpers/correction-fixtures.ts';
import { outboxEvents } from '../helpers/rows.ts';

describe('approver routing (02 §3.4)', function () {
  let app: TestApp;
  let org: Org;

  before(async function () {
    app = await startTestApp({ clock: new FixedClock('2026-06-25T16:00:00.000Z'), env: { ORG_TIMEZONE: 'Asia/Karachi' } });
    org = await createOrg(app);
  });

  after(async function () {
    await app?.close();
  });

  const route = (owner: FixtureUser | string, requester: FixtureUser | string = owner): Promise<ApproverRoute> =>
    routeApprovers(app.running.db, {
      ownerId: typeof owner === 'string' ? owner : owner.id,
      requesterId: typeof requester === 'string' ? requester : requester.id,
      keys: CORRECTION_APPROVAL_KEYS,
    });

  /** Every active org-scope approver (admins and HR with default grants) other than `except`. */
  async function pool(...except: string[]): Promise<string[]> {
    const { rows } = await app.sql.query<{ id: string }>(
      `SELECT id FROM users WHERE status = 'active' AND role IN ('admin', 'hr_operations') AND NOT (id = ANY($1::uuid[])) ORDER BY id`,
      [except],
    );
    return rows.map((r) => r.id);
  }

  const override = (userId: string, key: string, granted: boolean) =>
    app.sql.query(`INSERT INTO user_permission_overrides (user_id, permission_key, granted) VALUES ($1, $2, $3)`, [userId, key, granted]);

  it("routes a manager's direct report to the manager", async function () {
    expect(await route(org.employee2)).to.deep.equal({ kind: 'chain', approverIds: [org.manager.id] });
  });

  it("routes a team lead's report past the team lead (no approve key) to the manager above", async function () {
    expect(await route(org.employee)).to.deep.equal({ kind: 'chain', approverIds: [org.manager.id] });
    expect(await route(org.intern)).to.deep.equal({ kind: 'chain', approverIds: [org.manager.id] });
  });

  it("routes a manager's own item to the admin above, and a team lead's to their manager", async function () {
    expect(await route(org.manager)).to.deep.equal({ kind: 'chain', approverIds: [org.admin.id] });
    expect(await route(org.teamLead)).to.deep.equal({ kind: 'chain', approverIds: [org.manager.id] });
  });

  it('falls back to the HR/admin pool when the chain has no approver (no manager at all)', async function () {
    const loner = await createUser(app, { role: 'employee' });
    const result = await route(loner);
    expect(result.kind).to.equal('pool');
    expect([...result.approverIds].sort()).to.deep.equal(await pool());
  });

  it('falls back to the pool when the only managers above are team leads', async function () {
    const lead = await createUser(app, { role: 'team_lead' });
    const report = await createUser(app, { role: 'employee', managerId: lead.id });
    const result = await route(report);
    expect(result.kind).to.equal('pool');
    expect([...result.approverIds].sort()).to.deep.equal(await pool());
  });

  it('skips an inactive manager and goes on up the chain', async function () {
    const gone = await createUser(app, { role: 'manager', managerId: org.admin.id, status: 'suspended' });
    const report = await createUser(app, { role: 'employee', managerId: gone.id });
    expect(await route(report)).to.deep.equal({ kind: 'chain', approverIds: [org.admin.id] });
  });

  it('never routes to the requester: HR filing on behalf of an HR report goes on up the chain', async function () {
    const report = await createUser(app, { role: 'employee', managerId: org.hr.id });
    expect(await route(report)).to.deep.equal({ kind: 'chain', approverIds: [org.hr.id] });
    expect(await route(report, org.hr)).to.deep.equal({ kind: 'chain', approverIds: [org.admin.id] });
  });

  it("an admin's own item goes to the pool of the other admins and HR, never to the admin", async function () {
    const result = await route(org.admin);
    expect(result.kind).to.equal('pool');
    expect(result.approverIds).to.not.include(org.admin.id);
    expect([...result.approverIds].sort()).to.deep.equal(await pool(org.admin.id));
  });

  it('honours overrides: a team lead granted the key approves a direct report; a manager denied it is skipped', async function () {
    const lead = await createUser(app, { role: 'team_lead', managerId: org.manager.id });
    const report = await createUser(app, { role: 'employee', managerId: lead.id });
    const grandReport = await createUser(app, { role: 'employee', managerId: report.id });
    await override(lead.id, 'attendance.approve_correction', true);
    expect(await route(report)).to.deep.equal({ kind: 'chain', approverIds: [lead.id] });
    // the team lead's scope is direct reports only: a report's report goes past the lead
    expect(await route(grandReport)).to.deep.equal({ kind: 'chain', approverIds: [org.manager.id] });

    const deniedManager = await createUser(app, { role: 'manager', managerId: org.admin.id });
    const report2 = await createUser(app, { role: 'employee', managerId: deniedManager.id });
    await override(deniedManager.id, 'attendance.approve_correction', false);
    expect(await route(report2)).to.deep.equal({ kind: 'chain', approverIds: [org.admin.id] });
  });

  it('is cycle-safe: a manager loop without approvers ends in the pool', async function () {
    const a = await createUser(app, { role: 'employee' });
    const b = await createUser(app, { role: 'employee', managerId: a.id });
    await app.sql.query(`UPDATE users SET manager_id = $2 WHERE id = $1`, [a.id, b.id]);
    const result = await route(a);
    expect(result.kind).to.equal('pool');
  });

  it('addresses attendance.correction_requested to the routed approver (and not to a team lead above)', async function () {
    const owner = await createUser(app, { role: 'junior_employee', managerId: org.teamLead.id });
    const session = await signIn(app, owner);
    const sessionId = await insertSession(app, { userId: owner.id, workDate: '2026-06-24', checkInAt: '2026-06-24T04:00:00.000Z', checkOutAt: '2026-06-24T12:00:00.000Z' });
    const { data, response } = await session.api.POST('/attendance/sessions/{sessionId}/corrections', {
      params: { path: { sessionId } },
      body: { requestedCheckOutAt: '2026-06-24T12:30:00.000Z', reason: 'Left through the side door' },
    });
    expect(response.status).to.equal(201);
    const events = await outboxEvents(app, 'attendance.correction_requested', 'correctionId', data!.id);
    // user (owner), team (the team lead, the owner's manager) and approver (the manager above the team lead)
    expect(events[0]!.audience_user_ids).to.have.members([owner.id, org.teamLead.id, org.manager.id]);
  });
});
