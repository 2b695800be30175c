/**
 * The user status machine and role changes (01 §3.2 U9–U13, §4.1, §4.2, §4.4; 04 §3.4 head clearing, §4.6 audit):
 * per-transition keys, rank, self, session revocation, token invalidation, re-invitation, the last-admin guard
 * under concurrency, and the effects of a role change.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createOrg, createUser, signIn, type FixtureUser, type Org, type Session } from '../helpers/fixtures.ts';
import { startTestApp, type TestApp } from '../helpers/harness.ts';
import { expectError, ok } from '../helpers/expect.ts';
import { auditRows, outboxEvents } from '../helpers/rows.ts';

describe('user status and role changes (01 §4.1, U9–U13)', function () {
  let app: TestApp;
  let org: Org;
  let admin: Session;
  let hr: Session;

  const path = (userId: string) => ({ params: { path: { userId } } });
  const setStatus = (s: Session, userId: string, status: 'active' | 'suspended' | 'inactive', reason?: string) =>
    s.api.PATCH('/users/{userId}/status', { ...path(userId), body: { status, ...(reason !== undefined ? { reason } : {}) } });

  async function row(id: string) {
    const { rows } = await app.sql.query(`SELECT role, status, status_reason, status_changed_at, manager_id FROM users WHERE id = $1`, [id]);
    return rows[0];
  }

  async function department(headUserId: string | null): Promise<string> {
    const { rows } = await app.sql.query<{ id: string }>(`INSERT INTO departments (name, head_user_id) VALUES ($1, $2) RETURNING id`, [
      `Dept ${randomUUID().slice(0, 8)}`,
      headUserId,
    ]);
    return rows[0]!.id;
  }

  const employeeUnder = (managerId: string, extra: Partial<Parameters<typeof createUser>[1]> = {}) =>
    createUser(app, { role: 'employee', managerId, ...extra });

  before(async () => {
    app = await startTestApp();
    org = await createOrg(app);
    [admin, hr] = await Promise.all([signIn(app, org.admin), signIn(app, org.hr)]);
  });
  after(() => app.close());

  describe('the transition table', function () {
    it('active → suspended needs users.suspend (HR lacks it: 403); admin suspends', async () => {
      const target = await employeeUnder(org.teamLead.id);
      const error = expectError(await setStatus(hr, target.id, 'suspended'), 403, 'PERMISSION_ERROR');
      expect(error.message).to.include('users.suspend');
      expect((await row(target.id)).status).to.equal('active');
      expect(ok(await setStatus(admin, target.id, 'suspended', 'Investigation')).status).to.equal('suspended');
    });

    it('suspended → active needs users.suspend; suspended → inactive needs users.deactivate', async () => {
      const a = await employeeUnder(org.teamLead.id, { status: 'suspended' });
      expectError(await hr.api.POST('/users/{userId}/activate', path(a.id)), 403, 'PERMISSION_ERROR');
      expect(ok(await admin.api.POST('/users/{userId}/activate', path(a.id))).status).to.equal('active');
      const b = await employeeUnder(org.teamLead.id, { status: 'suspended' });
      expect(ok(await hr.api.DELETE('/users/{userId}', path(b.id))).status).to.equal('inactive');
    });

    it('active → inactive and inactive → active need users.deactivate (HR holds it)', async () => {
      const target = await employeeUnder(org.teamLead.id);
      const gone = ok(await setStatus(hr, target.id, 'inactive', 'Left the company'));
      expect(gone).to.include({ status: 'inactive', statusReason: 'Left the company' });
      const back = ok(await hr.api.POST('/users/{userId}/activate', path(target.id)));
      expect(back).to.include({ status: 'active', statusReason: null });
      expect((await row(target.id)).status_reason).to.equal(null);
    });

    it('invited → inactive cancels the invitation; invited → active and invited → suspended are 409', async () => {
      const created = ok(await admin.api.POST('/users', { body: { email: `inv-${randomUUID().slice(0, 8)}@example.com`, fullName: 'Inv Ited', role: 'employee' } }), 201);
      const id = created.user.id;
      expectError(await setStatus(admin, id, 'active'), 409, 'CONFLICT');
      expectError(await admin.api.POST('/users/{userId}/suspend', { ...path(id), body: {} }), 409, 'CONFLICT');
      expect(ok(await admin.api.DELETE('/users/{userId}', path(id))).status).to.equal('inactive');
      const { rows } = await app.sql.query(`SELECT invalidated_at FROM account_invitations WHERE user_id = $1`, [id]);
      expect(rows.map((r) => r.invalidated_at instanceof Date)).to.deep.equal([true]);
    });

    it('unchanged status and inactive → suspended are 409', async () => {
      const active = await employeeUnder(org.teamLead.id);
      expect(expectError(await setStatus(admin, active.id, 'active'), 409, 'CONFLICT').message).to.include('already active');
      const suspended = await employeeUnder(org.teamLead.id, { status: 'suspended' });
      expectError(await admin.api.POST('/users/{userId}/suspend', path(suspended.id)), 409, 'CONFLICT');
      const inactive = await employeeUnder(org.teamLead.id, { status: 'inactive' });
      expectError(await setStatus(admin, inactive.id, 'suspended'), 409, 'CONFLICT');
      expectError(await admin.api.DELETE('/users/{userId}', path(inactive.id)), 409, 'CONFLICT');
    });

    it('`invited` is never a target (422 body.status)', async () => {
      const target = await employeeUnder(org.teamLead.id);
      expectError(
        await admin.api.PATCH('/users/{userId}/status', { ...path(target.id), body: { status: 'invited' } as never }),
        422,
        'VALIDATION_ERROR',
        ['body.status'],
      );
    });

    it('rank: HR cannot deactivate HR or an admin; an admin can act on another admin; nobody on themselves', async () => {
      const hr2 = await createUser(app, { role: 'hr_operations' });
      expectError(await hr.api.DELETE('/users/{userId}', path(hr2.id)), 403, 'PERMISSION_ERROR');
      expectError(await hr.api.DELETE('/users/{userId}', path(org.admin.id)), 403, 'PERMISSION_ERROR');
      expectError(await hr.api.DELETE('/users/{userId}', path(org.hr.id)), 403, 'PERMISSION_ERROR');
      const admin2 = await createUser(app, { role: 'admin' });
      expect(ok(await admin.api.POST('/users/{userId}/suspend', { ...path(admin2.id), body: { reason: 'Audit' } })).status).to.equal('suspended');
      expect((await row(org.admin.id)).status).to.equal('active');
    });

    it('out-of-scope targets are 404 before any authority check', async () => {
      // A team-scoped holder of users.deactivate (granted by an admin) cannot even see users outside the team.
      const holder = await createUser(app, { role: 'manager', managerId: org.admin.id });
      await app.sql.query(`INSERT INTO user_permission_overrides (user_id, permission_key, granted) VALUES ($1, 'users.deactivate', true)`, [holder.id]);
      const session = await signIn(app, holder);
      const unknown = expectError(await session.api.DELETE('/users/{userId}', path(randomUUID())), 404, 'NOT_FOUND');
      const outside = expectError(await session.api.DELETE('/users/{userId}', path(org.outsider.id)), 404, 'NOT_FOUND');
      expect({ ...outside, requestId: '' }).to.deep.equal({ ...unknown, requestId: '' });
      const mine = await employeeUnder(holder.id);
      expect(ok(await session.api.DELETE('/users/{userId}', path(mine.id))).status).to.equal('inactive');
    });
  });

  describe('effects of entering suspended or inactive', function () {
    it('revokes every session (status_changed), kills access tokens at once and announces auth.sessions_revoked', async () => {
      const target = await employeeUnder(org.teamLead.id);
      const [s1, s2] = [await signIn(app, target), await signIn(app, target)];
      expect(ok(await s1.api.GET('/users/me')).id).to.equal(target.id);
      ok(await admin.api.POST('/users/{userId}/suspend', { ...path(target.id), body: { reason: 'Security review' } }));
      expectError(await s1.api.GET('/users/me'), 401, 'AUTH_ERROR');
      expectError(await s2.api.GET('/users/me'), 401, 'AUTH_ERROR');
      const { rows } = await app.sql.query(`SELECT id, revoke_reason FROM auth_sessions WHERE user_id = $1 ORDER BY id`, [target.id]);
      expect(rows.map((r) => r.revoke_reason)).to.deep.equal(['status_changed', 'status_changed']);
      const [event] = await outboxEvents(app, 'auth.sessions_revoked', 'userId', target.id);
      expect(event.audience_user_ids).to.deep.equal([target.id]);
      expect(event.event.payload.reason).to.equal('status_changed');
      expect([...(event.event.payload.sessionIds as string[])].sort()).to.deep.equal([s1.sessionId, s2.sessionId].sort());
    });

    it('closes the user\'s active attendance session (incomplete, account_suspended) in the same transaction', async () => {
      const target = await employeeUnder(org.teamLead.id);
      const own = await signIn(app, target);
      const checkIn = await own.api.POST('/attendance/check-in', { body: { workMode: 'office' } });
      expect(checkIn.response.status).to.equal(201);
      await own.api.POST('/attendance/breaks/start', { body: { breakType: 'prayer' } });
      ok(await admin.api.POST('/users/{userId}/suspend', { ...path(target.id), body: {} }));
      const { rows } = await app.sql.query(
        `SELECT status, auto_closed_reason, check_out_at IS NOT NULL AS closed FROM attendance_sessions WHERE id = $1`,
        [checkIn.data!.id],
      );
      expect(rows[0]).to.deep.equal({ status: 'incomplete', auto_closed_reason: 'account_suspended', closed: true });
      const breaks = await app.sql.query(`SELECT end_reason FROM attendance_breaks WHERE session_id = $1`, [checkIn.data!.id]);
      expect(breaks.rows).to.deep.equal([{ end_reason: 'auto_close' }]);
      const exceptions = await app.sql.query(`SELECT type FROM attendance_exceptions WHERE session_id = $1`, [checkIn.data!.id]);
      expect(exceptions.rows, 'no missing_checkout exception for a suspension').to.deep.equal([]);
      const [closed] = await outboxEvents(app, 'attendance.auto_closed', 'userId', target.id);
      expect(closed.event.payload.autoClosedReason).to.equal('account_suspended');
    });

    it('invalidates pending reset links and invitations, stores the reason and status_changed_at, audits user.status_changed', async () => {
      const target = await employeeUnder(org.teamLead.id);
      ok(await admin.api.POST('/users/{userId}/send-password-reset', path(target.id)), 202);
      const before = (await row(target.id)).status_changed_at as Date;
      ok(await setStatus(hr, target.id, 'inactive', '  Contract ended  '));
      const after = await row(target.id);
      expect(after).to.include({ status: 'inactive', status_reason: 'Contract ended' });
      expect((after.status_changed_at as Date).getTime()).to.be.greaterThan(before.getTime());
      const { rows } = await app.sql.query(`SELECT invalidated_at FROM password_reset_tokens WHERE user_id = $1`, [target.id]);
      expect(rows[0].invalidated_at).to.be.instanceOf(Date);
      const [audit] = await auditRows(app, target.id, { action: 'user.status_changed' });
      expect(audit.actor_user_id).to.equal(org.hr.id);
      expect(audit.before).to.deep.equal({ status: 'active' });
      expect(audit.after).to.deep.equal({ status: 'inactive', reason: 'Contract ended' });
    });

    it('clears the user as department head, audited department.head_cleared with a null actor', async () => {
      const head = await createUser(app, { role: 'manager', managerId: org.admin.id });
      const dept = await department(head.id);
      ok(await admin.api.POST('/users/{userId}/suspend', path(head.id)));
      const { rows } = await app.sql.query(`SELECT head_user_id FROM departments WHERE id = $1`, [dept]);
      expect(rows[0].head_user_id).to.equal(null);
      const { rows: cleared } = await app.sql.query(
        `SELECT actor_user_id, entity_type, before, after FROM audit_logs WHERE action = 'department.head_cleared' AND entity_id = $1`,
        [dept],
      );
      expect(cleared).to.deep.equal([{ actor_user_id: null, entity_type: 'department', before: { headUserId: head.id }, after: { headUserId: null } }]);
    });

    it('reactivation restores no session and clears the reason', async () => {
      const target = await employeeUnder(org.teamLead.id);
      const session = await signIn(app, target);
      ok(await admin.api.POST('/users/{userId}/suspend', { ...path(target.id), body: { reason: 'Pause' } }));
      const back = ok(await admin.api.POST('/users/{userId}/activate', path(target.id)));
      expect(back).to.include({ status: 'active', statusReason: null });
      expectError(await session.api.GET('/users/me'), 401, 'AUTH_ERROR');
      const [, second] = await auditRows(app, target.id, { action: 'user.status_changed' });
      expect(second.before).to.deep.equal({ status: 'suspended' });
      expect(second.after).to.deep.equal({ status: 'active', reason: null });
    });

    it('inactive → active for a user who never set a password returns to invited with a new invitation', async () => {
      const created = ok(await admin.api.POST('/users', { body: { email: `never-${randomUUID().slice(0, 8)}@example.com`, fullName: 'Never Active', role: 'intern' } }), 201);
      ok(await admin.api.DELETE('/users/{userId}', path(created.user.id)));
      const back = ok(await hr.api.POST('/users/{userId}/activate', path(created.user.id)));
      expect(back.status).to.equal('invited');
      const { rows } = await app.sql.query(`SELECT invalidated_at, created_by_id FROM account_invitations WHERE user_id = $1 ORDER BY created_at, id`, [
        created.user.id,
      ]);
      expect(rows.map((r) => r.invalidated_at === null)).to.deep.equal([false, true]);
      expect(rows[1].created_by_id).to.equal(org.hr.id);
      const { rows: emails } = await app.sql.query(`SELECT template FROM email_outbox WHERE to_email = $1`, [created.user.email]);
      expect(emails.map((e) => e.template)).to.deep.equal(['account_invitation', 'account_invitation']);
      const [, audit] = await auditRows(app, created.user.id, { action: 'user.status_changed' });
      expect(audit.after).to.deep.equal({ status: 'invited', reason: null });
    });
  });

  describe('U9 changeUserRole', function () {
    it('changes the role, clears overrides, announces auth.permissions_changed and audits {role} → {role, clearedOverrides}', async () => {
      const target = await employeeUnder(org.teamLead.id);
      await app.sql.query(
        `INSERT INTO user_permission_overrides (user_id, permission_key, granted) VALUES ($1, 'users.view_all', true), ($1, 'leave.apply', false)`,
        [target.id],
      );
      const session = await signIn(app, target);
      const updated = ok(await admin.api.PATCH('/users/{userId}/role', { ...path(target.id), body: { role: 'team_lead' } }));
      expect(updated.role).to.equal('team_lead');
      const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM user_permission_overrides WHERE user_id = $1`, [target.id]);
      expect(rows[0].n).to.equal(0);
      const [audit] = await auditRows(app, target.id, { action: 'user.role_changed' });
      expect(audit.actor_user_id).to.equal(org.admin.id);
      expect(audit.before).to.deep.equal({ role: 'employee' });
      expect(audit.after).to.deep.equal({ role: 'team_lead', clearedOverrides: { grants: ['users.view_all'], denies: ['leave.apply'] } });
      const [event] = await outboxEvents(app, 'auth.permissions_changed', 'userId', target.id);
      expect(event.audience_user_ids).to.deep.equal([target.id]);
      expect(event.event.payload).to.deep.equal({ userId: target.id, role: 'team_lead' });
      // Sessions stay; authority follows the new role on the next request.
      expect(ok(await session.api.GET('/users/me')).role).to.equal('team_lead');
    });

    it('409 when the role is unchanged; 403 on oneself', async () => {
      const target = await employeeUnder(org.teamLead.id);
      expectError(await admin.api.PATCH('/users/{userId}/role', { ...path(target.id), body: { role: 'employee' } }), 409, 'CONFLICT', {
        message: 'The user already has the role employee.',
      });
      expectError(await admin.api.PATCH('/users/{userId}/role', { ...path(org.admin.id), body: { role: 'manager' } }), 403, 'PERMISSION_ERROR', {
        message: 'You cannot change your own role.',
      });
      expect(await auditRows(app, target.id, { action: 'user.role_changed' })).to.deep.equal([]);
    });

    it('409 demoting to a non-management role while active or invited direct reports remain; suspended/inactive ones do not block', async () => {
      const lead = await createUser(app, { role: 'team_lead', managerId: org.manager.id });
      const report = await employeeUnder(lead.id, { status: 'invited' });
      const error = expectError(await admin.api.PATCH('/users/{userId}/role', { ...path(lead.id), body: { role: 'employee' } }), 409, 'CONFLICT');
      expect(error.message).to.include('reassign direct reports first');
      // Another management role is fine with reports.
      expect(ok(await admin.api.PATCH('/users/{userId}/role', { ...path(lead.id), body: { role: 'manager' } })).role).to.equal('manager');
      await app.sql.query(`UPDATE users SET status = 'inactive' WHERE id = $1`, [report.id]);
      await employeeUnder(lead.id, { status: 'suspended' });
      expect(ok(await admin.api.PATCH('/users/{userId}/role', { ...path(lead.id), body: { role: 'employee' } })).role).to.equal('employee');
      expect((await row(report.id)).manager_id).to.equal(lead.id);
    });

    it('a non-management role clears the department headship; a management role keeps it', async () => {
      const keeper = await createUser(app, { role: 'team_lead', managerId: org.manager.id });
      const kept = await department(keeper.id);
      ok(await admin.api.PATCH('/users/{userId}/role', { ...path(keeper.id), body: { role: 'manager' } }));
      const { rows: k } = await app.sql.query(`SELECT head_user_id FROM departments WHERE id = $1`, [kept]);
      expect(k[0].head_user_id).to.equal(keeper.id);

      const loser = await createUser(app, { role: 'team_lead', managerId: org.manager.id });
      const lost = await department(loser.id);
      ok(await admin.api.PATCH('/users/{userId}/role', { ...path(loser.id), body: { role: 'employee' } }));
      const { rows: l } = await app.sql.query(`SELECT head_user_id FROM departments WHERE id = $1`, [lost]);
      expect(l[0].head_user_id).to.equal(null);
      const { rows: cleared } = await app.sql.query(`SELECT actor_user_id FROM audit_logs WHERE action = 'department.head_cleared' AND entity_id = $1`, [lost]);
      expect(cleared).to.deep.equal([{ actor_user_id: null }]);
    });

    it('a non-admin holder of users.manage_roles needs the target and the new role below its own rank', async () => {
      const hrManager = await createUser(app, { role: 'hr_operations' });
      ok(
        await admin.api.PATCH('/users/{userId}/permissions', { ...path(hrManager.id), body: { grants: ['users.manage_roles'], denies: [] } }),
      );
      const session = await signIn(app, hrManager);
      const target = await employeeUnder(org.teamLead.id);
      expect(ok(await session.api.PATCH('/users/{userId}/role', { ...path(target.id), body: { role: 'team_lead' } })).role).to.equal('team_lead');
      expectError(await session.api.PATCH('/users/{userId}/role', { ...path(target.id), body: { role: 'hr_operations' } }), 403, 'PERMISSION_ERROR');
      expectError(await session.api.PATCH('/users/{userId}/role', { ...path(target.id), body: { role: 'admin' } }), 403, 'PERMISSION_ERROR');
      expectError(await session.api.PATCH('/users/{userId}/role', { ...path(org.hr.id), body: { role: 'employee' } }), 403, 'PERMISSION_ERROR');
      expectError(await session.api.PATCH('/users/{userId}/role', { ...path(org.admin.id), body: { role: 'employee' } }), 403, 'PERMISSION_ERROR');
      expect((await row(org.admin.id)).role).to.equal('admin');
    });
  });

  describe('last-admin guard (only active admins count; evaluated under a lock)', function () {
    /** An app of its own, whose active admins each scenario arranges from scratch. */
    let local: TestApp;
    before(async () => {
      local = await startTestApp();
    });
    after(() => local.close());
    beforeEach(async () => {
      await local.sql.query(`UPDATE users SET status = 'inactive' WHERE role = 'admin' AND status = 'active'`);
    });

    /**
     * Holds a lock on every active admin row from the test's own connection while `fire` starts both requests,
     * waits until both are queued on that lock (so both have passed authentication and entered their transactions),
     * then releases it: the two requests now race for real.
     */
    async function atTheSameMoment<T>(fire: () => Promise<T>): Promise<T> {
      await local.sql.query('BEGIN');
      await local.sql.query(`SELECT id FROM users WHERE role = 'admin' AND status = 'active' ORDER BY id FOR UPDATE`);
      const pending = fire();
      const deadline = Date.now() + 10_000;
      for (;;) {
        // pg_stat_activity is snapshotted once per transaction; this connection is inside one.
        await local.sql.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await local.sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        if (rows[0]!.n >= 2) break;
        if (Date.now() > deadline) throw new Error('the two requests never queued on the admin lock');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await local.sql.query('COMMIT');
      return pending;
    }

    async function activeAdmins(): Promise<number> {
      const { rows } = await local.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND status = 'active'`);
      return rows[0]!.n;
    }

    async function twoAdmins(): Promise<[FixtureUser, FixtureUser, Session, Session]> {
      const a = await createUser(local, { role: 'admin' });
      const b = await createUser(local, { role: 'admin' });
      // An invited admin does not count towards the guard (01 §6 item 13).
      await createUser(local, { role: 'admin', status: 'invited' });
      return [a, b, await signIn(local, a), await signIn(local, b)];
    }

    it('two admins demoting each other at the same moment: one 200, one 409, one active admin remains', async () => {
      const [a, b, sa, sb] = await twoAdmins();
      const results = await atTheSameMoment(() =>
        Promise.all([
          sa.api.PATCH('/users/{userId}/role', { params: { path: { userId: b.id } }, body: { role: 'manager' } }),
          sb.api.PATCH('/users/{userId}/role', { params: { path: { userId: a.id } }, body: { role: 'manager' } }),
        ]),
      );
      const statuses = results.map((r) => r.response.status).sort();
      expect(statuses).to.deep.equal([200, 409]);
      const loser = results.find((r) => r.response.status === 409)!;
      expect(expectError(loser, 409, 'CONFLICT').message).to.equal('At least one active admin must remain.');
      expect(await activeAdmins()).to.equal(1);
    });

    it('two admins suspending each other at the same moment: one 200, one 409, one active admin remains', async () => {
      const [a, b, sa, sb] = await twoAdmins();
      const results = await atTheSameMoment(() =>
        Promise.all([
          sa.api.POST('/users/{userId}/suspend', { params: { path: { userId: b.id } }, body: { reason: 'coup' } }),
          sb.api.PATCH('/users/{userId}/status', { params: { path: { userId: a.id } }, body: { status: 'suspended' } }),
        ]),
      );
      expect(results.map((r) => r.response.status).sort()).to.deep.equal([200, 409]);
      const loser = results.find((r) => r.response.status === 409)!;
      expect(expectError(loser, 409, 'CONFLICT').message).to.equal('At least one active admin must remain.');
      expect(await activeAdmins()).to.equal(1);
    });

    it('deactivating the other of two active admins succeeds sequentially, and the survivor cannot act on itself', async () => {
      const [a, b, sa] = await twoAdmins();
      expect(ok(await sa.api.DELETE('/users/{userId}', { params: { path: { userId: b.id } } })).status).to.equal('inactive');
      expectError(await sa.api.DELETE('/users/{userId}', { params: { path: { userId: a.id } } }), 403, 'PERMISSION_ERROR');
      expect(await activeAdmins()).to.equal(1);
    });
  });
});
