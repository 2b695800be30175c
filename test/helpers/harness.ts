/**
 * The real app on port 0 over a fresh database, talked to through the generated SDK with response
 * validation on — every call in a test is also a contract check.
 */
import pg from 'pg';
import { createApiClient, type ApiClient } from '../../generated/sdk/src/index.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { FixedClock, systemClock, type Clock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { createTestDatabase } from './database.ts';

export const TEST_SECRET = 'test-secret-key-that-is-long-enough-0123456789';

export interface TestApp {
  url: string;
  /** The app's own database (a fresh clone of the migrated template). */
  databaseUrl: string;
  config: Config;
  clock: Clock;
  running: RunningServer;
  /** A raw pg client on the app's database, for arranging state and asserting on rows. */
  sql: pg.Client;
  /** An anonymous SDK client. */
  client(options?: { headers?: Record<string, string> }): ApiClient;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Pass a FixedClock to drive time; defaults to the system clock. */
  clock?: Clock;
}

export function testEnv(databaseUrl: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    APP_ENV: 'test',
    DATABASE_URL: databaseUrl,
    APP_SECRET_KEY: TEST_SECRET,
    APP_HOST: '127.0.0.1',
    APP_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  };
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const databaseUrl = await createTestDatabase();
  const config = loadConfig(testEnv(databaseUrl, options.env));
  const clock = options.clock ?? systemClock;
  const running = await startServer({ config, logger: createLogger(config.logLevel), clock, startJobs: false });
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  return {
    url: running.url,
    databaseUrl,
    config,
    clock,
    running,
    sql,
    client: (o = {}) => createApiClient({ baseUrl: running.url, headers: o.headers }),
    async close() {
      await sql.end();
      await running.close();
    },
  };
}

export { FixedClock };
