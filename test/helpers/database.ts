/**
 * One database server per test run: the embedded PostgreSQL (fast mode, throwaway directory) or
 * TEST_DATABASE_URL. A template database is migrated once; every test app gets a fresh clone of it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { syncPermissions } from '../../src/auth/permission-sync.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createDbPool } from '../../src/db/pool.ts';

const RUN_ID = `${process.pid}_${randomBytes(3).toString('hex')}`;
const TEMPLATE = `wf_tmpl_${RUN_ID}`;

let embedded: EmbeddedDatabase | null = null;
let embeddedDir: string | null = null;
let adminUrl: string | null = null;
const created: string[] = [];
let counter = 0;

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl! });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Starts the server (once) and builds the migrated template. */
export async function setupTestDatabaseServer(): Promise<void> {
  if (adminUrl) return;
  if (process.env.TEST_DATABASE_URL) {
    adminUrl = process.env.TEST_DATABASE_URL;
  } else {
    embeddedDir = await mkdtemp(path.join(os.tmpdir(), 'wf-test-pg-'));
    embedded = await startEmbeddedPostgres({ dir: embeddedDir, port: null, fast: true });
    adminUrl = embedded.connectionString('postgres');
  }
  await admin((c) => c.query(`CREATE DATABASE ${TEMPLATE} ENCODING 'UTF8' TEMPLATE template0`));
  created.push(TEMPLATE);
  const templateUrl = withDatabase(adminUrl, TEMPLATE);
  await migrate(templateUrl);
  const pool = await createDbPool(templateUrl, { statementTimeoutMs: 10_000 });
  await syncPermissions(pool);
  await pool.end();
}

/** A fresh database cloned from the migrated template; returns its URL. */
export async function createTestDatabase(): Promise<string> {
  await setupTestDatabaseServer();
  const name = `wf_test_${RUN_ID}_${++counter}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`));
  created.push(name);
  return withDatabase(adminUrl!, name);
}

/** An empty database (no migrations), for migration-runner tests. */
export async function createEmptyDatabase(): Promise<string> {
  await setupTestDatabaseServer();
  const name = `wf_empty_${RUN_ID}_${++counter}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`));
  created.push(name);
  return withDatabase(adminUrl!, name);
}

export async function teardownTestDatabaseServer(): Promise<void> {
  if (!adminUrl) return;
  if (embedded) {
    await embedded.stop();
    await rm(embeddedDir!, { recursive: true, force: true });
  } else {
    await admin(async (c) => {
      for (const name of created.reverse()) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
  }
  adminUrl = null;
}
