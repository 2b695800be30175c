/**
 * `npm run bench`: the performance budgets of 05 §9, measured — not a timed test.
 * Seeds a large organization, starts the API as a separate process (production settings) and a bare `node:http` + `pg`
 * ceiling beside it, drives both with autocannon from this process over loopback, prints a table and writes
 * bench/results.json. Options: --seconds N (10), --connections N (32), --users N (10000), --days N (0: no history).
 * BENCH_DATABASE_URL points it at an existing server (a `workforce_bench_<pid>` database is created and dropped);
 * otherwise an embedded PostgreSQL in a temporary directory is used.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import pg from 'pg';
import { syncPermissions } from '../src/auth/permission-sync.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { createDbPool } from '../src/db/pool.ts';
import { DEMO_PASSWORD, seedOrganization } from '../src/seed/organization.ts';

const root = path.resolve(import.meta.dirname, '..');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 10);
const CONNECTIONS = arg('connections', 32);
const USERS = arg('users', 10_000);
const DAYS = arg('days', 0);

/** Statements GET /attendance/me/today runs after authentication (counted with PostgreSQL's log_statement). */
const ATTENDANCE_TODAY_QUERIES = 7;

interface Row {
  scenario: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  non5xx: number;
  ratioToCeiling?: number;
  budget?: string;
}

const children: ChildProcess[] = [];

/** Spawns `node --import tsx <args>` and resolves with the URL printed by the process once it listens. */
function startProcess(args: string[], env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    const recent: string[] = [];
    let done = false;
    lines.on('line', (line) => {
      if (done) return;
      recent.push(line);
      if (recent.length > 20) recent.shift();
      try {
        const parsed = JSON.parse(line) as { url?: string; msg?: string };
        if (typeof parsed.url === 'string' && (parsed.msg === undefined || parsed.msg === 'listening')) {
          done = true;
          resolve({ url: parsed.url, child });
        }
      } catch {
        // not a JSON line
      }
    });
    child.once('exit', (code) => !done && reject(new Error(`${args.join(' ')} exited with ${code}:\n${recent.join('\n')}`)));
  });
}

async function load(title: string, url: string, headers: Record<string, string> = {}, extra: Partial<autocannon.Options> = {}): Promise<Row> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers, ...extra });
  return {
    scenario: title,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx + result.errors,
    non5xx: result['5xx'] + result.errors,
  };
}

/** Access tokens of `count` distinct active individual contributors, logged in through the API. */
async function loginMany(apiUrl: string, databaseUrl: string, count: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ email: string }>(
    `SELECT email FROM users WHERE status = 'active' AND role IN ('employee', 'junior_employee', 'intern') ORDER BY email LIMIT $1`,
    [count],
  );
  await client.end();
  const tokens: string[] = [];
  // At most 4 in flight: the login:ip limit reserves a slot per attempt in flight (refunded on success), so more
  // than 5 concurrent logins from one address are refused by design.
  for (let i = 0; i < rows.length; i += 4) {
    const batch = await Promise.all(
      rows.slice(i, i + 4).map(async ({ email }) => {
        const response = await fetch(`${apiUrl}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: DEMO_PASSWORD }),
        });
        if (!response.ok) throw new Error(`login of ${email} failed with ${response.status}`);
        return ((await response.json()) as { accessToken: string }).accessToken;
      }),
    );
    tokens.push(...batch);
  }
  return tokens;
}

/** Every connection is one user cycling check-in → break start → break end → check-out. */
function cyclingClients(tokens: string[]) {
  let next = 0;
  return (client: autocannon.Client) => {
    const headers = { authorization: `Bearer ${tokens[next++ % tokens.length]!}`, 'content-type': 'application/json' };
    client.setRequests([
      { method: 'POST', path: '/api/v1/attendance/check-in', headers, body: JSON.stringify({ workMode: 'office' }) },
      { method: 'POST', path: '/api/v1/attendance/breaks/start', headers, body: JSON.stringify({ breakType: 'prayer' }) },
      { method: 'POST', path: '/api/v1/attendance/breaks/end', headers, body: '{}' },
      {
        method: 'POST',
        path: '/api/v1/attendance/check-out',
        headers,
        // A check-out before or after a shift needs a reason; fields that are not needed are ignored (02 §3.1).
        body: JSON.stringify({ earlyCheckoutReason: 'benchmark cycle', afterShiftReason: 'overtime', afterShiftNote: 'benchmark cycle' }),
      },
    ]);
  };
}

const versus = (row: Row, ceiling: Row) => ({ ...row, ratioToCeiling: row.requestsPerSecond / ceiling.requestsPerSecond });

async function main() {
  let embedded: EmbeddedDatabase | null = null;
  let adminUrl = process.env.BENCH_DATABASE_URL;
  if (!adminUrl) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wf-bench-'));
    embedded = await startEmbeddedPostgres({ dir, port: null });
    adminUrl = embedded.connectionString('postgres');
  }
  const dbName = `workforce_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const databaseUrl = dbUrl.toString();
  const rows: Row[] = [];
  try {
    console.log(`seeding ${USERS} users${DAYS ? ` and ${DAYS} days of attendance` : ''}…`);
    await migrate(databaseUrl);
    const pool = await createDbPool(databaseUrl, { statementTimeoutMs: 3_600_000 });
    await syncPermissions(pool);
    const seeded = await seedOrganization(pool, { users: USERS, now: new Date() });
    if (DAYS > 0) {
      const { seedAttendance } = await import('../src/seed/attendance.ts');
      await seedAttendance(pool, { days: DAYS, now: new Date(), orgTimezone: 'UTC' });
    }
    await pool.end();
    const employee = seeded.logins.find((l) => l.role === 'employee')!;

    const startApi = (extra: Record<string, string>) =>
      startProcess(['src/main.ts'], {
        DATABASE_URL: databaseUrl,
        APP_SECRET_KEY: 'bench-secret-key-with-enough-entropy-0123456789',
        FRONTEND_BASE_URL: 'https://bench.example',
        CORS_ORIGINS: 'https://bench.example',
        APP_HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        RATE_LIMIT_PER_USER_PER_MINUTE: '100000000',
        RATE_LIMIT_PER_IP_PER_MINUTE: '100000000',
        ATTENDANCE_MAX_SESSIONS_PER_DAY: '100',
        DB_POOL_SIZE: process.env.BENCH_DB_POOL_SIZE ?? '10',
        ...extra,
      });

    const api = await startApi({ APP_ENV: 'production' });
    const login = await fetch(`${api.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: employee.email, password: DEMO_PASSWORD }),
    });
    const tokens = (await login.json()) as { accessToken: string; user: { id: string } };
    if (!login.ok) throw new Error(`login failed: ${JSON.stringify(tokens)}`);
    const sessionId = (JSON.parse(Buffer.from(tokens.accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
    const auth = { authorization: `Bearer ${tokens.accessToken}` };
    const ceiling = await startProcess(['scripts/bench/ceiling.ts', databaseUrl, tokens.user.id, sessionId], {});

    console.log(`running scenarios (${SECONDS}s each, ${CONNECTIONS} connections)…`);
    const ceilingMe = await load('ceiling: node:http + pg, 2 indexed lookups', `${ceiling.url}/?queries=2`);
    rows.push(ceilingMe);
    const me = versus(await load('GET /api/v1/users/me', `${api.url}/api/v1/users/me`, auth), ceilingMe);
    me.budget = `>= 0.5x ceiling, p99 <= 25 ms: ${me.ratioToCeiling >= 0.5 && me.p99Ms <= 25 ? 'met' : 'NOT met'}`;
    rows.push(me);

    const ceilingToday = await load(
      `ceiling: node:http + pg, ${1 + ATTENDANCE_TODAY_QUERIES} indexed lookups`,
      `${ceiling.url}/?queries=${1 + ATTENDANCE_TODAY_QUERIES}`,
    );
    rows.push(ceilingToday);
    const today = versus(await load('GET /api/v1/attendance/me/today', `${api.url}/api/v1/attendance/me/today`, auth), ceilingToday);
    today.budget = `>= 0.4x ceiling, p99 <= 25 ms: ${today.ratioToCeiling >= 0.4 && today.p99Ms <= 25 ? 'met' : 'NOT met'}`;
    rows.push(today);

    const cyclers = await loginMany(api.url, databaseUrl, 200);
    const cycle = await load('check-in → break → check-out cycle, 200 users at 200 req/s', `${api.url}/api/v1/attendance/check-in`, {}, {
      connections: 200,
      overallRate: 200,
      setupClient: cyclingClients(cyclers),
    });
    cycle.budget = `p99 <= 50 ms, zero 5xx: ${cycle.p99Ms <= 50 && cycle.non5xx === 0 ? 'met' : 'NOT met'}`;
    rows.push(cycle);
    api.child.kill('SIGTERM');

    // Validator cost three ways on one route (05 §9), test-class settings so validation can be switched.
    for (const [label, env] of [
      ['validation off', { VALIDATE_REQUESTS: 'false', VALIDATE_RESPONSES: 'false' }],
      ['requests only', { VALIDATE_REQUESTS: 'true', VALIDATE_RESPONSES: 'false' }],
      ['requests + responses', { VALIDATE_REQUESTS: 'true', VALIDATE_RESPONSES: 'true' }],
    ] as const) {
      const variant = await startApi({ APP_ENV: 'test', ...env });
      rows.push(versus(await load(`GET /api/v1/users/me, ${label}`, `${variant.url}/api/v1/users/me`, auth), ceilingMe));
      variant.child.kill('SIGTERM');
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await embedded?.stop();
  }

  console.log(`\nnode ${process.version}, ${os.cpus().length} cores, ${SECONDS}s × ${CONNECTIONS} connections, ${USERS} users, ${DAYS} days\n`);
  console.log('| scenario | req/s | p50 ms | p99 ms | non-2xx | 5xx | × ceiling | budget |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.scenario} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx} | ${r.non5xx} | ${r.ratioToCeiling?.toFixed(2) ?? '1.00'} | ${r.budget ?? ''} |`,
    );
  }
  mkdirSync(path.join(root, 'bench'), { recursive: true });
  writeFileSync(
    path.join(root, 'bench', 'results.json'),
    `${JSON.stringify({ node: process.version, seconds: SECONDS, connections: CONNECTIONS, users: USERS, days: DAYS, rows }, null, 2)}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});
