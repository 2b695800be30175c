/**
 * Departments (04 §3.4, §4.6, §5): CRUD with soft deactivation, head eligibility, member visibility, the audit rows
 * and the `department.updated` event, through the generated SDK against the real app.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createOrg, createUser, signInOrg, uniqueName, type Org, type Session } from '../helpers/fixtures.ts';
import { startTestApp, type TestApp } from '../helpers/harness.ts';
import { expectError, ok } from '../helpers/expect.ts';
import { auditRows, outboxEvents } from '../helpers/rows.ts';

describe('departments (04 §3.4)', function () {
  let app: TestApp;
  let org: Org;
  let admin: Session;
  let hr: Session;
  let manager: Session;
  let teamLead: Session;
  let employee: Session;
  async function createDepartment(body: { name: string; description?: string | null; headUserId?: string | null; isActive?: boolean }) {
    return ok(await admin.api.POST('/departments', { body }), 201);
  }

  async function departmentRow(id: string) {
    const { rows } = await app.sql.query(`SELECT name, description, head_user_id, is_active, updated_by_id FROM departments WHERE id = $1`, [id]);
    return rows[0];
  }

  before(async function () {
    app = await startTestApp();
    org = await createOrg(app);
    ({ admin, hr, manager, teamLead, employee } = await signInOrg(app, org));
  });

  after(async function () {
    await app?.close();
  });

  describe('POST /departments', function () {
    it('creates a department (201), trims the name, audits department.created with request metadata and publishes department.updated to the org', async function () {
      const name = uniqueName('Research');
      const { data, response } = await admin.api.POST('/departments', {
        body: { name: `  ${name}  `, description: '  Applied research  ', headUserId: org.manager.id },
        headers: { 'X-Request-Id': 'dept-create-1', 'User-Agent': 'dept-tests/1.0' },
      });
      expect(response.status).to.equal(201);
      expect(data).to.include({ name, description: 'Applied research', headUserId: org.manager.id, headName: org.manager.fullName, isActive: true, memberCount: 0 });
      expect(data!.id).to.match(/^[0-9a-f-]{36}$/);
      expect(data!.createdAt).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

      const audits = await auditRows(app, data!.id, { entityType: 'department' });
      expect(audits).to.have.length(1);
      const audit = audits[0]!;
      expect(audit).to.include({ action: 'department.created', actor_user_id: org.admin.id, entity_label: name, outcome: 'success' });
      expect(audit.before).to.equal(null);
      expect(audit.after).to.deep.equal({ name, description: 'Applied research', headUserId: org.manager.id, isActive: true });
      expect(audit.metadata).to.include({ requestId: 'dept-create-1', userAgent: 'dept-tests/1.0' });
      expect(audit.metadata.ip).to.be.a('string').that.is.not.empty;

      const published = await outboxEvents(app, 'department.updated', 'departmentId', data!.id);
      expect(published).to.have.length(1);
      expect(published[0]!.audience_kind).to.equal('org');
      expect(published[0]!.event.payload).to.deep.equal({ departmentId: data!.id, isActive: true });
    });

    it('lets HR (departments.manage) create a department without head or description', async function () {
      const name = uniqueName('People Ops');
      const { data, response } = await hr.api.POST('/departments', { body: { name } });
      expect(response.status).to.equal(201);
      expect(data).to.include({ name, description: null, headUserId: null, headName: null, isActive: true, memberCount: 0 });
    });

    it('POST /departments by team_lead → 403 PERMISSION_ERROR, nothing created', async function () {
      const name = uniqueName('Shadow');
      const result = await teamLead.api.POST('/departments', { body: { name } });
      expectError(result, 403, 'PERMISSION_ERROR');
      const { rowCount } = await app.sql.query(`SELECT 1 FROM departments WHERE name = $1`, [name]);
      expect(rowCount).to.equal(0);
    });

    it('POST /departments by employee → 403 PERMISSION_ERROR', async function () {
      const name = uniqueName('Nope');
      expectError(await employee.api.POST('/departments', { body: { name } }), 403, 'PERMISSION_ERROR');
      const { rowCount } = await app.sql.query(`SELECT 1 FROM departments WHERE name = $1`, [name]);
      expect(rowCount).to.equal(0);
    });

    it('{"name":"  engineering "} when "Engineering" exists → 409 CONFLICT on body.name', async function () {
      await createDepartment({ name: 'Engineering' });
      const result = await admin.api.POST('/departments', { body: { name: '  engineering ' } });
      const envelope = expectError(result, 409, 'CONFLICT', ['body.name']);
      expect(envelope.message).to.equal('A department with this name already exists.');
      const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM departments WHERE lower(name) = 'engineering'`);
      expect(rows[0].n).to.equal(1);
    });

    it('concurrent creates of one name in different cases: exactly one 201, the others 409 on body.name (the unique-index race never becomes a 500)', async function () {
      const name = uniqueName('Race');
      const variants = [name, name.toUpperCase(), name.toLowerCase(), ` ${name} `, name, name.toUpperCase()];
      const results = await Promise.all(variants.map((n) => admin.api.POST('/departments', { body: { name: n } })));
      expect(results.map((r) => r.response.status).sort()).to.deep.equal([201, 409, 409, 409, 409, 409]);
      for (const result of results.filter((r) => r.response.status === 409)) expectError(result, 409, 'CONFLICT', ['body.name']);
      const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM departments WHERE lower(name) = lower($1)`, [name]);
      expect(rows[0].n).to.equal(1);
    });

    it('{"name":"   "} → 422 VALIDATION_ERROR on body.name', async function () {
      const envelope = expectError(await admin.api.POST('/departments', { body: { name: '   ' } }), 422, 'VALIDATION_ERROR', ['body.name']);
      expect(envelope.details[0]!.message).to.equal('must not be blank');
    });

    it('a name of 101 characters → 422 VALIDATION_ERROR on body.name', async function () {
      expectError(await admin.api.POST('/departments', { body: { name: 'x'.repeat(101) } }), 422, 'VALIDATION_ERROR', ['body.name']);
    });

    it('a name of exactly 100 characters is accepted', async function () {
      const name = `${randomUUID()}${'n'.repeat(64)}`;
      expect(name).to.have.length(100);
      expect((await createDepartment({ name })).name).to.equal(name);
    });

    it('headUserId of an employee → 422 on body.headUserId (management role required)', async function () {
      const envelope = expectError(
        await admin.api.POST('/departments', { body: { name: uniqueName('Ops'), headUserId: org.employee.id } }),
        422,
        'VALIDATION_ERROR',
        ['body.headUserId'],
      );
      expect(envelope.details[0]!.message).to.match(/management role/);
    });

    it('headUserId of a suspended manager → 422 on body.headUserId', async function () {
      const suspended = await createUser(app, { role: 'manager', status: 'suspended', managerId: org.admin.id });
      const envelope = expectError(
        await admin.api.POST('/departments', { body: { name: uniqueName('Ops'), headUserId: suspended.id } }),
        422,
        'VALIDATION_ERROR',
        ['body.headUserId'],
      );
      expect(envelope.details[0]!.message).to.equal('must be an active user');
    });

    it('headUserId of an unknown user → 422 on body.headUserId', async function () {
      const envelope = expectError(
        await admin.api.POST('/departments', { body: { name: uniqueName('Ops'), headUserId: randomUUID() } }),
        422,
        'VALIDATION_ERROR',
        ['body.headUserId'],
      );
      expect(envelope.details[0]!.message).to.equal('must be an existing user');
    });

    it('a team lead is an eligible head', async function () {
      const created = await createDepartment({ name: uniqueName('Platform'), headUserId: org.teamLead.id });
      expect(created.headUserId).to.equal(org.teamLead.id);
    });

    it('an unknown body property → 422 naming body.<property>; a malformed headUserId → 422', async function () {
      expectError(await admin.api.POST('/departments', { body: { name: uniqueName('X'), budget: 5 } as never }), 422, 'VALIDATION_ERROR', ['body.budget']);
      expectError(await admin.api.POST('/departments', { body: { name: uniqueName('X'), headUserId: 'abc' } }), 422, 'VALIDATION_ERROR', ['body.headUserId']);
    });

    it('creating an inactive department is allowed and reported as such', async function () {
      const created = await createDepartment({ name: uniqueName('Dormant'), isActive: false });
      expect(created.isActive).to.equal(false);
      expect((await outboxEvents(app, 'department.updated', 'departmentId', created.id))[0]!.event.payload).to.deep.equal({ departmentId: created.id, isActive: false });
    });
  });

  describe('GET /departments and /departments/{departmentId}', function () {
    let alpha: { id: string; name: string };
    let beta: { id: string; name: string };
    let gamma: { id: string; name: string };
    const tag = `zq${randomUUID().slice(0, 6)}`;

    before(async function () {
      // Names share a tag so the list tests can isolate them with `search`.
      alpha = await createDepartment({ name: `${tag} Alpha`, headUserId: org.manager.id });
      beta = await createDepartment({ name: `${tag} beta_100%` });
      gamma = await createDepartment({ name: `${tag} Gamma`, isActive: false });
      await createUser(app, { role: 'employee', departmentId: alpha.id, managerId: org.teamLead.id });
      await createUser(app, { role: 'employee', departmentId: alpha.id, managerId: org.teamLead.id });
      await createUser(app, { role: 'employee', status: 'suspended', departmentId: alpha.id, managerId: org.teamLead.id });
      await createUser(app, { role: 'intern', status: 'invited', departmentId: alpha.id, managerId: org.teamLead.id });
    });

    it('any authenticated user lists departments, sorted by name (case-insensitive), with memberCount of active members', async function () {
      const { data, response } = await employee.api.GET('/departments', { params: { query: { search: tag } } });
      expect(response.status).to.equal(200);
      expect(data!.total).to.equal(3);
      expect(data!.limit).to.equal(50);
      expect(data!.offset).to.equal(0);
      expect(data!.items.map((d) => d.id)).to.deep.equal([alpha.id, beta.id, gamma.id]);
      expect(data!.items[0]).to.include({ memberCount: 2, headUserId: org.manager.id, headName: org.manager.fullName });
    });

    it('filters by isActive and sorts by -name', async function () {
      const active = await employee.api.GET('/departments', { params: { query: { search: tag, isActive: true, sort: '-name' } } });
      expect(active.data!.items.map((d) => d.id)).to.deep.equal([beta.id, alpha.id]);
      expect(active.data!.total).to.equal(2);
      const inactive = await employee.api.GET('/departments', { params: { query: { search: tag, isActive: false } } });
      expect(inactive.data!.items.map((d) => d.id)).to.deep.equal([gamma.id]);
    });

    it('sorts by createdAt and -createdAt with stable paging (limit/offset, total unchanged)', async function () {
      const asc = await employee.api.GET('/departments', { params: { query: { search: tag, sort: 'createdAt', limit: 2 } } });
      expect(asc.data!.items.map((d) => d.id)).to.deep.equal([alpha.id, beta.id]);
      expect(asc.data!.total).to.equal(3);
      const next = await employee.api.GET('/departments', { params: { query: { search: tag, sort: 'createdAt', limit: 2, offset: 2 } } });
      expect(next.data!.items.map((d) => d.id)).to.deep.equal([gamma.id]);
      expect(next.data).to.include({ total: 3, limit: 2, offset: 2 });
      const desc = await employee.api.GET('/departments', { params: { query: { search: tag, sort: '-createdAt' } } });
      expect(desc.data!.items.map((d) => d.id)).to.deep.equal([gamma.id, beta.id, alpha.id]);
    });

    it('search matches % and _ literally (no wildcards)', async function () {
      const percent = await employee.api.GET('/departments', { params: { query: { search: '_100%' } } });
      expect(percent.data!.items.map((d) => d.id)).to.deep.equal([beta.id]);
      const wildcard = await employee.api.GET('/departments', { params: { query: { search: `${tag}%` } } });
      expect(wildcard.data!.total).to.equal(0);
    });

    it('search of 101 characters, limit=201 and an unknown sort → 422', async function () {
      expectError(await employee.api.GET('/departments', { params: { query: { search: 's'.repeat(101) } } }), 422, 'VALIDATION_ERROR', ['query.search']);
      expectError(await employee.api.GET('/departments', { params: { query: { limit: 201 } } }), 422, 'VALIDATION_ERROR', ['query.limit']);
      expectError(await employee.api.GET('/departments', { params: { query: { sort: 'headName' as never } } }), 422, 'VALIDATION_ERROR', ['query.sort']);
    });

    it('GET /departments/{id} answers any authenticated user, inactive departments included', async function () {
      const { data, response } = await employee.api.GET('/departments/{departmentId}', { params: { path: { departmentId: gamma.id } } });
      expect(response.status).to.equal(200);
      expect(data).to.include({ id: gamma.id, name: gamma.name, isActive: false, memberCount: 0 });
    });

    it('GET /departments/{unknown} → 404 NOT_FOUND; a malformed id → 422 on path.departmentId', async function () {
      expectError(await employee.api.GET('/departments/{departmentId}', { params: { path: { departmentId: randomUUID() } } }), 404, 'NOT_FOUND');
      expectError(await employee.api.GET('/departments/{departmentId}', { params: { path: { departmentId: 'abc' } } }), 422, 'VALIDATION_ERROR', ['path.departmentId']);
    });

    it('without a token → 401 AUTH_ERROR', async function () {
      expectError(await app.client().GET('/departments'), 401, 'AUTH_ERROR');
    });
  });

  describe('PATCH /departments/{departmentId}', function () {
    it('changes name, description and head; audits department.updated with before/after of the changed fields only', async function () {
      const original = await createDepartment({ name: uniqueName('Support'), description: 'Tier 1' });
      const name = uniqueName('Customer Care');
      const { data, response } = await admin.api.PATCH('/departments/{departmentId}', {
        params: { path: { departmentId: original.id } },
        body: { name: ` ${name} `, description: 'Tier 1', headUserId: org.teamLead.id },
        headers: { 'X-Request-Id': 'dept-patch-1' },
      });
      expect(response.status).to.equal(200);
      expect(data).to.include({ id: original.id, name, description: 'Tier 1', headUserId: org.teamLead.id, headName: org.teamLead.fullName });
      const audits = await auditRows(app, original.id, { entityType: 'department' });
      expect(audits.map((a) => a.action)).to.deep.equal(['department.created', 'department.updated']);
      expect(audits[1]!.before).to.deep.equal({ name: original.name, headUserId: null });
      expect(audits[1]!.after).to.deep.equal({ name, headUserId: org.teamLead.id });
      expect(audits[1]!.entity_label).to.equal(name);
      expect(audits[1]!.metadata).to.include({ requestId: 'dept-patch-1' });
      expect(await outboxEvents(app, 'department.updated', 'departmentId', original.id)).to.have.length(2);
      expect((await departmentRow(original.id)).updated_by_id).to.equal(org.admin.id);
    });

    it('headUserId null clears the head; an empty description becomes null', async function () {
      const original = await createDepartment({ name: uniqueName('Legal'), description: 'Contracts', headUserId: org.manager.id });
      const { data } = await hr.api.PATCH('/departments/{departmentId}', {
        params: { path: { departmentId: original.id } },
        body: { headUserId: null, description: '   ' },
      });
      expect(data).to.include({ headUserId: null, headName: null, description: null });
      const audits = await auditRows(app, original.id, { entityType: 'department' });
      expect(audits[1]!.before).to.deep.equal({ description: 'Contracts', headUserId: org.manager.id });
      expect(audits[1]!.after).to.deep.equal({ description: null, headUserId: null });
    });

    it('a PATCH that changes nothing → 200 without audit or event', async function () {
      const original = await createDepartment({ name: uniqueName('Quiet'), description: 'Same' });
      const { data, response } = await admin.api.PATCH('/departments/{departmentId}', {
        params: { path: { departmentId: original.id } },
        body: { name: original.name, description: 'Same', isActive: true },
      });
      expect(response.status).to.equal(200);
      expect(data).to.deep.equal(original);
      expect(await auditRows(app, original.id, { entityType: 'department' })).to.have.length(1);
      expect(await outboxEvents(app, 'department.updated', 'departmentId', original.id)).to.have.length(1);
    });

    it('an empty body → 422', async function () {
      const original = await createDepartment({ name: uniqueName('Empty') });
      const envelope = expectError(await admin.api.PATCH('/departments/{departmentId}', { params: { path: { departmentId: original.id } }, body: {} }), 422, 'VALIDATION_ERROR', [
        'body',
      ]);
      expect(envelope.details[0]!.message).to.equal('must NOT have fewer than 1 properties');
      expect(await auditRows(app, original.id, { entityType: 'department' })).to.have.length(1);
    });

    it('renaming to another department\'s name in another case → 409; changing only the case of its own name → 200', async function () {
      const taken = await createDepartment({ name: uniqueName('Finance') });
      const other = await createDepartment({ name: uniqueName('Treasury') });
      expectError(
        await admin.api.PATCH('/departments/{departmentId}', { params: { path: { departmentId: other.id } }, body: { name: `  ${taken.name.toUpperCase()}` } }),
        409,
        'CONFLICT',
        ['body.name'],
      );
      expect((await departmentRow(other.id)).name).to.equal(other.name);
      const recased = await admin.api.PATCH('/departments/{departmentId}', { params: { path: { departmentId: other.id } }, body: { name: other.name.toUpperCase() } });
      expect(recased.response.status).to.equal(200);
      expect(recased.data!.name).to.equal(other.name.toUpperCase());
    });

    it('a blank name or an ineligible head → 422, nothing changes', async function () {
      const original = await createDepartment({ name: uniqueName('Stable'), headUserId: org.manager.id });
      expectError(await admin.api.PATCH('/departments/{departmentId}', { params: { path: { departmentId: original.id } }, body: { name: ' \t ' } }), 422, 'VALIDATION_ERROR', ['body.name']);
      expectError(
        await admin.api.PATCH('/departments/{departmentId}', { params: { path: { departmentId: original.id } }, body: { headUserId: org.intern.id } }),
        422,
        'VALIDATION_ERROR',
        ['body.headUserId'],
      );
      expect(await departmentRow(original.id)).to.include({ name: original.name, head_user_id: org.manager.id });
      expect(await auditRows(app, original.id, { entityType: 'department' })).to.have.length(1);
    });

    it('PATCH {"isActive":false} with one active member → 409 CONFLICT, nothing changes, no audit', async function () {
      const original = await createDepartment({ name: uniqueName('Busy') });
      await createUser(app, { role: 'employee', departmentId: original.id, managerId: org.teamLead.id });
      const envelope = expectError(
        await admin.api.PATCH('/departments/{departmentId}', { params: { path: { departmentId: original.id } }, body: { isActive: false } }),
        409,
        'CONFLICT',
        ['body.isActive'],
      );
      expect(envelope.details[0]!.message).to.equal('1 member(s) whose status is not inactive');
      expect((await departmentRow(original.id)).is_active).to.equal(true);
      expect(await auditRows(app, original.id, { entityType: 'department' })).to.have.length(1);
    });

    it('a suspended or invited member also blocks deactivation (status ≠ inactive) → 409', async function () {
      const original = await createDepartment({ name: uniqueName('Paused') });
      await createUser(app, { role: 'employee', status: 'suspended', departmentId: original.id, managerId: org.teamLead.id });
      await createUser(app, { role: 'employee', status: 'invited', departmentId: original.id, managerId: org.teamLead.id });
      const envelope = expectError(
        await admin.api.PATCH('/departments/{departmentId}', { params: { path: { departmentId: original.id } }, body: { isActive: false } }),
        409,
        'CONFLICT',
        ['body.isActive'],
      );
      expect(envelope.details[0]!.message).to.equal('2 member(s) whose status is not inactive');
      expect((await departmentRow(original.id)).is_active).to.equal(true);
      expect(await auditRows(app, original.id, { entityType: 'department' })).to.have.length(1);
    });

    it('deactivates via PATCH when only inactive members remain (department.deactivated), then reactivates (department.reactivated)', async function () {
      const original = await createDepartment({ name: uniqueName('Seasonal') });
      await createUser(app, { role: 'employee', status: 'inactive', departmentId: original.id, managerId: org.teamLead.id });
      const off = await admin.api.PATCH('/departments/{departmentId}', { params: { path: { departmentId: original.id } }, body: { isActive: false } });
      expect(off.response.status).to.equal(200);
      expect(off.data!.isActive).to.equal(false);
      const on = await admin.api.PATCH('/departments/{departmentId}', {
        params: { path: { departmentId: original.id } },
        body: { isActive: true, description: 'Back for the season' },
      });
      expect(on.data).to.include({ isActive: true, description: 'Back for the season' });
      const audits = await auditRows(app, original.id, { entityType: 'department' });
      expect(audits.map((a) => a.action)).to.deep.equal(['department.created', 'department.deactivated', 'department.reactivated']);
      expect(audits[1]!.before).to.deep.equal({ isActive: true });
      expect(audits[1]!.after).to.deep.equal({ isActive: false });
      expect(audits[2]!.before).to.deep.equal({ description: null, isActive: false });
      expect(audits[2]!.after).to.deep.equal({ description: 'Back for the season', isActive: true });
      const published = await outboxEvents(app, 'department.updated', 'departmentId', original.id);
      expect(published.map((e) => e.event.payload.isActive)).to.deep.equal([true, false, true]);
    });

    it('PATCH by a manager (no departments.manage) → 403; unknown id → 404', async function () {
      const original = await createDepartment({ name: uniqueName('Guarded') });
      expectError(await manager.api.PATCH('/departments/{departmentId}', { params: { path: { departmentId: original.id } }, body: { name: 'Mine' } }), 403, 'PERMISSION_ERROR');
      expectError(await admin.api.PATCH('/departments/{departmentId}', { params: { path: { departmentId: randomUUID() } }, body: { name: 'Ghost' } }), 404, 'NOT_FOUND');
    });
  });

  describe('DELETE /departments/{departmentId}', function () {
    it('DELETE with one active member → 409 CONFLICT, still active', async function () {
      const original = await createDepartment({ name: uniqueName('Staffed') });
      await createUser(app, { role: 'employee', departmentId: original.id, managerId: org.teamLead.id });
      expectError(await admin.api.DELETE('/departments/{departmentId}', { params: { path: { departmentId: original.id } } }), 409, 'CONFLICT', ['path.departmentId']);
      expect((await departmentRow(original.id)).is_active).to.equal(true);
      expect(await auditRows(app, original.id, { entityType: 'department' })).to.have.length(1);
    });

    it('soft-deletes (row kept, isActive false), audits department.deactivated and publishes department.updated', async function () {
      const original = await createDepartment({ name: uniqueName('Sunset') });
      await createUser(app, { role: 'employee', status: 'inactive', departmentId: original.id, managerId: org.teamLead.id });
      const { data, response } = await hr.api.DELETE('/departments/{departmentId}', { params: { path: { departmentId: original.id } } });
      expect(response.status).to.equal(200);
      expect(data).to.include({ id: original.id, isActive: false });
      expect(await departmentRow(original.id)).to.include({ is_active: false, updated_by_id: org.hr.id });
      const audits = await auditRows(app, original.id, { entityType: 'department' });
      expect(audits.map((a) => a.action)).to.deep.equal(['department.created', 'department.deactivated']);
      expect(audits[1]).to.deep.include({ actor_user_id: org.hr.id, before: { isActive: true }, after: { isActive: false } });
      expect((await outboxEvents(app, 'department.updated', 'departmentId', original.id)).map((e) => e.event.payload)).to.deep.equal([
        { departmentId: original.id, isActive: true },
        { departmentId: original.id, isActive: false },
      ]);
    });

    it('DELETE of an already inactive department → 200 unchanged, no audit, no event', async function () {
      const original = await createDepartment({ name: uniqueName('Gone'), isActive: false });
      const first = await admin.api.DELETE('/departments/{departmentId}', { params: { path: { departmentId: original.id } } });
      expect(first.response.status).to.equal(200);
      expect(first.data).to.deep.equal(original);
      expect(await auditRows(app, original.id, { entityType: 'department' })).to.have.length(1);
      expect(await outboxEvents(app, 'department.updated', 'departmentId', original.id)).to.have.length(1);
    });

    it('DELETE by team_lead → 403; unknown id → 404', async function () {
      const original = await createDepartment({ name: uniqueName('Locked') });
      expectError(await teamLead.api.DELETE('/departments/{departmentId}', { params: { path: { departmentId: original.id } } }), 403, 'PERMISSION_ERROR');
      expectError(await admin.api.DELETE('/departments/{departmentId}', { params: { path: { departmentId: randomUUID() } } }), 404, 'NOT_FOUND');
    });
  });

  describe('GET /departments/{departmentId}/members', function () {
    let dept: { id: string };
    let closed: { id: string };
    const members: Record<string, { id: string; fullName: string }> = {};

    let shiftName: string;

    before(async function () {
      dept = await createDepartment({ name: uniqueName('Design') });
      closed = await createDepartment({ name: uniqueName('Archive') });
      members.ada = await createUser(app, { role: 'employee', fullName: 'Ada Active', departmentId: dept.id, managerId: org.teamLead.id, designation: 'Designer' });
      members.bob = await createUser(app, { role: 'team_lead', fullName: 'bob Active', departmentId: dept.id, managerId: org.manager.id });
      members.sue = await createUser(app, { role: 'employee', fullName: 'Sue Suspended', status: 'suspended', departmentId: dept.id, managerId: org.teamLead.id });
      members.ivy = await createUser(app, { role: 'intern', fullName: 'Ivy Invited', status: 'invited', departmentId: dept.id, managerId: org.teamLead.id });
      members.old = await createUser(app, { role: 'employee', fullName: 'Old Inactive', status: 'inactive', departmentId: closed.id, managerId: org.teamLead.id });
      await app.sql.query(`UPDATE users SET phone = '+15550100' WHERE department_id = $1`, [dept.id]);
      await app.sql.query(`UPDATE departments SET is_active = false WHERE id = $1`, [closed.id]);
      const { rows } = await app.sql.query<{ id: string }>(
        `INSERT INTO shifts (name, start_time, end_time, timezone) VALUES ($1, '09:00', '17:00', 'UTC') RETURNING id`,
        [uniqueName('Morning')],
      );
      await app.sql.query(`UPDATE users SET shift_id = $1 WHERE id = $2`, [rows[0]!.id, members.ada!.id]);
      shiftName = (await app.sql.query<{ name: string }>(`SELECT name FROM shifts WHERE id = $1`, [rows[0]!.id])).rows[0]!.name;
    });

    it('an employee sees the active members only, ordered by full name, without status, email or phone', async function () {
      const { data, response } = await employee.api.GET('/departments/{departmentId}/members', { params: { path: { departmentId: dept.id } } });
      expect(response.status).to.equal(200);
      expect(data).to.include({ total: 2, limit: 50, offset: 0 });
      expect(data!.items).to.deep.equal([
        { id: members.ada!.id, fullName: 'Ada Active', role: 'employee', designation: 'Designer', managerName: org.teamLead.fullName, shiftName },
        { id: members.bob!.id, fullName: 'bob Active', role: 'team_lead', designation: null, managerName: org.manager.fullName, shiftName: null },
      ]);
    });

    it('holders of departments.manage or users.view_all see every member with status (never email/phone)', async function () {
      for (const session of [admin, hr]) {
        const { data } = await session.api.GET('/departments/{departmentId}/members', { params: { path: { departmentId: dept.id } } });
        expect(data!.total).to.equal(4);
        expect(data!.items.map((m) => [m.fullName, m.status])).to.deep.equal([
          ['Ada Active', 'active'],
          ['bob Active', 'active'],
          ['Ivy Invited', 'invited'],
          ['Sue Suspended', 'suspended'],
        ]);
        for (const item of data!.items) expect(item).to.not.have.any.keys('email', 'phone');
      }
    });

    it('pages members with limit/offset and a stable total', async function () {
      const { data } = await admin.api.GET('/departments/{departmentId}/members', { params: { path: { departmentId: dept.id }, query: { limit: 3, offset: 3 } } });
      expect(data).to.include({ total: 4, limit: 3, offset: 3 });
      expect(data!.items.map((m) => m.fullName)).to.deep.equal(['Sue Suspended']);
    });

    it('GET /departments/{inactive id}/members as employee → 404 NOT_FOUND', async function () {
      const envelope = expectError(await employee.api.GET('/departments/{departmentId}/members', { params: { path: { departmentId: closed.id } } }), 404, 'NOT_FOUND');
      expect(envelope.message).to.equal('Resource not found.');
    });

    it('a manager (users.view_team only) is treated like an employee: inactive department → 404', async function () {
      const envelope = expectError(await manager.api.GET('/departments/{departmentId}/members', { params: { path: { departmentId: closed.id } } }), 404, 'NOT_FOUND');
      expect(envelope.message).to.equal('Resource not found.');
      expect(envelope.details).to.deep.equal([]);
    });

    it('admin sees the members of an inactive department, inactive members included', async function () {
      const { data } = await admin.api.GET('/departments/{departmentId}/members', { params: { path: { departmentId: closed.id } } });
      expect(data!.items.map((m) => [m.id, m.status])).to.deep.equal([[members.old!.id, 'inactive']]);
    });

    it('unknown department → 404 with the same body as an inactive one', async function () {
      const unknown = expectError(await employee.api.GET('/departments/{departmentId}/members', { params: { path: { departmentId: randomUUID() } } }), 404, 'NOT_FOUND');
      expect(unknown.message).to.equal('Resource not found.');
      expect(unknown.details).to.deep.equal([]);
    });
  });
});
