/**
 * Users (01 §3.2 U1–U8): read scope in SQL, lists with filters and sorting, creation and its check order,
 * invitations, own profile, the field-authority table of record edits, reporting lines — through the
 * generated SDK against the real app (response validation on).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createOrg, createUser, signIn, signInOrg, uniqueEmail, type Org, type Session } from '../helpers/fixtures.ts';
import { startTestApp, type TestApp } from '../helpers/harness.ts';
import { expectError, ok } from '../helpers/expect.ts';
import { auditRows } from '../helpers/rows.ts';

describe('users (01 §3.2 U1–U8)', function () {
  let app: TestApp;
  let org: Org;
  let admin: Session;
  let hr: Session;
  let manager: Session;
  let teamLead: Session;
  let employee: Session;
  let intern: Session;

  async function userRow(id: string) {
    const { rows } = await app.sql.query(
      `SELECT email, full_name, phone, role, status, designation, department_id, manager_id, avatar_url, created_by_id, password_hash
       FROM users WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  async function createDepartment(name: string, isActive = true): Promise<string> {
    const { rows } = await app.sql.query<{ id: string }>(`INSERT INTO departments (name, is_active) VALUES ($1, $2) RETURNING id`, [name, isActive]);
    return rows[0]!.id;
  }

  /** A shift users may reference (arranged directly; the shift endpoints are tested in shifts.test.ts). */
  async function arrangeShift(isActive = true): Promise<{ id: string; name: string }> {
    const name = `Shift ${randomUUID().slice(0, 8)}`;
    const { rows: shift } = await app.sql.query<{ id: string }>(
      `INSERT INTO shifts (name, start_time, end_time, timezone, is_active) VALUES ($1, '09:00', '17:00', 'UTC', $2) RETURNING id`,
      [name, isActive],
    );
    return { id: shift[0]!.id, name };
  }

  before(async function () {
    app = await startTestApp();
    org = await createOrg(app);
    ({ admin, hr, manager, teamLead, employee, intern } = await signInOrg(app, org));
  });
  after(() => app.close());

  describe('U3 getMe and U7 getUser', function () {
    it('getMe returns the caller with joined names and shiftName null', async () => {
      const dept = await createDepartment(`Finance ${randomUUID().slice(0, 6)}`);
      await app.sql.query(`UPDATE users SET department_id = $1 WHERE id = $2`, [dept, org.employee.id]);
      const me = ok(await employee.api.GET('/users/me'));
      expect(me).to.include({ id: org.employee.id, email: org.employee.email, role: 'employee', status: 'active', managerId: org.teamLead.id });
      expect(me.managerName).to.equal(org.teamLead.fullName);
      expect(me.departmentId).to.equal(dept);
      expect(me.departmentName).to.match(/^Finance /);
      expect(me.shiftId).to.equal(null);
      expect(me.shiftName).to.equal(null);
      expect(me.lastLoginAt).to.equal(null);
      expect(Object.keys(me).sort()).to.deep.equal(
        [
          'id', 'email', 'fullName', 'phone', 'role', 'status', 'statusReason', 'departmentId', 'departmentName', 'designation',
          'managerId', 'managerName', 'shiftId', 'shiftName', 'avatarUrl', 'lastLoginAt', 'createdAt', 'updatedAt',
        ].sort(),
      );
      await app.sql.query(`UPDATE users SET department_id = NULL WHERE id = $1`, [org.employee.id]);
    });

    it('statusReason is shown only to holders of users.view_all', async () => {
      const target = await createUser(app, { role: 'employee', managerId: org.teamLead.id, status: 'suspended' });
      await app.sql.query(`UPDATE users SET status_reason = 'policy breach' WHERE id = $1`, [target.id]);
      expect(ok(await admin.api.GET('/users/{userId}', { params: { path: { userId: target.id } } })).statusReason).to.equal('policy breach');
      expect(ok(await hr.api.GET('/users/{userId}', { params: { path: { userId: target.id } } })).statusReason).to.equal('policy breach');
      const seenByManager = ok(await manager.api.GET('/users/{userId}', { params: { path: { userId: target.id } } }));
      expect(seenByManager.status).to.equal('suspended');
      expect(seenByManager.statusReason).to.equal(null);
      const seenByLead = ok(await teamLead.api.GET('/users/{userId}', { params: { path: { userId: target.id } } }));
      expect(seenByLead.statusReason).to.equal(null);
    });

    it('managers see their whole chain; team leads only direct reports; others only themselves (404 otherwise)', async () => {
      const get = (s: Session, userId: string) => s.api.GET('/users/{userId}', { params: { path: { userId } } });
      expect(ok(await get(manager, org.employee.id)).id).to.equal(org.employee.id); // indirect, via the team lead
      expect(ok(await get(teamLead, org.employee.id)).id).to.equal(org.employee.id); // direct
      expectError(await get(teamLead, org.employee2.id), 404, 'NOT_FOUND'); // the manager's direct report, not the lead's
      expectError(await get(manager, org.outsider.id), 404, 'NOT_FOUND'); // another manager's team
      expect(ok(await get(employee, org.employee.id)).id).to.equal(org.employee.id);
      expectError(await get(employee, org.teamLead.id), 404, 'NOT_FOUND'); // own manager: outside own scope
      expect(ok(await get(hr, org.outsider.id)).id).to.equal(org.outsider.id); // users.view_all
    });

    it('scope follows the current reporting line on the next request', async () => {
      const mover = await createUser(app, { role: 'employee', managerId: org.otherManager.id });
      expectError(await manager.api.GET('/users/{userId}', { params: { path: { userId: mover.id } } }), 404, 'NOT_FOUND');
      await app.sql.query(`UPDATE users SET manager_id = $1 WHERE id = $2`, [org.teamLead.id, mover.id]);
      expect(ok(await manager.api.GET('/users/{userId}', { params: { path: { userId: mover.id } } })).id).to.equal(mover.id);
    });

    it('a non-UUID path is a 422 on path.userId', async () => {
      expectError(await admin.api.GET('/users/{userId}', { params: { path: { userId: 'not-a-uuid' } } }), 422, 'VALIDATION_ERROR', ['path.userId']);
    });
  });

  describe('U1 listUsers', function () {
    let dept: string;
    const names = ['Beta Tester', 'alpha Tester', 'Gamma 100% Done', 'Delta under_score', 'Beta Tester'];
    const created: string[] = [];

    before(async () => {
      dept = await createDepartment(`List ${randomUUID().slice(0, 6)}`);
      for (const [i, fullName] of names.entries()) {
        const u = await createUser(app, {
          role: i === 2 ? 'intern' : 'employee',
          status: i === 3 ? 'suspended' : 'active',
          managerId: org.teamLead.id,
          departmentId: dept,
          fullName,
          designation: i === 4 ? 'Quality Analyst' : null,
        });
        created.push(u.id);
      }
      // createdAt spreads and one login so the other sorts are defined.
      for (const [i, id] of created.entries()) {
        await app.sql.query(`UPDATE users SET created_at = $1, last_login_at = $2 WHERE id = $3`, [
          new Date(Date.UTC(2026, 0, 1 + i)),
          i === 1 ? new Date(Date.UTC(2026, 5, 1)) : i === 4 ? new Date(Date.UTC(2026, 4, 1)) : null,
          id,
        ]);
      }
    });

    const inDept = (s: Session, query: Record<string, unknown> = {}) =>
      s.api.GET('/users', { params: { query: { departmentId: dept, ...query } as never } });

    it('admins list the organization; employees only themselves; totals count the whole filtered set', async () => {
      const all = ok(await admin.api.GET('/users', { params: { query: { limit: 200 } } }));
      const { rows } = await app.sql.query<{ count: string }>(`SELECT count(*) FROM users`);
      expect(all.total).to.equal(Number(rows[0]!.count));
      expect(all).to.include({ limit: 200, offset: 0 });
      const mine = ok(await employee.api.GET('/users'));
      expect(mine.total).to.equal(1);
      expect(mine.items.map((u) => u.id)).to.deep.equal([org.employee.id]);
      expect(mine).to.include({ limit: 50, offset: 0 });
    });

    it('a manager sees self plus the whole chain below; a team lead self plus direct reports', async () => {
      const seen = ok(await manager.api.GET('/users', { params: { query: { limit: 200 } } })).items.map((u) => u.id);
      expect(seen).to.include.members([org.manager.id, org.teamLead.id, org.employee.id, org.intern.id, org.junior.id, org.employee2.id, ...created]);
      expect(seen).to.not.include.members([org.admin.id, org.hr.id, org.otherManager.id, org.outsider.id]);
      const byLead = ok(await teamLead.api.GET('/users', { params: { query: { limit: 200 } } })).items.map((u) => u.id);
      expect(byLead).to.include.members([org.teamLead.id, org.employee.id, ...created]);
      expect(byLead).to.not.include(org.employee2.id);
      expect(byLead).to.not.include(org.manager.id);
    });

    it('filters by role, status, managerId, departmentId and shiftId', async () => {
      expect(ok(await inDept(admin)).total).to.equal(5);
      expect(ok(await inDept(admin, { role: 'intern' })).items.map((u) => u.id)).to.deep.equal([created[2]]);
      expect(ok(await inDept(admin, { status: 'suspended' })).items.map((u) => u.id)).to.deep.equal([created[3]]);
      expect(ok(await inDept(admin, { managerId: org.teamLead.id })).total).to.equal(5);
      expect(ok(await inDept(admin, { managerId: org.manager.id })).total).to.equal(0);
      const shift = await arrangeShift();
      await app.sql.query(`UPDATE users SET shift_id = $1 WHERE id = $2`, [shift.id, created[0]]);
      const byShift = ok(await admin.api.GET('/users', { params: { query: { shiftId: shift.id } } }));
      expect(byShift.items.map((u) => u.id)).to.deep.equal([created[0]]);
      expect(byShift.items[0]!.shiftId).to.equal(shift.id);
      expect(byShift.items[0]!.shiftName).to.equal(shift.name);
      await app.sql.query(`UPDATE users SET shift_id = NULL WHERE id = $1`, [created[0]]);
    });

    it('a managerId filter naming a user outside scope only narrows the list (200, empty page)', async () => {
      const page = ok(await teamLead.api.GET('/users', { params: { query: { managerId: org.otherManager.id } } }));
      expect(page).to.deep.equal({ items: [], total: 0, limit: 50, offset: 0 });
    });

    it('q matches fullName, email and designation case-insensitively', async () => {
      expect(ok(await inDept(admin, { q: 'TESTER' })).total).to.equal(3);
      expect(ok(await inDept(admin, { q: 'quality an' })).items.map((u) => u.id)).to.deep.equal([created[4]]);
      const email = (await userRow(created[0]!)).email as string;
      expect(ok(await inDept(admin, { q: email.slice(0, 12).toUpperCase() })).items.map((u) => u.id)).to.include(created[0]);
    });

    it('q treats % and _ literally', async () => {
      expect(ok(await inDept(admin, { q: '100%' })).items.map((u) => u.id)).to.deep.equal([created[2]]);
      expect(ok(await inDept(admin, { q: '%' })).items.map((u) => u.id)).to.deep.equal([created[2]]);
      expect(ok(await inDept(admin, { q: 'r_s' })).items.map((u) => u.id)).to.deep.equal([created[3]]);
      expect(ok(await inDept(admin, { q: '_' })).items.map((u) => u.id)).to.deep.equal([created[3]]);
    });

    it('sorts by fullName by default (case-insensitive) with id as the tie-breaker, and by every listed key', async () => {
      const ids = (page: { items: { id: string }[] }) => page.items.map((u) => u.id);
      const [beta1, beta2] = [created[0]!, created[4]!].sort();
      expect(ids(ok(await inDept(admin)))).to.deep.equal([created[1], beta1, beta2, created[3], created[2]]);
      expect(ids(ok(await inDept(admin, { sort: '-fullName' })))).to.deep.equal([created[2], created[3], beta1, beta2, created[1]]);
      expect(ids(ok(await inDept(admin, { sort: 'createdAt' })))).to.deep.equal(created);
      expect(ids(ok(await inDept(admin, { sort: '-createdAt' })))).to.deep.equal([...created].reverse());
      const lastLogin = ids(ok(await inDept(admin, { sort: 'lastLoginAt' })));
      expect(lastLogin.slice(0, 2)).to.deep.equal([created[4], created[1]]);
      expect(lastLogin.slice(2)).to.deep.equal([created[0], created[2], created[3]].sort()); // never logged in: last, by id
      expect(ids(ok(await inDept(admin, { sort: '-lastLoginAt' }))).slice(0, 2)).to.deep.equal([created[1], created[4]]);
      const emails = ok(await inDept(admin, { sort: 'email' })).items.map((u) => u.email);
      expect(emails).to.deep.equal([...emails].sort());
      expect(ok(await inDept(admin, { sort: '-email' })).items.map((u) => u.email)).to.deep.equal([...emails].reverse());
    });

    it('pages with limit and offset without skipping or repeating', async () => {
      const all = ok(await inDept(admin)).items.map((u) => u.id);
      const pages: string[] = [];
      for (let offset = 0; offset < 5; offset += 2) {
        const page = ok(await inDept(admin, { limit: 2, offset }));
        expect(page).to.include({ total: 5, limit: 2, offset });
        pages.push(...page.items.map((u) => u.id));
      }
      expect(pages).to.deep.equal(all);
      expect(ok(await inDept(admin, { offset: 10 }))).to.include({ total: 5 }).and.to.have.property('items').that.deep.equals([]);
    });

    it('rejects an unknown query parameter and a bad sort key', async () => {
      expectError(await admin.api.GET('/users', { params: { query: { sort: 'password' } as never } }), 422, 'VALIDATION_ERROR', ['query.sort']);
      expectError(await admin.api.GET('/users', { params: { query: { department: 'x' } as never } }), 422, 'VALIDATION_ERROR', ['query.department']);
    });
  });

  describe('U2 createUser', function () {
    it('without a password: invited, 24 h invitation, email with the activation link, audit user.invited', async () => {
      const email = uniqueEmail('Invitee').toUpperCase();
      const body = ok(
        await admin.api.POST('/users', {
          body: { email: `  ${email}`.trim(), fullName: '  Ivy Invitee  ', role: 'employee', managerId: org.teamLead.id, phone: '+92 300 1234567', designation: ' Analyst ' },
        }),
        201,
      );
      expect(body.invitationEmail).to.equal('disabled');
      expect(body.debugToken).to.be.a('string').with.length.greaterThan(40);
      const user = body.user;
      expect(user).to.include({ email: email.toLowerCase(), fullName: 'Ivy Invitee', role: 'employee', status: 'invited', managerId: org.teamLead.id });
      expect(user).to.include({ phone: '+92 300 1234567', designation: 'Analyst', managerName: org.teamLead.fullName, statusReason: null });
      const row = await userRow(user.id);
      expect(row.created_by_id).to.equal(org.admin.id);
      expect(row.password_hash).to.equal(null);

      const { rows: invitations } = await app.sql.query(
        `SELECT expires_at, created_at, created_by_id, used_at, invalidated_at FROM account_invitations WHERE user_id = $1`,
        [user.id],
      );
      expect(invitations).to.have.length(1);
      expect(invitations[0].expires_at.getTime() - invitations[0].created_at.getTime()).to.equal(24 * 3_600_000);
      expect(invitations[0].created_by_id).to.equal(org.admin.id);

      const { rows: emails } = await app.sql.query(`SELECT template, to_email, subject, text_body, status FROM email_outbox WHERE to_email = $1`, [
        email.toLowerCase(),
      ]);
      expect(emails).to.have.length(1);
      expect(emails[0]).to.include({ template: 'account_invitation', subject: 'Account invitation', status: 'disabled' });
      expect(emails[0].text_body).to.include(`http://localhost:3000/activate?token=${body.debugToken}`);
      expect(emails[0].text_body).to.include('24 hours');

      const [audit] = await auditRows(app, user.id, { action: 'user.invited' });
      expect(audit).to.include({ actor_user_id: org.admin.id, outcome: 'success' });
      expect(audit!.after).to.deep.equal({ email: email.toLowerCase(), role: 'employee' });
      expect(audit!.metadata).to.have.keys('requestId', 'ip', 'userAgent');
    });

    it('with a password: active, argon2id hash, not_applicable, no debugToken, audit user.created', async () => {
      const email = uniqueEmail('direct');
      const body = ok(await hr.api.POST('/users', { body: { email, fullName: 'Dan Direct', role: 'intern', password: 'A-long-enough-passphrase-7' } }), 201);
      expect(body.invitationEmail).to.equal('not_applicable');
      expect(body).to.not.have.property('debugToken');
      expect(body.user.status).to.equal('active');
      expect((await userRow(body.user.id)).password_hash).to.match(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM account_invitations WHERE user_id = $1`, [body.user.id]);
      expect(rows[0].n).to.equal(0);
      const [audit] = await auditRows(app, body.user.id, { action: 'user.created' });
      expect(audit).to.include({ actor_user_id: org.hr.id });
      expect(audit!.after).to.deep.equal({ email, role: 'intern' });
    });

    it('a password violating the policy is a 422 on body.password that never echoes it', async () => {
      const email = uniqueEmail('weak');
      for (const password of ['short-pass1', email, 'password1', `x${'\u0000'}-long-enough-pass`]) {
        const error = expectError(await admin.api.POST('/users', { body: { email, fullName: 'Weak Pass', role: 'employee', password } }), 422, 'VALIDATION_ERROR', [
          'body.password',
        ]);
        expect(JSON.stringify(error)).to.not.include(password);
      }
      expectError(
        await admin.api.POST('/users', { body: { email, fullName: 'Weak Pass', role: 'employee', password: 'x'.repeat(129) } }),
        422,
        'VALIDATION_ERROR',
        ['body.password'],
      );
    });

    it('check order: 403 no key → 422 body → 403 role not creatable → 409 email → 422 managerId → 422 departmentId/shiftId', async () => {
      const taken = org.employee.email.toUpperCase();
      // 1. no users.create, even with a broken body
      expectError(await manager.api.POST('/users', { body: { email: 'nope', role: 'admin' } as never }), 403, 'PERMISSION_ERROR');
      // 2. body before the creatable-role check
      expectError(await hr.api.POST('/users', { body: { email: 'not-an-email', fullName: 'X', role: 'manager' } }), 422, 'VALIDATION_ERROR', ['body.email']);
      expectError(await hr.api.POST('/users', { body: { email: uniqueEmail(), fullName: '   ', role: 'manager' } }), 422, 'VALIDATION_ERROR', ['body.fullName']);
      // 3. role not creatable before the email conflict
      expectError(await hr.api.POST('/users', { body: { email: taken, fullName: 'X', role: 'manager' } }), 403, 'PERMISSION_ERROR');
      // 4. email (case-insensitive) before the manager reference
      const conflict = expectError(
        await admin.api.POST('/users', { body: { email: taken, fullName: 'X', role: 'employee', managerId: randomUUID() } }),
        409,
        'CONFLICT',
      );
      expect(conflict.details).to.deep.equal([{ field: 'body.email', message: 'is already in use' }]);
      // 5. manager before department and shift
      expectError(
        await admin.api.POST('/users', { body: { email: uniqueEmail(), fullName: 'X', role: 'employee', managerId: randomUUID(), departmentId: randomUUID() } }),
        422,
        'VALIDATION_ERROR',
        ['body.managerId'],
      );
      // 6. department and shift
      expectError(
        await admin.api.POST('/users', { body: { email: uniqueEmail(), fullName: 'X', role: 'employee', departmentId: randomUUID() } }),
        422,
        'VALIDATION_ERROR',
        ['body.departmentId'],
      );
      const inactive = await createDepartment(`Closed ${randomUUID().slice(0, 6)}`, false);
      expectError(
        await admin.api.POST('/users', { body: { email: uniqueEmail(), fullName: 'X', role: 'employee', departmentId: inactive } }),
        422,
        'VALIDATION_ERROR',
        ['body.departmentId'],
      );
      expectError(
        await admin.api.POST('/users', { body: { email: uniqueEmail(), fullName: 'X', role: 'employee', shiftId: randomUUID() } }),
        422,
        'VALIDATION_ERROR',
        ['body.shiftId'],
      );
      const inactiveShift = await arrangeShift(false);
      expectError(
        await admin.api.POST('/users', { body: { email: uniqueEmail(), fullName: 'X', role: 'employee', shiftId: inactiveShift.id } }),
        422,
        'VALIDATION_ERROR',
        ['body.shiftId'],
      );
    });

    it('creates a user on an active shift, returned with its name', async () => {
      const shift = await arrangeShift();
      const created = ok(await admin.api.POST('/users', { body: { email: uniqueEmail(), fullName: 'On Shift', role: 'employee', shiftId: shift.id, password: 'A-Long-Enough-Pass-1' } }), 201);
      expect(created.user.shiftId).to.equal(shift.id);
      expect(created.user.shiftName).to.equal(shift.name);
    });

    it('managerId must be an active user with a management role', async () => {
      const inactiveLead = await createUser(app, { role: 'team_lead', status: 'inactive' });
      for (const managerId of [org.employee.id, inactiveLead.id, randomUUID()]) {
        expectError(
          await admin.api.POST('/users', { body: { email: uniqueEmail(), fullName: 'X', role: 'employee', managerId } }),
          422,
          'VALIDATION_ERROR',
          ['body.managerId'],
        );
      }
      const dept = await createDepartment(`Ops ${randomUUID().slice(0, 6)}`);
      const created = ok(await hr.api.POST('/users', { body: { email: uniqueEmail(), fullName: 'Led', role: 'junior_employee', managerId: org.teamLead.id, departmentId: dept } }), 201);
      expect(created.user).to.include({ managerId: org.teamLead.id, departmentId: dept });
    });

    it('hr_operations creates team_lead, employee, intern, junior_employee only', async () => {
      for (const role of ['team_lead', 'employee', 'intern', 'junior_employee'] as const) {
        expect(ok(await hr.api.POST('/users', { body: { email: uniqueEmail(role.replace('_', '-')), fullName: `New ${role}`, role } }), 201).user.role).to.equal(role);
      }
      for (const role of ['admin', 'hr_operations', 'manager'] as const) {
        const error = expectError(await hr.api.POST('/users', { body: { email: uniqueEmail(), fullName: 'X', role } }), 403, 'PERMISSION_ERROR');
        expect(error.message).to.include(role);
      }
    });

    it('strict body: unknown properties are 422 naming them', async () => {
      expectError(
        await admin.api.POST('/users', { body: { email: uniqueEmail(), fullName: 'X', role: 'employee', status: 'active' } as never }),
        422,
        'VALIDATION_ERROR',
        ['body.status'],
      );
    });
  });

  describe('U2/U14/U15 emails with SMTP configured', function () {
    let smtpApp: TestApp;
    let smtpAdmin: Session;
    before(async () => {
      smtpApp = await startTestApp({ env: { SMTP_HOST: 'smtp.invalid.test', FRONTEND_BASE_URL: 'https://app.example.com' } });
      smtpAdmin = await signIn(smtpApp, await createUser(smtpApp, { role: 'admin' }));
    });
    after(() => smtpApp.close());

    it('invitationEmail and resetEmail are "queued" and the outbox row is pending, with FRONTEND_BASE_URL links', async () => {
      const created = ok(await smtpAdmin.api.POST('/users', { body: { email: uniqueEmail(), fullName: 'Queued', role: 'employee' } }), 201);
      expect(created.invitationEmail).to.equal('queued');
      const resent = ok(await smtpAdmin.api.POST('/users/{userId}/resend-invitation', { params: { path: { userId: created.user.id } } }), 202);
      expect(resent.invitationEmail).to.equal('queued');
      const active = await createUser(smtpApp, { role: 'employee' });
      const reset = ok(await smtpAdmin.api.POST('/users/{userId}/send-password-reset', { params: { path: { userId: active.id } } }), 202);
      expect(reset.resetEmail).to.equal('queued');
      const { rows } = await smtpApp.sql.query(`SELECT template, status, text_body FROM email_outbox ORDER BY created_at, id`);
      expect(rows.map((r) => r.status)).to.deep.equal(['pending', 'pending', 'pending']);
      expect(rows.find((r) => r.template === 'password_reset')!.text_body).to.include(`https://app.example.com/reset-password?token=${reset.debugToken}`);
      expect(rows.filter((r) => r.template === 'account_invitation').map((r) => r.text_body).join()).to.include(
        `https://app.example.com/activate?token=${resent.debugToken}`,
      );
    });
  });

  describe('debugToken outside development/test', function () {
    let prodApp: TestApp;
    let prodAdmin: Session;
    before(async () => {
      prodApp = await startTestApp({
        env: {
          APP_ENV: 'production',
          APP_SECRET_KEY: 'prod-secret-0123456789-abcdefghij-KLMNOP',
          FRONTEND_BASE_URL: 'https://app.example.com',
          CORS_ORIGINS: 'https://app.example.com',
          VALIDATE_RESPONSES: 'true',
        },
      });
      prodAdmin = await signIn(prodApp, await createUser(prodApp, { role: 'admin' }));
    });
    after(() => prodApp.close());

    it('is absent from createUser, resendInvitation and sendPasswordResetLink', async () => {
      const created = ok(await prodAdmin.api.POST('/users', { body: { email: uniqueEmail(), fullName: 'Prod', role: 'employee' } }), 201);
      expect(created).to.have.keys('user', 'invitationEmail');
      const resent = ok(await prodAdmin.api.POST('/users/{userId}/resend-invitation', { params: { path: { userId: created.user.id } } }), 202);
      expect(resent).to.deep.equal({ invitationEmail: 'disabled' });
      const active = await createUser(prodApp, { role: 'employee' });
      const reset = ok(await prodAdmin.api.POST('/users/{userId}/send-password-reset', { params: { path: { userId: active.id } } }), 202);
      expect(reset).to.deep.equal({ resetEmail: 'disabled' });
    });
  });

  describe('U4 updateMyProfile', function () {
    it('changes own fullName, phone and avatarUrl; audits only the changed fields', async () => {
      const me = await createUser(app, { role: 'employee', managerId: org.teamLead.id, fullName: 'Old Name' });
      const session = await signIn(app, me);
      const first = ok(await session.api.PATCH('/users/me/profile', { body: { fullName: '  New Name ', phone: '+1 555 0100', avatarUrl: 'https://cdn.example.com/a.png' } }));
      expect(first).to.include({ fullName: 'New Name', phone: '+1 555 0100', avatarUrl: 'https://cdn.example.com/a.png' });
      const second = ok(await session.api.PATCH('/users/me/profile', { body: { fullName: 'New Name', phone: null } }));
      expect(second).to.include({ fullName: 'New Name', phone: null, avatarUrl: 'https://cdn.example.com/a.png' });
      const audits = await auditRows(app, me.id, { action: 'user.updated' });
      expect(audits).to.have.length(2);
      expect(audits[0]!.before).to.deep.equal({ fullName: 'Old Name', phone: null, avatarUrl: null });
      expect(audits[0]!.after).to.deep.equal({ fullName: 'New Name', phone: '+1 555 0100', avatarUrl: 'https://cdn.example.com/a.png' });
      expect(audits[1]!.before).to.deep.equal({ phone: '+1 555 0100' });
      expect(audits[1]!.after).to.deep.equal({ phone: null });
      expect(audits[1]!.actor_user_id).to.equal(me.id);
    });

    it('{} is a 200 that changes nothing and writes no audit', async () => {
      const me = await createUser(app, { role: 'intern', managerId: org.teamLead.id });
      const session = await signIn(app, me);
      const before = ok(await session.api.GET('/users/me'));
      expect(ok(await session.api.PATCH('/users/me/profile', { body: {} }))).to.deep.equal(before);
      expect(await auditRows(app, me.id, { action: 'user.updated' })).to.deep.equal([]);
    });

    it('rejects blank names, bad phones and non-https avatars', async () => {
      expectError(await intern.api.PATCH('/users/me/profile', { body: { fullName: '   ' } }), 422, 'VALIDATION_ERROR', ['body.fullName']);
      expectError(await intern.api.PATCH('/users/me/profile', { body: { fullName: 'Bell\u0007' } }), 422, 'VALIDATION_ERROR', ['body.fullName']);
      expectError(await intern.api.PATCH('/users/me/profile', { body: { phone: 'call me' } }), 422, 'VALIDATION_ERROR', ['body.phone']);
      expectError(await intern.api.PATCH('/users/me/profile', { body: { avatarUrl: 'http://cdn.example.com/a.png' } }), 422, 'VALIDATION_ERROR', [
        'body.avatarUrl',
      ]);
    });
  });

  describe('U5 listMyTeam', function () {
    it('a manager gets the whole chain below, excluding self; directOnly narrows to direct reports', async () => {
      const team = ok(await manager.api.GET('/users/me/team', { params: { query: { limit: 200 } } })).items.map((u) => u.id);
      expect(team).to.include.members([org.teamLead.id, org.employee.id, org.intern.id, org.junior.id, org.employee2.id]);
      expect(team).to.not.include(org.manager.id);
      expect(team).to.not.include(org.outsider.id);
      const direct = ok(await manager.api.GET('/users/me/team', { params: { query: { directOnly: true, limit: 200 } } }));
      expect(direct.items.map((u) => u.id).sort()).to.deep.equal([org.teamLead.id, org.employee2.id].sort());
      expect(direct.total).to.equal(2);
    });

    it('a team lead gets direct reports only; filters apply', async () => {
      const team = ok(await teamLead.api.GET('/users/me/team', { params: { query: { limit: 200, role: 'intern' } } }));
      expect(team.items.map((u) => u.id)).to.include(org.intern.id);
      expect(team.items.every((u) => u.role === 'intern' && u.managerId === org.teamLead.id)).to.equal(true);
    });

    it('is empty for a caller without reports', async () => {
      expect(ok(await employee.api.GET('/users/me/team'))).to.deep.equal({ items: [], total: 0, limit: 50, offset: 0 });
    });
  });

  describe('U6 listDirectory', function () {
    let boss: Session;
    let me: Session;
    let peer: string;
    let report: string;
    let suspendedPeer: string;

    before(async () => {
      const bossUser = await createUser(app, { role: 'manager', managerId: org.admin.id, fullName: 'Dir Boss' });
      const meUser = await createUser(app, { role: 'team_lead', managerId: bossUser.id, fullName: 'Dir Me' });
      peer = (await createUser(app, { role: 'employee', managerId: bossUser.id, fullName: 'Dir Peer', designation: 'Designer' })).id;
      report = (await createUser(app, { role: 'intern', managerId: meUser.id, fullName: 'Dir Report' })).id;
      suspendedPeer = (await createUser(app, { role: 'employee', managerId: bossUser.id, status: 'suspended', fullName: 'Dir Gone' })).id;
      boss = await signIn(app, bossUser);
      me = await signIn(app, meUser);
    });

    it('shows self, own manager, direct reports and peers (active only, sorted by name), without email', async () => {
      const page = ok(await me.api.GET('/users/active-directory'));
      expect(page.items.map((e) => e.fullName)).to.deep.equal(['Dir Boss', 'Dir Me', 'Dir Peer', 'Dir Report']);
      expect(page.total).to.equal(4);
      expect(page.items.every((e) => e.email === null)).to.equal(true);
      expect(page.items.map((e) => e.id)).to.not.include(suspendedPeer);
      expect(Object.keys(page.items[0]!).sort()).to.deep.equal(['avatarUrl', 'departmentName', 'designation', 'email', 'fullName', 'id', 'role']);
      expect(page.items.find((e) => e.id === peer)).to.include({ designation: 'Designer', role: 'employee' });
      expect(page.items.map((e) => e.id)).to.include(report);
    });

    it('q filters on name and designation', async () => {
      expect(ok(await me.api.GET('/users/active-directory', { params: { query: { q: 'design' } } })).items.map((e) => e.id)).to.deep.equal([peer]);
      expect(ok(await boss.api.GET('/users/active-directory', { params: { query: { q: 'dir r' } } })).items).to.deep.equal([]);
    });

    it('users.view_all holders see every active user, with email', async () => {
      const page = ok(await hr.api.GET('/users/active-directory', { params: { query: { limit: 200 } } }));
      const { rows } = await app.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE status = 'active'`);
      expect(page.total).to.equal(rows[0]!.n);
      expect(page.items.find((e) => e.id === peer)!.email).to.match(/@example\.com$/);
      expect(page.items.map((e) => e.id)).to.not.include(suspendedPeer);
    });
  });

  describe('U8 updateUser — field authority', function () {
    it('self (any role): fullName, phone, avatarUrl only; other fields → 403 listing each, nothing applied, denial audited', async () => {
      const me = await createUser(app, { role: 'employee', managerId: org.teamLead.id, fullName: 'Self Editor' });
      const session = await signIn(app, me);
      const path = { params: { path: { userId: me.id } } };
      expect(ok(await session.api.PATCH('/users/{userId}', { ...path, body: { fullName: 'Self Edited', phone: '+44 20 7946 0000' } }))).to.include({
        fullName: 'Self Edited',
      });
      const error = expectError(
        await session.api.PATCH('/users/{userId}', { ...path, body: { fullName: 'Sneaky', designation: 'CEO', managerId: org.manager.id } }),
        403,
        'PERMISSION_ERROR',
        ['body.designation', 'body.managerId'],
      );
      expect(error.message).to.be.a('string');
      const row = await userRow(me.id);
      expect(row).to.include({ full_name: 'Self Edited', designation: null, manager_id: org.teamLead.id });
      const [denied] = await auditRows(app, me.id, { action: 'user.update_denied' });
      expect(denied).to.include({ actor_user_id: me.id, outcome: 'denied' });
      expect(denied!.after).to.deep.equal({ requestedFields: ['fullName', 'designation', 'managerId'] });
    });

    it('self (admin): every field of the body', async () => {
      const other = await createUser(app, { role: 'admin' });
      const session = await signIn(app, other);
      const dept = await createDepartment(`Exec ${randomUUID().slice(0, 6)}`);
      const email = uniqueEmail('admin-self');
      const updated = ok(
        await session.api.PATCH('/users/{userId}', {
          params: { path: { userId: other.id } },
          body: { email, designation: 'Chief', departmentId: dept, managerId: org.admin.id },
        }),
      );
      expect(updated).to.include({ email, designation: 'Chief', departmentId: dept, managerId: org.admin.id });
    });

    it('another user: users.edit and a lower-ranked target; before/after carry only changed fields', async () => {
      const target = await createUser(app, { role: 'employee', managerId: org.teamLead.id, designation: 'Clerk' });
      const dept = await createDepartment(`Sales ${randomUUID().slice(0, 6)}`);
      const updated = ok(
        await hr.api.PATCH('/users/{userId}', {
          params: { path: { userId: target.id } },
          body: { designation: 'Senior Clerk', departmentId: dept, managerId: org.teamLead.id, fullName: target.fullName },
        }),
      );
      expect(updated).to.include({ designation: 'Senior Clerk', departmentId: dept, managerId: org.teamLead.id });
      const [audit] = await auditRows(app, target.id, { action: 'user.updated' });
      expect(audit).to.include({ actor_user_id: org.hr.id });
      expect(audit!.before).to.deep.equal({ designation: 'Clerk', departmentId: null });
      expect(audit!.after).to.deep.equal({ designation: 'Senior Clerk', departmentId: dept });
      // null clears
      const cleared = ok(await hr.api.PATCH('/users/{userId}', { params: { path: { userId: target.id } }, body: { departmentId: null, managerId: null } }));
      expect(cleared).to.include({ departmentId: null, departmentName: null, managerId: null, managerName: null });
    });

    it('equal or higher rank → 403 (HR on HR, HR on admin); admins act on other admins', async () => {
      const hr2 = await createUser(app, { role: 'hr_operations' });
      expectError(await hr.api.PATCH('/users/{userId}', { params: { path: { userId: hr2.id } }, body: { phone: '+1 555 0101' } }), 403, 'PERMISSION_ERROR', [
        'body.phone',
      ]);
      expectError(await hr.api.PATCH('/users/{userId}', { params: { path: { userId: org.admin.id } }, body: { fullName: 'Pwned' } }), 403, 'PERMISSION_ERROR');
      const admin2 = await createUser(app, { role: 'admin' });
      expect(ok(await admin.api.PATCH('/users/{userId}', { params: { path: { userId: admin2.id } }, body: { designation: 'Deputy' } })).designation).to.equal(
        'Deputy',
      );
      // A denied edit of harmless fields only is not audited as update_denied.
      expect(await auditRows(app, hr2.id, { action: 'user.update_denied' })).to.deep.equal([]);
      expect(await auditRows(app, org.admin.id, { action: 'user.update_denied' })).to.deep.equal([]);
    });

    it('a visible target without users.edit is 403 even for {} (and nothing is audited)', async () => {
      expectError(await manager.api.PATCH('/users/{userId}', { params: { path: { userId: org.employee2.id } }, body: {} }), 403, 'PERMISSION_ERROR', []);
      expect(await auditRows(app, org.employee2.id, { action: 'user.update_denied' })).to.deep.equal([]);
    });

    it('{} on an editable target is a 200 no-op without audit', async () => {
      const target = await createUser(app, { role: 'intern', managerId: org.teamLead.id });
      const before = ok(await admin.api.GET('/users/{userId}', { params: { path: { userId: target.id } } }));
      expect(ok(await admin.api.PATCH('/users/{userId}', { params: { path: { userId: target.id } }, body: {} }))).to.deep.equal(before);
      expect(await auditRows(app, target.id, { action: 'user.updated' })).to.deep.equal([]);
    });

    it('role, status and shiftId are not properties of the body (422)', async () => {
      for (const field of ['role', 'status', 'shiftId']) {
        expectError(
          await admin.api.PATCH('/users/{userId}', { params: { path: { userId: org.employee.id } }, body: { [field]: field === 'shiftId' ? randomUUID() : 'active' } as never }),
          422,
          'VALIDATION_ERROR',
          [`body.${field}`],
        );
      }
    });

    it('email change invalidates pending reset links', async () => {
      const target = await createUser(app, { role: 'employee', managerId: org.teamLead.id });
      ok(await admin.api.POST('/users/{userId}/send-password-reset', { params: { path: { userId: target.id } } }), 202);
      const email = uniqueEmail('moved');
      expect(ok(await admin.api.PATCH('/users/{userId}', { params: { path: { userId: target.id } }, body: { email: email.toUpperCase() } })).email).to.equal(email);
      const { rows } = await app.sql.query(`SELECT invalidated_at FROM password_reset_tokens WHERE user_id = $1`, [target.id]);
      expect(rows).to.have.length(1);
      expect(rows[0].invalidated_at).to.be.instanceOf(Date);
    });

    it('email change of an invited user invalidates the old invitation and invites the new address', async () => {
      const created = ok(await admin.api.POST('/users', { body: { email: uniqueEmail('typo'), fullName: 'Typo Person', role: 'employee' } }), 201);
      const email = uniqueEmail('fixed');
      ok(await admin.api.PATCH('/users/{userId}', { params: { path: { userId: created.user.id } }, body: { email } }));
      const { rows } = await app.sql.query(`SELECT invalidated_at FROM account_invitations WHERE user_id = $1 ORDER BY created_at, id`, [created.user.id]);
      expect(rows).to.have.length(2);
      expect(rows.filter((r) => r.invalidated_at === null)).to.have.length(1);
      const { rows: outbox } = await app.sql.query(`SELECT template FROM email_outbox WHERE to_email = $1`, [email]);
      expect(outbox.map((r) => r.template)).to.deep.equal(['account_invitation']);
    });

    it('department must exist and be active (422 body.departmentId)', async () => {
      const inactive = await createDepartment(`Gone ${randomUUID().slice(0, 6)}`, false);
      for (const departmentId of [inactive, randomUUID()]) {
        expectError(await admin.api.PATCH('/users/{userId}', { params: { path: { userId: org.employee.id } }, body: { departmentId } }), 422, 'VALIDATION_ERROR', [
          'body.departmentId',
        ]);
      }
    });

    it('a reporting-line cycle through several levels is refused (the new manager\'s chain is walked)', async () => {
      // boss ← lead ← sublead; making sublead the boss's manager closes a loop two levels down.
      const boss = await createUser(app, { role: 'manager', managerId: org.admin.id });
      const lead = await createUser(app, { role: 'team_lead', managerId: boss.id });
      const sublead = await createUser(app, { role: 'team_lead', managerId: lead.id });
      const error = expectError(
        await admin.api.PATCH('/users/{userId}', { params: { path: { userId: boss.id } }, body: { managerId: sublead.id } }),
        422,
        'VALIDATION_ERROR',
        ['body.managerId'],
      );
      expect(error.details[0]!.message).to.include('cycle');
      expect((await userRow(boss.id)).manager_id).to.equal(org.admin.id);
    });
  });
});
