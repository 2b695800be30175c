/**
 * Bootstrap admin (01 §3.4, §6 item 12; 05 §2): runs at every start, creates an admin only when no active admin
 * exists, and never rewrites an existing user's password, name, role or status. The local-mode first admin is
 * tested on the function itself against a test database (starting a real embedded PostgreSQL is covered by the
 * local-mode suite).
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { createApiClient } from '../../generated/sdk/src/index.ts';
import { bootstrapAdmin, CREDENTIALS_FILE, LOCAL_ADMIN_EMAIL } from '../../src/auth/bootstrap.ts';
import { passwordPolicyViolation } from '../../src/auth/password-policy.ts';
import { verifyPassword } from '../../src/auth/passwords.ts';
import { ConfigError, loadConfig, type Config } from '../../src/config.ts';
import { createDbPool, type Db } from '../../src/db/pool.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { startServer } from '../../src/server.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { createUser } from '../helpers/fixtures.ts';
import { startTestApp, testEnv, type TestApp } from '../helpers/harness.ts';

const ENV = { RATE_LIMIT_PER_IP_PER_MINUTE: '100000' };
const BOOT_EMAIL = 'boot.admin@example.com';
const BOOT_PASSWORD = 'Bootstrap-Passphrase-2024';
const CHANGED_PASSWORD = 'Changed-In-The-UI-Passphrase-7';

interface UserRow {
  id: string;
  email: string;
  full_name: string;
  role: string;
  status: string;
  password_hash: string | null;
  created_by_id: string | null;
}

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('bootstrap admin at server start (BOOTSTRAP_ADMIN_*)', function () {
  let app: TestApp;

  before(async function () {
    app = await startTestApp({ env: { ...ENV, BOOTSTRAP_ADMIN_EMAIL: BOOT_EMAIL.toUpperCase(), BOOTSTRAP_ADMIN_PASSWORD: BOOT_PASSWORD, BOOTSTRAP_ADMIN_NAME: 'Boot Admin' } });
  });

  after(async function () {
    await app?.close();
  });

  const users = async (email = BOOT_EMAIL) => (await app.sql.query<UserRow>('SELECT id, email, full_name, role, status, password_hash, created_by_id FROM users WHERE email = $1', [email])).rows;

  it('creates the configured admin once: active, lower-cased email, BOOTSTRAP_ADMIN_NAME, created_by null, audit user.bootstrapped (actor null)', async function () {
    const rows = await users();
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ email: BOOT_EMAIL, full_name: 'Boot Admin', role: 'admin', status: 'active', created_by_id: null });
    const { rows: audits } = await app.sql.query<{ actor_user_id: string | null; after: unknown }>(
      `SELECT actor_user_id, after FROM audit_logs WHERE action = 'user.bootstrapped' AND entity_id = $1`,
      [rows[0]!.id],
    );
    expect(audits).to.deep.equal([{ actor_user_id: null, after: { email: BOOT_EMAIL, role: 'admin' } }]);
    const { response, data } = await app.client().POST('/auth/login', { body: { email: BOOT_EMAIL, password: BOOT_PASSWORD } });
    expect(response.status).to.equal(200);
    expect(data!.user.role).to.equal('admin');
  });

  it('never rewrites: a password changed through A9 survives a restart with the same BOOTSTRAP_ADMIN_PASSWORD', async function () {
    const login = await app.client().POST('/auth/login', { body: { email: BOOT_EMAIL, password: BOOT_PASSWORD } });
    const api = createApiClient({ baseUrl: app.url, autoRefresh: false, headers: { Authorization: `Bearer ${login.data!.accessToken}` } });
    const changed = await api.POST('/users/me/change-password', { body: { currentPassword: BOOT_PASSWORD, newPassword: CHANGED_PASSWORD, confirmPassword: CHANGED_PASSWORD } });
    expect(changed.response.status).to.equal(204);
    const before = await users();

    const restarted = await startServer({ config: app.config, logger: createLogger('silent'), startJobs: false });
    try {
      const client = createApiClient({ baseUrl: restarted.url });
      expect((await client.POST('/auth/login', { body: { email: BOOT_EMAIL, password: CHANGED_PASSWORD } })).response.status).to.equal(200);
      expect((await client.POST('/auth/login', { body: { email: BOOT_EMAIL, password: BOOT_PASSWORD } })).response.status).to.equal(401);
    } finally {
      await restarted.close();
    }
    expect(await users()).to.deep.equal(before);
    const { rows } = await app.sql.query(`SELECT 1 FROM audit_logs WHERE action = 'user.bootstrapped'`);
    expect(rows).to.have.length(1);
  });

  it('an active admin exists → nothing, even when BOOTSTRAP_ADMIN_EMAIL now names another address', async function () {
    const config: Config = { ...app.config, bootstrapAdmin: { email: 'another.admin@example.com', password: BOOT_PASSWORD, name: 'Other' } };
    const outcome = await bootstrapAdmin({ db: app.running.db, config, logger: createLogger('silent'), clock: systemClock, dataDir: os.tmpdir() });
    expect(outcome).to.equal('admin_exists');
    expect(await users('another.admin@example.com')).to.have.length(0);
  });

  it('the configured admin was deactivated (no active admin left) → logs an error and changes nothing', async function () {
    await app.sql.query(`UPDATE users SET status = 'inactive' WHERE email = $1`, [BOOT_EMAIL]);
    const before = await users();
    const { logger, lines } = captureLogger();
    const outcome = await bootstrapAdmin({ db: app.running.db, config: app.config, logger, clock: systemClock, dataDir: os.tmpdir() });
    expect(outcome).to.equal('email_taken');
    expect(await users()).to.deep.equal(before);
    const error = lines.find((l) => l.level === 50);
    expect(error, JSON.stringify(lines)).to.not.equal(undefined);
    expect(error!.variable).to.equal('BOOTSTRAP_ADMIN_EMAIL');
    expect(JSON.stringify(lines)).to.not.include(BOOT_PASSWORD);
  });
});

describe('bootstrapAdmin() on a fresh database', function () {
  let databaseUrl: string;
  let db: Db;
  let sql: pg.Client;
  let base: Config;
  let dataDir: string;

  beforeEach(async function () {
    databaseUrl = await createTestDatabase();
    db = await createDbPool(databaseUrl, { statementTimeoutMs: 10_000 });
    sql = new pg.Client({ connectionString: databaseUrl });
    await sql.connect();
    base = loadConfig(testEnv(databaseUrl));
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'wf-bootstrap-'));
  });

  afterEach(async function () {
    await sql.end();
    await db.end();
    await rm(dataDir, { recursive: true, force: true });
  });

  const allUsers = async () => (await sql.query<UserRow>('SELECT id, email, full_name, role, status, password_hash, created_by_id FROM users ORDER BY email')).rows;
  /** createUser needs only `sql` and (for sessions) the clock; bootstrap tests never sign in. */
  const fixtureApp = () => ({ sql }) as unknown as TestApp;

  it('an existing user with BOOTSTRAP_ADMIN_EMAIL → logs an error and leaves that user unchanged (no promotion, no new password)', async function () {
    const existing = await createUser(fixtureApp(), { role: 'employee', email: BOOT_EMAIL, fullName: 'Regular Employee' });
    const before = await allUsers();
    const { logger, lines } = captureLogger();
    const config: Config = { ...base, bootstrapAdmin: { email: BOOT_EMAIL, password: BOOT_PASSWORD, name: 'Boot Admin' } };
    expect(await bootstrapAdmin({ db, config, logger, clock: systemClock, dataDir })).to.equal('email_taken');
    expect(await allUsers()).to.deep.equal(before);
    expect(before.find((u) => u.id === existing.id)).to.include({ role: 'employee', full_name: 'Regular Employee' });
    expect(lines.some((l) => l.level === 50 && l.variable === 'BOOTSTRAP_ADMIN_EMAIL')).to.equal(true);
    const { rows } = await sql.query(`SELECT 1 FROM audit_logs WHERE action = 'user.bootstrapped'`);
    expect(rows).to.have.length(0);
  });

  it('a BOOTSTRAP_ADMIN_PASSWORD that fails the policy stops startup with a ConfigError naming the variable, not the value', async function () {
    const config: Config = { ...base, bootstrapAdmin: { email: BOOT_EMAIL, password: 'short-pass', name: 'Boot Admin' } };
    let thrown: unknown;
    try {
      await bootstrapAdmin({ db, config, logger: createLogger('silent'), clock: systemClock, dataDir });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(ConfigError);
    expect((thrown as ConfigError).variable).to.equal('BOOTSTRAP_ADMIN_PASSWORD');
    expect((thrown as Error).message).to.not.include('short-pass');
    expect(await allUsers()).to.have.length(0);
  });

  it('unset outside local mode → a warning, no user', async function () {
    const { logger, lines } = captureLogger();
    expect(await bootstrapAdmin({ db, config: base, logger, clock: systemClock, dataDir })).to.equal('not_configured');
    expect(lines.some((l) => l.level === 40)).to.equal(true);
    expect(await allUsers()).to.have.length(0);
  });

  it('local mode, unset: creates admin@workforce.local with a random 20-character password, printed once and saved 0600; a second call does nothing', async function () {
    const config: Config = { ...base, localMode: true };
    const printed: string[] = [];
    const { logger, lines } = captureLogger();
    expect(await bootstrapAdmin({ db, config, logger, clock: systemClock, dataDir, print: (t) => printed.push(t) })).to.equal('created');

    expect(printed).to.have.length(1);
    const password = /password: (\S+)/.exec(printed[0]!)?.[1];
    expect(password).to.have.length(20);
    expect(passwordPolicyViolation(password!, LOCAL_ADMIN_EMAIL)).to.equal(null);
    expect(printed[0]).to.include(LOCAL_ADMIN_EMAIL);
    expect(printed[0]).to.match(/={20,}/);
    expect(JSON.stringify(lines), 'the password never reaches the JSON log').to.not.include(password!);

    const file = path.join(dataDir, CREDENTIALS_FILE);
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    expect(await readFile(file, 'utf8')).to.equal(`email: ${LOCAL_ADMIN_EMAIL}\npassword: ${password}\n`);

    const [admin] = await allUsers();
    expect(admin).to.include({ email: LOCAL_ADMIN_EMAIL, role: 'admin', status: 'active', created_by_id: null });
    expect(await verifyPassword(admin!.password_hash!, password!)).to.equal(true);
    const { rows: audits } = await sql.query<{ actor_user_id: string | null; after: unknown }>(`SELECT actor_user_id, after FROM audit_logs WHERE action = 'user.bootstrapped'`);
    expect(audits).to.deep.equal([{ actor_user_id: null, after: { email: LOCAL_ADMIN_EMAIL, role: 'admin' } }]);

    const again: string[] = [];
    expect(await bootstrapAdmin({ db, config, logger, clock: systemClock, dataDir, print: (t) => again.push(t) })).to.equal('admin_exists');
    expect(again).to.deep.equal([]);
    expect(await readFile(file, 'utf8')).to.equal(`email: ${LOCAL_ADMIN_EMAIL}\npassword: ${password}\n`);
    expect(await allUsers()).to.deep.equal([admin]);
  });

  it('local mode: an existing, no longer active admin@workforce.local is left unchanged and nothing is printed', async function () {
    await createUser(fixtureApp(), { role: 'admin', status: 'suspended', email: LOCAL_ADMIN_EMAIL, fullName: 'Old Local Admin' });
    const before = await allUsers();
    const printed: string[] = [];
    const outcome = await bootstrapAdmin({ db, config: { ...base, localMode: true }, logger: createLogger('silent'), clock: systemClock, dataDir, print: (t) => printed.push(t) });
    expect(outcome).to.equal('email_taken');
    expect(printed).to.deep.equal([]);
    expect(await allUsers()).to.deep.equal(before);
    let exists = true;
    await stat(path.join(dataDir, CREDENTIALS_FILE)).catch(() => (exists = false));
    expect(exists).to.equal(false);
  });

  it('concurrent starts create exactly one admin', async function () {
    const config: Config = { ...base, bootstrapAdmin: { email: BOOT_EMAIL, password: BOOT_PASSWORD, name: 'Boot Admin' } };
    const outcomes = await Promise.all(
      Array.from({ length: 3 }, () => bootstrapAdmin({ db, config, logger: createLogger('silent'), clock: systemClock, dataDir })),
    );
    expect(outcomes.filter((o) => o === 'created')).to.have.length(1);
    expect(outcomes.filter((o) => o === 'admin_exists')).to.have.length(2);
    expect(await allUsers()).to.have.length(1);
  });
});
