/**
 * Permissions (01 §3.3 R1–R2, §3.2 U16–U17, §4.8): the read-only catalogue synced from the code matrix, and
 * per-user overrides — who may edit whose, which keys a non-admin may grant, validation, audit and event, and
 * the effect of overrides on the next request.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { PERMISSIONS, ROLE_PERMISSIONS, ROLES } from '../../src/auth/permissions.ts';
import { createOrg, createUser, signIn, type Org, type Session } from '../helpers/fixtures.ts';
import { startTestApp, type TestApp } from '../helpers/harness.ts';
import { expectError, ok } from '../helpers/expect.ts';
import { auditRows, outboxEvents } from '../helpers/rows.ts';

/** Every catalogued key in code-point order (the API sorts keys byte-wise, independent of the database collation). */
const ALL_KEYS = PERMISSIONS.map((p) => p.key).sort();

describe('permissions (01 §3.3, U16–U17)', function () {
  let app: TestApp;
  let org: Org;
  let admin: Session;
  /** hr_operations granted permissions.manage by an admin: a non-admin holder of the key. */
  let hrManager: Session;

  const path = (userId: string) => ({ params: { path: { userId } } });
  const setOverrides = (s: Session, userId: string, grants: string[], denies: string[] = []) =>
    s.api.PATCH('/users/{userId}/permissions', { ...path(userId), body: { grants, denies } });

  before(async () => {
    app = await startTestApp();
    org = await createOrg(app);
    admin = await signIn(app, org.admin);
    ok(await setOverrides(admin, org.hr.id, ['permissions.manage']));
    hrManager = await signIn(app, org.hr);
  });
  after(() => app.close());

  describe('R1 listPermissions and R2 getRolePermissions', function () {
    it('lists the whole catalogue sorted by key with category and default roles', async () => {
      const page = ok(await admin.api.GET('/permissions', { params: { query: { limit: 200 } } }));
      expect(page.total).to.equal(PERMISSIONS.length);
      expect(page.items.map((p) => p.key)).to.deep.equal(ALL_KEYS);
      const byKey = new Map(page.items.map((p) => [p.key, p]));
      expect(byKey.get('users.suspend')).to.deep.equal({
        key: 'users.suspend',
        description: 'Suspend and unsuspend users',
        category: 'User Management',
        defaultRoles: ['admin'],
      });
      expect(byKey.get('attendance.view_team')!.defaultRoles).to.deep.equal(['admin', 'hr_operations', 'manager', 'team_lead']);
      expect(byKey.get('audit.view')!.category).to.equal('System');
      expect(byKey.get('timelogs.invalidate')!.category).to.equal('Projects & Tasks');
    });

    it('filters by category and pages', async () => {
      const users = ok(await admin.api.GET('/permissions', { params: { query: { category: 'User Management' } } }));
      expect(users.items.map((p) => p.key)).to.deep.equal(ALL_KEYS.filter((key) => key.startsWith('users.')));
      const second = ok(await admin.api.GET('/permissions', { params: { query: { limit: 2, offset: 2 } } }));
      expect(second).to.include({ total: PERMISSIONS.length, limit: 2, offset: 2 });
      expect(second.items.map((p) => p.key)).to.deep.equal(ALL_KEYS.slice(2, 4));
      expectError(await admin.api.GET('/permissions', { params: { query: { category: 'Everything' as never } } }), 422, 'VALIDATION_ERROR', [
        'query.category',
      ]);
    });

    it('returns each role\'s default keys, exactly the code matrix', async () => {
      for (const role of ROLES) {
        const body = ok(await admin.api.GET('/permissions/role/{role}', { params: { path: { role } } }));
        expect(body).to.deep.equal({ role, permissions: [...ROLE_PERMISSIONS[role]].sort() });
      }
    });

    it('needs permissions.manage (a granted override counts)', async () => {
      const employee = await signIn(app, org.employee);
      expectError(await employee.api.GET('/permissions'), 403, 'PERMISSION_ERROR');
      expect(ok(await hrManager.api.GET('/permissions')).total).to.equal(PERMISSIONS.length);
    });
  });

  describe('U16 getUserPermissions', function () {
    it('returns role keys, overrides and the effective set, sorted', async () => {
      const target = await createUser(app, { role: 'employee', managerId: org.teamLead.id });
      ok(await setOverrides(admin, target.id, ['users.view_team', 'alerts.view_team'], ['leave.apply']));
      const body = ok(await admin.api.GET('/users/{userId}/permissions', path(target.id)));
      const role = [...ROLE_PERMISSIONS.employee].sort();
      expect(body).to.deep.equal({
        userId: target.id,
        role: 'employee',
        rolePermissions: role,
        grants: ['alerts.view_team', 'users.view_team'],
        denies: ['leave.apply'],
        effectivePermissions: [...new Set([...role, 'alerts.view_team', 'users.view_team'])].filter((k) => k !== 'leave.apply').sort(),
      });
    });

    it('an admin\'s set is every key', async () => {
      const body = ok(await admin.api.GET('/users/{userId}/permissions', path(org.admin.id)));
      expect(body.effectivePermissions).to.deep.equal(ALL_KEYS);
      expect(body).to.include({ role: 'admin' });
      expect(body.grants).to.deep.equal([]);
    });

    it('unknown and out-of-scope targets are the same 404', async () => {
      const lead = await createUser(app, { role: 'manager', managerId: org.admin.id });
      await app.sql.query(`INSERT INTO user_permission_overrides (user_id, permission_key, granted) VALUES ($1, 'permissions.manage', true)`, [lead.id]);
      const session = await signIn(app, lead);
      const unknown = expectError(await session.api.GET('/users/{userId}/permissions', path(randomUUID())), 404, 'NOT_FOUND');
      const outside = expectError(await session.api.GET('/users/{userId}/permissions', path(org.outsider.id)), 404, 'NOT_FOUND');
      expect({ ...outside, requestId: '' }).to.deep.equal({ ...unknown, requestId: '' });
      const mine = await createUser(app, { role: 'employee', managerId: lead.id });
      expect(ok(await session.api.GET('/users/{userId}/permissions', path(mine.id))).userId).to.equal(mine.id);
    });
  });

  describe('U17 updateUserPermissionOverrides', function () {
    it('replaces the whole set, audits {grants, denies} old → new and announces auth.permissions_changed', async () => {
      const target = await createUser(app, { role: 'team_lead', managerId: org.manager.id });
      ok(await setOverrides(admin, target.id, ['leave.approve'], ['alerts.manage']));
      const replaced = ok(await setOverrides(admin, target.id, ['timelogs.invalidate'], []));
      expect(replaced).to.include({ userId: target.id, role: 'team_lead' });
      expect(replaced.grants).to.deep.equal(['timelogs.invalidate']);
      expect(replaced.denies).to.deep.equal([]);
      expect(replaced.effectivePermissions).to.include('alerts.manage').and.include('timelogs.invalidate').and.not.include('leave.approve');
      const { rows } = await app.sql.query(`SELECT permission_key, granted, created_by_id FROM user_permission_overrides WHERE user_id = $1`, [target.id]);
      expect(rows).to.deep.equal([{ permission_key: 'timelogs.invalidate', granted: true, created_by_id: org.admin.id }]);
      const { rows: audits } = await app.sql.query(
        `SELECT actor_user_id, before, after FROM audit_logs WHERE entity_id = $1 AND action = 'user.permissions_updated' ORDER BY seq`,
        [target.id],
      );
      expect(audits).to.have.length(2);
      expect(audits[1]).to.deep.equal({
        actor_user_id: org.admin.id,
        before: { grants: ['leave.approve'], denies: ['alerts.manage'] },
        after: { grants: ['timelogs.invalidate'], denies: [] },
      });
      const events = await outboxEvents(app, 'auth.permissions_changed', 'userId', target.id);
      expect(events).to.have.length(2);
      expect(events[0].audience_user_ids).to.deep.equal([target.id]);
      expect(events[0].event.payload).to.deep.equal({ userId: target.id, role: 'team_lead' });
    });

    it('the same set again is a 200 without audit or event', async () => {
      const target = await createUser(app, { role: 'employee', managerId: org.teamLead.id });
      ok(await setOverrides(admin, target.id, ['users.view_team']));
      ok(await setOverrides(admin, target.id, ['users.view_team']));
      expect(await auditRows(app, target.id, { action: 'user.permissions_updated' })).to.have.length(1);
    });

    it('takes effect on the next request: a grant widens read scope, a deny narrows it', async () => {
      const target = await createUser(app, { role: 'employee', managerId: org.teamLead.id });
      const session = await signIn(app, target);
      expect(ok(await session.api.GET('/users')).total).to.equal(1);
      ok(await setOverrides(admin, target.id, ['users.view_all']));
      expect(ok(await session.api.GET('/users')).total).to.be.greaterThan(10);
      const lead = await signIn(app, org.teamLead);
      expect(ok(await lead.api.GET('/users')).total).to.be.greaterThan(1);
      ok(await setOverrides(admin, org.teamLead.id, [], ['users.view_team']));
      expect(ok(await lead.api.GET('/users')).items.map((u) => u.id)).to.deep.equal([org.teamLead.id]);
      ok(await setOverrides(admin, org.teamLead.id, []));
    });

    it('nobody edits their own overrides (403)', async () => {
      expectError(await setOverrides(hrManager, org.hr.id, []), 403, 'PERMISSION_ERROR', { message: 'You cannot change your own permissions.' });
    });

    it('a non-admin needs a target below its rank', async () => {
      const hr2 = await createUser(app, { role: 'hr_operations' });
      for (const target of [hr2.id, org.admin.id]) {
        expectError(await setOverrides(hrManager, target, []), 403, 'PERMISSION_ERROR', {
          fields: [],
          message: 'You may only change the permissions of users below your own role.',
        });
      }
    });

    it('a non-admin grants only keys it holds, never admin-only keys; details name each refused grant', async () => {
      const target = await createUser(app, { role: 'employee', managerId: org.teamLead.id });
      const error = expectError(
        await setOverrides(hrManager, target.id, ['users.view_team', 'users.suspend', 'permissions.manage'], []),
        403,
        'PERMISSION_ERROR',
        ['body.grants.1', 'body.grants.2'],
      );
      expect(error.details[1]!.message).to.include('only be granted by an admin');
      const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM user_permission_overrides WHERE user_id = $1`, [target.id]);
      expect(rows[0].n).to.equal(0);
      // Denying is not limited to held keys; granting a held key is fine.
      const body = ok(await setOverrides(hrManager, target.id, ['users.view_team'], ['tasks.create_own']));
      expect(body.grants).to.deep.equal(['users.view_team']);
    });

    it('unknown keys are 422 naming each; a key in both lists is 422; an admin target is 422', async () => {
      const target = await createUser(app, { role: 'employee', managerId: org.teamLead.id });
      const unknown = expectError(await setOverrides(admin, target.id, ['users.view_all', 'users.fly'], ['nothing.here']), 422, 'VALIDATION_ERROR', [
        'body.grants.1',
        'body.denies.0',
      ]);
      expect(unknown.details.map((d) => d.message)).to.deep.equal(['unknown permission key users.fly', 'unknown permission key nothing.here']);
      expectError(await setOverrides(admin, target.id, ['users.view_team'], ['users.view_team']), 422, 'VALIDATION_ERROR', ['body.denies.0']);
      const admin2 = await createUser(app, { role: 'admin' });
      expectError(await setOverrides(admin, admin2.id, [], []), 422, 'VALIDATION_ERROR', ['path.userId']);
    });

    it('the body is strict: both lists required, unique, ≤ 100 keys, key-shaped strings', async () => {
      const target = org.junior.id;
      expectError(await admin.api.PATCH('/users/{userId}/permissions', { ...path(target), body: { grants: [] } as never }), 422, 'VALIDATION_ERROR', ['body.denies']);
      expectError(await setOverrides(admin, target, ['users.view_team', 'users.view_team']), 422, 'VALIDATION_ERROR');
      const letters = (i: number) => String.fromCharCode(97 + (i % 26)) + String.fromCharCode(97 + Math.floor(i / 26));
      expectError(await setOverrides(admin, target, Array.from({ length: 101 }, (_, i) => `a.${letters(i)}`)), 422, 'VALIDATION_ERROR', ['body.grants']);
      expectError(await setOverrides(admin, target, ["users.view_all'; DROP TABLE users; --"]), 422, 'VALIDATION_ERROR', ['body.grants.0']);
    });
  });
});
