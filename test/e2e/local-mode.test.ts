/**
 * The real process (`node --import tsx src/main.ts`): local mode with an embedded PostgreSQL (05 §2) — first start,
 * graceful restart, crash recovery — the DATABASE_URL path, and startup refusal of a bad production config (01 §3.4).
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { createApiClient } from '../../generated/sdk/src/index.ts';
import { readMigrations } from '../../src/db/migrate.ts';
import { createEmptyDatabase } from '../helpers/database.ts';
import { TEST_SECRET } from '../helpers/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

type Env = Record<string, string | undefined>;

interface ServerProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The JSON log lines seen on stdout so far. */
  logs(): Record<string, unknown>[];
  /** Resolves with the URL of the `listening` log line; rejects if the process exits first or the deadline passes. */
  listening(deadlineMs: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A clean environment: nothing from the test process leaks in (no DATABASE_URL, APP_ENV, PG*, …). */
function processEnv(env: Env): Record<string, string> {
  const base: Env = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, LANG: 'C.UTF-8' };
  return Object.fromEntries(Object.entries({ ...base, ...env }).filter((e): e is [string, string] => e[1] !== undefined));
}

function startProcess(env: Env): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: processEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const logs: Record<string, unknown>[] = [];
  const waiters = new Set<{ resolve: (url: string) => void; reject: (error: Error) => void }>();
  let url: string | null = null;
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  createInterface({ input: child.stdout! }).on('line', (line) => {
    output += `${line}\n`;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    logs.push(entry);
    if (entry.msg === 'listening' && typeof entry.url === 'string') {
      url = entry.url;
      for (const w of waiters) w.resolve(entry.url);
      waiters.clear();
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      for (const w of waiters) w.reject(new Error(`server exited (code ${code}, signal ${signal}) before listening:\n${output}`));
      waiters.clear();
      resolve(exitInfo);
    });
  });

  return {
    child,
    output: () => output,
    logs: () => logs,
    exited,
    listening(deadlineMs) {
      if (url) return Promise.resolve(url);
      if (exitInfo) return Promise.reject(new Error(`server exited before listening:\n${output}`));
      return new Promise<string>((resolve, reject) => {
        const waiter = {
          resolve: (u: string) => {
            clearTimeout(timer);
            resolve(u);
          },
          reject: (e: Error) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no "listening" line within ${deadlineMs} ms:\n${output}`));
        }, deadlineMs);
        waiters.add(waiter);
      });
    },
  };
}

/** Resolves once the process has exited; SIGKILLs it if it has not within the deadline (then fails). */
async function waitForExit(server: ServerProcess, deadlineMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      server.child.kill('SIGKILL');
      reject(new Error(`process did not exit within ${deadlineMs} ms:\n${server.output()}`));
    }, deadlineMs);
  });
  try {
    return await Promise.race([server.exited, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** True for a live (not zombie) process. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of live processes whose command line mentions `dataDir` (read-only scan, for the final assertion). */
function processesUsing(dataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(dataDir) && isRunning(Number(entry))) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** postmaster.pid: line 1 = pid, line 4 = port. */
function postmaster(pgDir: string): { pid: number; port: number } {
  const lines = readFileSync(path.join(pgDir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

async function embeddedClient(pgDir: string): Promise<pg.Client> {
  const password = (await readFile(path.join(pgDir, 'superuser-password'), 'utf8')).trim();
  const { port } = postmaster(pgDir);
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'workforce' });
  await client.connect();
  return client;
}

async function scratchRows(pgDir: string): Promise<{ id: number; note: string }[]> {
  const client = await embeddedClient(pgDir);
  try {
    return (await client.query<{ id: number; note: string }>('SELECT id, note FROM local_mode_scratch ORDER BY id')).rows;
  } finally {
    await client.end();
  }
}

describe('local mode: embedded PostgreSQL (real process)', function () {
  this.timeout(120_000);

  let dir: string;
  let pgDir: string;
  let server: ServerProcess | null = null;
  /** Every postmaster this test saw, to clean up after a failure midway. */
  const postmasters = new Set<number>();

  const localEnv = (): Env => ({ EMBEDDED_PG_DIR: pgDir, PORT: '0', LOG_LEVEL: 'info' });

  before(async function () {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wf-local-mode-'));
    await chmod(dir, 0o755); // PostgreSQL runs as an unprivileged user when the tests run as root
    pgDir = path.join(dir, 'postgres');
  });

  after(async function () {
    this.timeout(30_000);
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    for (const pid of postmasters) {
      if (!isRunning(pid)) continue;
      process.kill(pid, 'SIGINT');
      const deadline = Date.now() + 10_000;
      while (isRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50)); // cleanup after a failure only
      if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  });

  async function start(): Promise<{ url: string; startedAt: number }> {
    const startedAt = Date.now();
    server = startProcess(localEnv());
    const url = await server.listening(60_000);
    postmasters.add(postmaster(pgDir).pid);
    return { url, startedAt };
  }

  it('starts from nothing, survives a graceful restart and a crash, and leaves no PostgreSQL behind', async function () {
    // --- First start: initdb, migrations, serve — /health within 15 s of spawn.
    const first = await start();
    const health = await createApiClient({ baseUrl: first.url }).GET('/health');
    const elapsed = Date.now() - first.startedAt;
    expect(health.response.status).to.equal(200);
    expect(health.data).to.deep.equal({ status: 'ok' });
    expect(elapsed, 'ms from spawn to a healthy first start').to.be.below(15_000);

    const listening = server!.logs().find((l) => l.msg === 'listening')!;
    expect(listening.localMode).to.equal(true);
    expect(listening.env).to.equal('development');

    // The generated secret key: kept in the data directory, owner-only.
    const keyFile = path.join(dir, 'secret-key');
    expect(existsSync(keyFile), 'secret-key file').to.equal(true);
    expect(statSync(keyFile).mode & 0o777).to.equal(0o600);
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(key.length).to.be.at.least(32);
    expect(server!.output()).not.to.include(key);

    const ready = await createApiClient({ baseUrl: first.url }).GET('/health/ready');
    expect(ready.data).to.deep.equal({ status: 'ready' });

    // Write a row straight into the embedded database.
    const client = await embeddedClient(pgDir);
    try {
      await client.query('CREATE TABLE local_mode_scratch (id int PRIMARY KEY, note text NOT NULL)');
      await client.query(`INSERT INTO local_mode_scratch (id, note) VALUES (1, 'survives restarts')`);
    } finally {
      await client.end();
    }

    // --- Graceful restart: SIGTERM → exit 0 with PostgreSQL stopped; start again → data still there.
    const firstPostmaster = postmaster(pgDir).pid;
    server!.child.kill('SIGTERM');
    const firstExit = await waitForExit(server!, 30_000);
    expect(firstExit, server!.output()).to.deep.equal({ code: 0, signal: null });
    expect(isRunning(firstPostmaster), 'postmaster stopped on graceful shutdown').to.equal(false);

    const second = await start();
    const ready2 = await createApiClient({ baseUrl: second.url }).GET('/health/ready');
    expect(ready2.response.status).to.equal(200);
    expect(ready2.data).to.deep.equal({ status: 'ready' });
    expect(await scratchRows(pgDir)).to.deep.equal([{ id: 1, note: 'survives restarts' }]);
    expect(readFileSync(keyFile, 'utf8').trim(), 'the same secret key after a restart').to.equal(key);

    // --- Crash: SIGKILL the node process; its PostgreSQL is orphaned but keeps running (and holds the lock).
    const orphan = postmaster(pgDir).pid;
    server!.child.kill('SIGKILL');
    const crash = await waitForExit(server!, 10_000);
    expect(crash.signal).to.equal('SIGKILL');
    expect(isRunning(orphan), 'the orphaned postmaster is still running').to.equal(true);

    // …and the next start must still come up: the stale postmaster is stopped and a fresh one started.
    const third = await start();
    const ready3 = await createApiClient({ baseUrl: third.url }).GET('/health/ready');
    expect(ready3.response.status, server!.output()).to.equal(200);
    expect(ready3.data).to.deep.equal({ status: 'ready' });
    expect(await scratchRows(pgDir)).to.deep.equal([{ id: 1, note: 'survives restarts' }]);
    const fresh = postmaster(pgDir).pid;
    expect(fresh).to.not.equal(orphan);
    expect(isRunning(orphan), 'the stale postmaster was stopped').to.equal(false);

    // --- Final graceful stop: nothing of this data directory keeps running.
    server!.child.kill('SIGTERM');
    const lastExit = await waitForExit(server!, 30_000);
    expect(lastExit, server!.output()).to.deep.equal({ code: 0, signal: null });
    expect(isRunning(fresh)).to.equal(false);
    expect(processesUsing(path.join(pgDir, 'pgdata'))).to.deep.equal([]);
    expect(existsSync(path.join(pgDir, 'pgdata', 'postmaster.pid')), 'postmaster.pid removed by a clean shutdown').to.equal(false);
  });
});

describe('DATABASE_URL set: no embedded server (real process)', function () {
  this.timeout(60_000);
  const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
  const database = `wf_dburl_${process.pid}_${Date.now().toString(36)}`;
  let created = false;
  let server: ServerProcess | null = null;

  async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  before(async function () {
    try {
      await admin((c) => c.query('SELECT 1'));
    } catch (error) {
      console.log(`      skipping: no PostgreSQL answers at 127.0.0.1:5432 (${(error as Error).message})`);
      this.skip();
    }
    await admin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(database)} ENCODING 'UTF8' TEMPLATE template0`));
    created = true;
  });

  after(async function () {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    if (created) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(database)} WITH (FORCE)`));
  });

  it('migrates the given database, serves, is ready, and stops cleanly', async function () {
    const databaseUrl = `postgresql://postgres@127.0.0.1:5432/${database}`;
    server = startProcess({ DATABASE_URL: databaseUrl, APP_ENV: 'test', APP_SECRET_KEY: TEST_SECRET, PORT: '0', LOG_LEVEL: 'info' });
    const url = await server.listening(45_000);
    const listening = server.logs().find((l) => l.msg === 'listening')!;
    expect(listening.localMode).to.equal(false);
    expect(listening.env).to.equal('test');

    const ready = await createApiClient({ baseUrl: url }).GET('/health/ready');
    expect(ready.response.status).to.equal(200);
    expect(ready.data).to.deep.equal({ status: 'ready' });

    const expected = (await readMigrations()).map((m) => ({ name: m.name, checksum: m.checksum }));
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations ORDER BY name');
      expect(rows).to.have.length.greaterThan(0);
      expect(rows).to.deep.equal(expected);
    } finally {
      await client.end();
    }

    server.child.kill('SIGTERM');
    expect(await waitForExit(server, 20_000), server.output()).to.deep.equal({ code: 0, signal: null });
  });
});

describe('startup refuses a bad production config (real process)', function () {
  this.timeout(60_000);

  it('exits non-zero before listening, naming APP_SECRET_KEY but never its value', async function () {
    const databaseUrl = await createEmptyDatabase();
    const server = startProcess({
      APP_ENV: 'production',
      APP_SECRET_KEY: 'change-me-in-env',
      DATABASE_URL: databaseUrl,
      FRONTEND_BASE_URL: 'https://app.example.com',
      CORS_ORIGINS: 'https://app.example.com',
      PORT: '0',
      LOG_LEVEL: 'info',
    });
    const exit = await waitForExit(server, 45_000);
    const output = server.output();
    expect(exit.code, output).to.be.a('number').and.not.equal(0);
    expect(output).to.include('APP_SECRET_KEY');
    expect(output).not.to.include('change-me-in-env');
    expect(server.logs().some((l) => l.msg === 'listening'), 'never listened').to.equal(false);
    const fatal = server.logs().find((l) => l.variable === 'APP_SECRET_KEY');
    expect(fatal, `a log line naming the variable:\n${output}`).to.not.equal(undefined);

    // Refused before touching the database: nothing was migrated.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ exists: boolean }>(`SELECT to_regclass('public.schema_migrations') IS NOT NULL AS exists`);
      expect(rows[0]!.exists).to.equal(false);
    } finally {
      await client.end();
    }
  });
});
