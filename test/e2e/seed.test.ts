/**
 * `npm run seed` (05 §2): the demo organization is deterministic and idempotent, holds every role, a reporting
 * chain four levels deep, department heads and a few non-active accounts; and the demo password logs in.
 */
import { expect } from 'chai';
import pg from 'pg';
import { verifyPassword } from '../../src/auth/passwords.ts';
import { passwordPolicyViolation } from '../../src/auth/password-policy.ts';
import { ROLES } from '../../src/auth/permissions.ts';
import type { Db } from '../../src/db/pool.ts';
import { parseSeedArgs } from '../../src/seed/args.ts';
import { DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, planOrganization, SEED_DEPARTMENTS, seedOrganization } from '../../src/seed/organization.ts';
import { openBareDatabase, type BareDatabase } from '../helpers/fixtures.ts';

const NOW = new Date('2026-03-01T08:00:00.000Z');

describe('seed: demo organization (05 §2)', function () {
  let bare: BareDatabase;
  let db: Db;
  let client: pg.Client;

  before(async function () {
    bare = await openBareDatabase();
    ({ db, client } = bare);
  });

  after(async function () {
    await bare?.close();
  });

  async function counts() {
    const { rows } = await client.query(`
      SELECT (SELECT count(*)::int FROM users WHERE email LIKE '%@${DEMO_EMAIL_DOMAIN}') AS users,
             (SELECT count(*)::int FROM departments) AS departments`);
    return rows[0] as { users: number; departments: number };
  }

  it('loads the default organization, and a second run adds nothing (idempotent)', async function () {
    this.timeout(60_000);
    const first = await seedOrganization(db, { users: 40, now: NOW });
    expect(first.users).to.deep.equal({ created: 40, planned: 40 });
    expect(first.departments).to.deep.equal({ created: 4, total: 4 });
    expect(await counts()).to.deep.equal({ users: 40, departments: 4 });
    const { rows: snapshot } = await client.query(`SELECT id, email, manager_id, department_id, status FROM users ORDER BY email`);

    const second = await seedOrganization(db, { users: 40, now: new Date(NOW.getTime() + 86_400_000) });
    expect(second.users).to.deep.equal({ created: 0, planned: 40 });
    expect(second.departments.created).to.equal(0);
    expect(await counts()).to.deep.equal({ users: 40, departments: 4 });
    const { rows: again } = await client.query(`SELECT id, email, manager_id, department_id, status FROM users ORDER BY email`);
    expect(again).to.deep.equal(snapshot);
  });

  it('has every role, and one active demo login per role whose password is the documented one', async function () {
    const { rows } = await client.query(`SELECT DISTINCT role::text FROM users WHERE email LIKE '%@${DEMO_EMAIL_DOMAIN}'`);
    expect(rows.map((r) => r.role).sort()).to.deep.equal([...ROLES].sort());
    const result = await seedOrganization(db, { users: 40, now: NOW });
    expect(result.logins.map((l) => l.role)).to.deep.equal(['admin', 'hr_operations', 'manager', 'team_lead', 'employee', 'junior_employee', 'intern']);
    expect(result.logins[0]!.email).to.equal(`admin1@${DEMO_EMAIL_DOMAIN}`);
    expect(result.password).to.equal(DEMO_PASSWORD);
    expect(passwordPolicyViolation(DEMO_PASSWORD, result.logins[0]!.email)).to.equal(null);
    const { rows: logins } = await client.query(`SELECT email, status, password_hash FROM users WHERE email = ANY($1)`, [result.logins.map((l) => l.email)]);
    expect(logins).to.have.length(7);
    for (const login of logins) {
      expect(login.status, login.email).to.equal('active');
      expect(await verifyPassword(login.password_hash, DEMO_PASSWORD), login.email).to.equal(true);
    }
  });

  it('has a reporting chain admin → manager → team lead → employee (four levels) with no dangling managers', async function () {
    const { rows } = await client.query(`
      WITH RECURSIVE chain(id, role, depth, path) AS (
        SELECT id, role::text, 1, ARRAY[role::text] FROM users WHERE manager_id IS NULL AND email LIKE '%@${DEMO_EMAIL_DOMAIN}'
        UNION ALL
        SELECT u.id, u.role::text, c.depth + 1, c.path || u.role::text FROM users u JOIN chain c ON u.manager_id = c.id
      )
      SELECT max(depth)::int AS depth, count(*)::int AS reached,
             bool_or(path = ARRAY['admin', 'manager', 'team_lead', 'employee']) AS full_chain,
             bool_or(path = ARRAY['admin', 'manager', 'team_lead', 'intern']) AS intern_chain
      FROM chain`);
    expect(rows[0]).to.deep.equal({ depth: 4, reached: 40, full_chain: true, intern_chain: true });
    const { rows: roots } = await client.query(`SELECT role::text FROM users WHERE manager_id IS NULL AND email LIKE '%@${DEMO_EMAIL_DOMAIN}'`);
    expect(roots).to.deep.equal([{ role: 'admin' }]);
  });

  it('gives every department an active manager as head, and everyone but the admin a department', async function () {
    const { rows } = await client.query(`
      SELECT d.name, u.role::text AS head_role, u.status::text AS head_status, d.is_active
      FROM departments d JOIN users u ON u.id = d.head_user_id ORDER BY d.name`);
    expect(rows.map((r) => r.name)).to.deep.equal(SEED_DEPARTMENTS.map((d) => d.name).sort());
    for (const row of rows) expect(row).to.include({ head_role: 'manager', head_status: 'active', is_active: true });
    const { rows: missing } = await client.query(`SELECT role::text FROM users WHERE department_id IS NULL AND email LIKE '%@${DEMO_EMAIL_DOMAIN}'`);
    expect(missing).to.deep.equal([{ role: 'admin' }]);
  });

  it('includes a few suspended, invited (no password) and inactive accounts', async function () {
    const { rows } = await client.query(`
      SELECT status::text, count(*)::int AS n, count(password_hash)::int AS with_password
      FROM users WHERE email LIKE '%@${DEMO_EMAIL_DOMAIN}' AND status <> 'active' GROUP BY status ORDER BY status`);
    expect(rows.map((r) => r.status)).to.deep.equal(['inactive', 'invited', 'suspended']);
    for (const row of rows) expect(row.n, row.status).to.be.within(1, 4);
    expect(rows.find((r) => r.status === 'invited')!.with_password).to.equal(0);
  });

  it('scales with --users: a larger run adds only the new people and keeps the chain', async function () {
    this.timeout(60_000);
    const result = await seedOrganization(db, { users: 250, now: NOW });
    expect(result.users).to.deep.equal({ created: 210, planned: 250 });
    expect((await counts()).users).to.equal(250);
    const { rows } = await client.query(`SELECT count(*)::int AS orphans FROM users WHERE manager_id IS NULL AND role <> 'admin' AND email LIKE '%@${DEMO_EMAIL_DOMAIN}'`);
    expect(rows[0].orphans).to.equal(0);
  });

  it('is deterministic: the plan for a size is always the same people', function () {
    expect(planOrganization(40)).to.deep.equal(planOrganization(40));
    const emails = planOrganization(1000).map((p) => p.email);
    expect(new Set(emails).size).to.equal(1000);
  });

  it('refuses sizes outside 20..100000 and parses --users N / --users=N', function () {
    expect(() => planOrganization(19)).to.throw(RangeError);
    expect(parseSeedArgs([])).to.deep.equal({ users: 40, days: 60 });
    expect(parseSeedArgs(['--users', '120'])).to.deep.equal({ users: 120, days: 60 });
    expect(parseSeedArgs(['--users=75'])).to.deep.equal({ users: 75, days: 60 });
    expect(() => parseSeedArgs(['--users', 'many'])).to.throw(/whole number/);
    expect(() => parseSeedArgs(['--users', '5'])).to.throw(/from 20/);
    expect(() => parseSeedArgs(['--colour'])).to.throw(/unknown argument --colour/);
  });
});
