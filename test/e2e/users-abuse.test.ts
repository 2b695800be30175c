/**
 * Bad input and abuse for users and permissions (01 §5 rows 27–46, one `it` per row), plus the rules around the
 * target-keyed `account_email:user` limit (U14 + U15) and who may resend invitations or send reset links.
 * Time is a FixedClock, so rate-limit windows are exact.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createOrg, createUser, signIn, signInOrg, uniqueEmail, type Org, type Session } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';
import { expectError, ok } from '../helpers/expect.ts';
import { auditRows } from '../helpers/rows.ts';

describe('users and permissions — bad input and abuse (01 §5 rows 27–46)', function () {
  const clock = new FixedClock('2026-03-02T09:00:00.000Z');
  let app: TestApp;
  let org: Org;
  let admin: Session;
  let hr: Session;
  let manager: Session;
  let employee: Session;
  let intern: Session;

  const path = (userId: string) => ({ params: { path: { userId } } });
  async function userRow(id: string) {
    const { rows } = await app.sql.query(`SELECT email, full_name, role, status, designation, manager_id, updated_at FROM users WHERE id = $1`, [id]);
    return rows[0];
  }

  /** Queues both requests behind a lock on the active admin rows, then releases it (see users-status.test.ts). */
  async function atTheSameMoment<T>(fire: () => Promise<T>): Promise<T> {
    await app.sql.query('BEGIN');
    await app.sql.query(`SELECT id FROM users WHERE role = 'admin' AND status = 'active' ORDER BY id FOR UPDATE`);
    const pending = fire();
    const deadline = Date.now() + 10_000;
    for (;;) {
      await app.sql.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await app.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (rows[0]!.n >= 2) break;
      if (Date.now() > deadline) throw new Error('the two requests never queued on the admin lock');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await app.sql.query('COMMIT');
    return pending;
  }

  before(async () => {
    app = await startTestApp({ clock });
    org = await createOrg(app);
    ({ admin, hr, manager, employee, intern } = await signInOrg(app, org));
  });
  after(() => app.close());

  it('row 27: intern PATCH /users/{otherId} with any schema-valid body (even {}) → 404 NOT_FOUND; nothing changes', async () => {
    const before = await userRow(org.junior.id);
    for (const body of [{}, { designation: 'Boss' }, { fullName: 'Renamed' }]) {
      const error = expectError(await intern.api.PATCH('/users/{userId}', { ...path(org.junior.id), body }), 404, 'NOT_FOUND');
      expect(error.message).to.equal('Resource not found.');
    }
    expect(await userRow(org.junior.id)).to.deep.equal(before);
    expect(await auditRows(app, org.junior.id)).to.have.length(0);
  });

  it('row 28: manager PATCH /users/{teamMemberId} {designation} → 403 PERMISSION_ERROR (visible, not allowed)', async () => {
    const member = await createUser(app, { role: 'employee', managerId: org.manager.id, designation: 'Clerk' });
    expect(ok(await manager.api.GET('/users/{userId}', path(member.id))).id).to.equal(member.id);
    expectError(await manager.api.PATCH('/users/{userId}', { ...path(member.id), body: { designation: 'Chief' } }), 403, 'PERMISSION_ERROR', ['body.designation']);
    expect((await userRow(member.id)).designation).to.equal('Clerk');
    const { rows } = await app.sql.query(`SELECT actor_user_id, outcome, after FROM audit_logs WHERE entity_id = $1 AND action = 'user.update_denied'`, [member.id]);
    expect(rows).to.deep.equal([{ actor_user_id: org.manager.id, outcome: 'denied', after: { requestedFields: ['designation'] } }]);
  });

  it('row 29: manager PATCH /users/{adminId}/status {status: suspended} → 403 (holds neither status key); admin unchanged', async () => {
    const error = expectError(await manager.api.PATCH('/users/{userId}/status', { ...path(org.admin.id), body: { status: 'suspended' } }), 403, 'PERMISSION_ERROR');
    expect(error.details).to.deep.equal([]);
    expect((await userRow(org.admin.id)).status).to.equal('active');
    expect(ok(await admin.api.GET('/users/me')).status).to.equal('active');
  });

  it('row 30: hr_operations PATCH /users/{adminId} {email} then POST /users/{adminId}/send-password-reset → 403 and 403; admin email unchanged', async () => {
    expectError(await hr.api.PATCH('/users/{userId}', { ...path(org.admin.id), body: { email: 'hr-owned@x.com' } }), 403, 'PERMISSION_ERROR', ['body.email']);
    expectError(await hr.api.POST('/users/{userId}/send-password-reset', path(org.admin.id)), 403, 'PERMISSION_ERROR');
    expect((await userRow(org.admin.id)).email).to.equal(org.admin.email);
    const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM password_reset_tokens WHERE user_id = $1`, [org.admin.id]);
    expect(rows[0].n).to.equal(0);
    const { rows: denied } = await app.sql.query(`SELECT actor_user_id, after FROM audit_logs WHERE entity_id = $1 AND action = 'user.update_denied'`, [
      org.admin.id,
    ]);
    expect(denied).to.deep.equal([{ actor_user_id: org.hr.id, after: { requestedFields: ['email'] } }]);
  });

  it('row 31: hr_operations POST /users with role manager or admin → 403', async () => {
    for (const role of ['manager', 'admin'] as const) {
      const email = uniqueEmail('hr-made');
      expectError(await hr.api.POST('/users', { body: { email, fullName: 'Escalation', role } }), 403, 'PERMISSION_ERROR');
      const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [email]);
      expect(rows[0].n).to.equal(0);
    }
  });

  it('row 32: employee PATCH /users/me/profile {role: "admin"} → 422; role unchanged', async () => {
    expectError(await employee.api.PATCH('/users/me/profile', { body: { role: 'admin' } as never }), 422, 'VALIDATION_ERROR', ['body.role']);
    expectError(await employee.api.PATCH('/users/me/profile', { body: { fullName: 'Ok', email: 'me@evil.test' } as never }), 422, 'VALIDATION_ERROR', ['body.email']);
    expect((await userRow(org.employee.id)).role).to.equal('employee');
  });

  it('row 33: admin PATCH /users/{ownId}/role or /status or DELETE /users/{ownId} → 403', async () => {
    expect(expectError(await admin.api.PATCH('/users/{userId}/role', { ...path(org.admin.id), body: { role: 'employee' } }), 403, 'PERMISSION_ERROR').message).to.equal(
      'You cannot change your own role.',
    );
    expect(
      expectError(await admin.api.PATCH('/users/{userId}/status', { ...path(org.admin.id), body: { status: 'inactive' } }), 403, 'PERMISSION_ERROR').message,
    ).to.equal('You cannot change your own status.');
    expectError(await admin.api.DELETE('/users/{userId}', path(org.admin.id)), 403, 'PERMISSION_ERROR');
    expectError(await admin.api.POST('/users/{userId}/suspend', path(org.admin.id)), 403, 'PERMISSION_ERROR');
    expect(await userRow(org.admin.id)).to.include({ role: 'admin', status: 'active' });
  });

  it('row 34: two active admins demote (or suspend) each other at the same moment → one succeeds, the other 409; an active admin remains', async () => {
    const activeAdmins = async () =>
      (await app.sql.query<{ id: string }>(`SELECT id FROM users WHERE role = 'admin' AND status = 'active'`)).rows.map((r) => r.id);
    // Demotion: org.admin and a second admin.
    const second = await createUser(app, { role: 'admin' });
    const secondSession = await signIn(app, second);
    const demotions = await atTheSameMoment(() =>
      Promise.all([
        admin.api.PATCH('/users/{userId}/role', { ...path(second.id), body: { role: 'manager' } }),
        secondSession.api.PATCH('/users/{userId}/role', { ...path(org.admin.id), body: { role: 'hr_operations' } }),
      ]),
    );
    expect(demotions.map((r) => r.response.status).sort()).to.deep.equal([200, 409]);
    expect(expectError(demotions.find((r) => r.response.status === 409)!, 409, 'CONFLICT').message).to.equal('At least one active admin must remain.');
    const [survivorId] = await activeAdmins();
    expect(await activeAdmins()).to.have.length(1);

    // Suspension: the survivor and a fresh admin.
    const survivor = survivorId === org.admin.id ? admin : secondSession;
    const third = await createUser(app, { role: 'admin' });
    const thirdSession = await signIn(app, third);
    const suspensions = await atTheSameMoment(() =>
      Promise.all([
        survivor.api.POST('/users/{userId}/suspend', { ...path(third.id), body: { reason: 'race' } }),
        thirdSession.api.PATCH('/users/{userId}/status', { ...path(survivorId!), body: { status: 'suspended' } }),
      ]),
    );
    expect(suspensions.map((r) => r.response.status).sort()).to.deep.equal([200, 409]);
    expect(await activeAdmins()).to.have.length(1);

    // Restore the organization's admin for the rows below.
    await app.sql.query(`UPDATE users SET role = 'admin', status = 'active' WHERE id = $1`, [org.admin.id]);
    admin = await signIn(app, org.admin);
  });

  it('row 35: managerId = self / a report of the target / an employee-role user / unknown uuid / inactive user → 422 body.managerId', async () => {
    const boss = await createUser(app, { role: 'manager', managerId: org.admin.id });
    const report = await createUser(app, { role: 'team_lead', managerId: boss.id });
    const inactiveLead = await createUser(app, { role: 'team_lead', status: 'inactive' });
    const candidates = [boss.id, report.id, org.employee.id, randomUUID(), inactiveLead.id];
    for (const managerId of candidates) {
      expectError(await admin.api.PATCH('/users/{userId}', { ...path(boss.id), body: { managerId } }), 422, 'VALIDATION_ERROR', ['body.managerId']);
    }
    expect((await userRow(boss.id)).manager_id).to.equal(org.admin.id);
    expect(await auditRows(app, boss.id, { action: 'user.updated' })).to.have.length(0);
  });

  it('row 36: create or email-change to an existing address in different case → 409 CONFLICT', async () => {
    const taken = org.employee2.email.toUpperCase();
    const created = expectError(await admin.api.POST('/users', { body: { email: taken, fullName: 'Twin', role: 'employee' } }), 409, 'CONFLICT');
    expect(created.details).to.deep.equal([{ field: 'body.email', message: 'is already in use' }]);
    expectError(await admin.api.PATCH('/users/{userId}', { ...path(org.junior.id), body: { email: taken } }), 409, 'CONFLICT', {
      fields: ['body.email'],
      message: 'A user with this email already exists.',
    });
    expect(created.message).to.equal('A user with this email already exists.');
    expect((await userRow(org.junior.id)).email).to.equal(org.junior.email);
    // The user's own address in another case is not a conflict with itself.
    expect(ok(await admin.api.PATCH('/users/{userId}', { ...path(org.junior.id), body: { email: org.junior.email.toUpperCase() } })).email).to.equal(org.junior.email);
  });

  it('row 37: PATCH /users/{id}/status {status: "invited"} → 422', async () => {
    expectError(await admin.api.PATCH('/users/{userId}/status', { ...path(org.employee2.id), body: { status: 'invited' } as never }), 422, 'VALIDATION_ERROR', [
      'body.status',
    ]);
    expect((await userRow(org.employee2.id)).status).to.equal('active');
  });

  it('row 38: POST /users/{id}/activate on an invited user → 409', async () => {
    const invited = await createUser(app, { role: 'employee', status: 'invited' });
    const error = expectError(await admin.api.POST('/users/{userId}/activate', path(invited.id)), 409, 'CONFLICT');
    expect(error.message).to.equal('An invited user becomes active only by activating the account.');
    expect((await userRow(invited.id)).status).to.equal('invited');
  });

  it('row 39: GET /users/{randomUuid} vs GET /users/{outOfScopeId} → identical 404 bodies (except requestId)', async () => {
    const unknown = await manager.api.GET('/users/{userId}', path(randomUUID()));
    const outside = await manager.api.GET('/users/{userId}', path(org.outsider.id));
    const a = expectError(unknown, 404, 'NOT_FOUND');
    const b = expectError(outside, 404, 'NOT_FOUND');
    expect(a.requestId).to.not.equal(b.requestId);
    expect({ ...a, requestId: null }).to.deep.equal({ ...b, requestId: null });
    expect(unknown.response.headers.get('content-length')).to.equal(outside.response.headers.get('content-length'));
  });

  it('row 40: GET /users?limit=1000 / offset=-1 / role=superadmin / managerId=abc → 422', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ limit: 1000 }, 'query.limit'],
      [{ offset: -1 }, 'query.offset'],
      [{ role: 'superadmin' }, 'query.role'],
      [{ managerId: 'abc' }, 'query.managerId'],
    ];
    for (const [query, field] of cases) {
      expectError(await admin.api.GET('/users', { params: { query: query as never } }), 422, 'VALIDATION_ERROR', [field]);
    }
  });

  it('row 41: GET /users?q=%25 → literal % match, not "everything"', async () => {
    const percent = await createUser(app, { role: 'employee', fullName: 'Growth 50% Club' });
    const response = await fetch(`${app.url}/api/v1/users?q=%25&limit=200`, { headers: { authorization: `Bearer ${admin.accessToken}` } });
    expect(response.status).to.equal(200);
    const page = (await response.json()) as { items: { id: string; fullName: string }[]; total: number };
    expect(page.items.map((u) => u.id)).to.deep.equal([percent.id]);
    expect(page.total).to.equal(1);
  });

  it('row 42: 4th resend-invitation / send-password-reset for one target within 5 min (any callers) → 429', async () => {
    const invitee = await createUser(app, { role: 'employee', status: 'invited', managerId: org.manager.id });
    const first = await admin.api.POST('/users/{userId}/resend-invitation', path(invitee.id));
    expect(ok(first, 202).invitationEmail).to.equal('disabled');
    expect(first.response.headers.get('ratelimit-policy')).to.equal('3;w=300');
    expect(first.response.headers.get('ratelimit')).to.equal('limit=3, remaining=2, reset=300');
    ok(await hr.api.POST('/users/{userId}/resend-invitation', path(invitee.id)), 202);
    ok(await manager.api.POST('/users/{userId}/resend-invitation', path(invitee.id)), 202);
    const fourth = await admin.api.POST('/users/{userId}/resend-invitation', path(invitee.id));
    const error = expectError(fourth, 429, 'RATE_LIMIT_ERROR');
    expect(error.message).to.equal('Too many requests. Please try again later.');
    expect(fourth.response.headers.get('retry-after')).to.equal('300');
    const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM account_invitations WHERE user_id = $1`, [invitee.id]);
    expect(rows[0].n).to.equal(3);
    expect(await auditRows(app, invitee.id, { action: 'user.invitation_resent' })).to.have.length(3);

    const active = await createUser(app, { role: 'employee', managerId: org.teamLead.id });
    for (let i = 0; i < 3; i++) ok(await (i % 2 ? hr : admin).api.POST('/users/{userId}/send-password-reset', path(active.id)), 202);
    expectError(await hr.api.POST('/users/{userId}/send-password-reset', path(active.id)), 429, 'RATE_LIMIT_ERROR');

    // The window is fixed: 5 minutes after the first counted request the key is open again.
    clock.advance(299_000);
    expect((await admin.api.POST('/users/{userId}/resend-invitation', path(invitee.id))).response.headers.get('retry-after')).to.equal('1');
    clock.advance(1_000);
    ok(await admin.api.POST('/users/{userId}/resend-invitation', path(invitee.id)), 202);
  });

  it('row 43: PATCH /users/{id}/permissions with unknown key / key in both lists / admin target → 422', async () => {
    const patch = (userId: string, grants: string[], denies: string[]) => admin.api.PATCH('/users/{userId}/permissions', { ...path(userId), body: { grants, denies } });
    const unknown = expectError(await patch(org.employee.id, ['users.superpower'], []), 422, 'VALIDATION_ERROR', ['body.grants.0']);
    expect(unknown.details[0]!.message).to.include('users.superpower');
    expectError(await patch(org.employee.id, ['leave.approve'], ['leave.approve']), 422, 'VALIDATION_ERROR', ['body.denies.0']);
    const otherAdmin = await createUser(app, { role: 'admin' });
    expectError(await patch(otherAdmin.id, [], ['audit.view']), 422, 'VALIDATION_ERROR', ['path.userId']);
    const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM user_permission_overrides WHERE user_id = ANY($1)`, [[org.employee.id, otherAdmin.id]]);
    expect(rows[0].n).to.equal(0);
  });

  it('row 44: non-admin holder of permissions.manage grants itself or anyone users.manage_roles → 403', async () => {
    const holder = await createUser(app, { role: 'hr_operations' });
    ok(await admin.api.PATCH('/users/{userId}/permissions', { ...path(holder.id), body: { grants: ['permissions.manage'], denies: [] } }));
    const session = await signIn(app, holder);
    const grant = (userId: string) => session.api.PATCH('/users/{userId}/permissions', { ...path(userId), body: { grants: ['users.manage_roles'], denies: [] } });
    expectError(await grant(holder.id), 403, 'PERMISSION_ERROR');
    const error = expectError(await grant(org.employee.id), 403, 'PERMISSION_ERROR', ['body.grants.0']);
    expect(error.details[0]!.message).to.equal('users.manage_roles can only be granted by an admin');
    const { rows } = await app.sql.query(`SELECT permission_key FROM user_permission_overrides WHERE permission_key = 'users.manage_roles'`);
    expect(rows).to.deep.equal([]);
  });

  it('row 45: GET /permissions/role/superuser → 422', async () => {
    expectError(await admin.api.GET('/permissions/role/{role}', { params: { path: { role: 'superuser' as never } } }), 422, 'VALIDATION_ERROR', ['path.role']);
  });

  it('row 46: fullName `<img src=x onerror=alert(1)>` is stored and returned as text; the invitation email shows it escaped', async () => {
    const fullName = '<img src=x onerror=alert(1)>';
    const email = uniqueEmail('xss');
    const created = ok(await admin.api.POST('/users', { body: { email, fullName, role: 'employee' } }), 201);
    expect(created.user.fullName).to.equal(fullName);
    expect(ok(await admin.api.GET('/users/{userId}', path(created.user.id))).fullName).to.equal(fullName);
    expect((await userRow(created.user.id)).full_name).to.equal(fullName);
    const { rows } = await app.sql.query(`SELECT html_body FROM email_outbox WHERE to_email = $1`, [email]);
    expect(rows).to.have.length(1);
    expect(rows[0].html_body).to.include('&lt;img src=x onerror=alert(1)&gt;');
    expect(rows[0].html_body).to.not.include('<img');
  });

  describe('U14/U15: who may send account emails, and the shared target key', function () {
    it('the account_email:user counter is shared by resend-invitation and send-password-reset', async () => {
      const target = await createUser(app, { role: 'employee', status: 'invited', managerId: org.teamLead.id });
      ok(await admin.api.POST('/users/{userId}/resend-invitation', path(target.id)), 202);
      ok(await hr.api.POST('/users/{userId}/resend-invitation', path(target.id)), 202);
      await app.sql.query(`UPDATE users SET status = 'active', password_hash = 'x' WHERE id = $1`, [target.id]);
      const third = await admin.api.POST('/users/{userId}/send-password-reset', path(target.id));
      expect(ok(third, 202).resetEmail).to.equal('disabled');
      expect(third.response.headers.get('ratelimit')).to.equal('limit=3, remaining=0, reset=300');
      expectError(await admin.api.POST('/users/{userId}/send-password-reset', path(target.id)), 429, 'RATE_LIMIT_ERROR');
    });

    it('refusals (404/403/409) are checked before the limit and do not count', async () => {
      const target = await createUser(app, { role: 'employee', managerId: org.teamLead.id });
      for (let i = 0; i < 4; i++) expectError(await admin.api.POST('/users/{userId}/resend-invitation', path(target.id)), 409, 'CONFLICT');
      for (let i = 0; i < 4; i++) expectError(await hr.api.POST('/users/{userId}/send-password-reset', path(org.admin.id)), 403, 'PERMISSION_ERROR');
      for (let i = 0; i < 3; i++) ok(await hr.api.POST('/users/{userId}/send-password-reset', path(target.id)), 202);
    });

    it('resend: admin any invited user; HR invited users of creatable roles; a manager only its invited direct reports of employee, intern, junior roles', async () => {
      const invitedManager = await createUser(app, { role: 'manager', status: 'invited', managerId: org.admin.id });
      const invitedLead = await createUser(app, { role: 'team_lead', status: 'invited', managerId: org.manager.id });
      const directIntern = await createUser(app, { role: 'intern', status: 'invited', managerId: org.manager.id });
      const indirectEmployee = await createUser(app, { role: 'employee', status: 'invited', managerId: org.teamLead.id });
      const resend = (s: Session, id: string) => s.api.POST('/users/{userId}/resend-invitation', path(id));

      expectError(await resend(hr, invitedManager.id), 403, 'PERMISSION_ERROR');
      ok(await resend(admin, invitedManager.id), 202);
      ok(await resend(hr, invitedLead.id), 202);
      expectError(await resend(manager, invitedLead.id), 403, 'PERMISSION_ERROR'); // direct report, but a team_lead
      ok(await resend(manager, directIntern.id), 202);
      expectError(await resend(manager, indirectEmployee.id), 403, 'PERMISSION_ERROR'); // in scope, not a direct report
      expectError(await resend(manager, (await createUser(app, { role: 'employee', status: 'invited', managerId: org.otherManager.id })).id), 404, 'NOT_FOUND');
      const teamLead = await signIn(app, org.teamLead);
      expectError(await resend(teamLead, indirectEmployee.id), 403, 'PERMISSION_ERROR'); // no users.resend_invitation
    });

    it('send-password-reset: users.edit on a lower-ranked active user (admin: anyone); emails the reset link', async () => {
      const target = await createUser(app, { role: 'team_lead', managerId: org.manager.id });
      const sent = ok(await hr.api.POST('/users/{userId}/send-password-reset', path(target.id)), 202);
      expect(sent.debugToken).to.be.a('string');
      const { rows } = await app.sql.query(`SELECT expires_at, created_at, requested_ip FROM password_reset_tokens WHERE user_id = $1`, [target.id]);
      expect(rows[0].expires_at.getTime() - rows[0].created_at.getTime()).to.equal(120 * 60_000);
      expect(rows[0].requested_ip).to.match(/127\.0\.0\.1/);
      const { rows: mail } = await app.sql.query(`SELECT template, text_body FROM email_outbox WHERE to_email = $1`, [target.email]);
      expect(mail[0].template).to.equal('password_reset');
      expect(mail[0].text_body).to.include(`http://localhost:3000/reset-password?token=${sent.debugToken}`);
      const { rows: audit } = await app.sql.query(`SELECT actor_user_id, after FROM audit_logs WHERE entity_id = $1 AND action = 'user.password_reset_sent'`, [target.id]);
      expect(audit).to.deep.equal([{ actor_user_id: org.hr.id, after: { email: target.email } }]);
      // Sessions are untouched.
      const session = await signIn(app, target);
      ok(await admin.api.POST('/users/{userId}/send-password-reset', path(target.id)), 202);
      expect(ok(await session.api.GET('/users/me')).id).to.equal(target.id);
      // Not active → 409; equal rank → 403.
      const suspended = await createUser(app, { role: 'employee', status: 'suspended' });
      expectError(await admin.api.POST('/users/{userId}/send-password-reset', path(suspended.id)), 409, 'CONFLICT', {
        message: 'Only active users can be sent a password reset link.',
      });
      const hr2 = await createUser(app, { role: 'hr_operations' });
      expectError(await hr.api.POST('/users/{userId}/send-password-reset', path(hr2.id)), 403, 'PERMISSION_ERROR', {
        message: 'You may not send a password reset to this user.',
      });
      const { rows: refused } = await app.sql.query(`SELECT 1 FROM password_reset_tokens WHERE user_id = ANY($1)`, [[suspended.id, hr2.id]]);
      expect(refused).to.deep.equal([]);
    });
  });
});
