/**
 * Startup sequence (01 §3.4, 05 §2): config → database (embedded in local mode) → migrations → permission
 * sync → bootstrap admin → serve; and graceful shutdown (05 §10). `main.ts` only calls this and wires signals.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp, createServices, type Services } from './app.ts';
import { bootstrapAdmin } from './auth/bootstrap.ts';
import { syncPermissions } from './auth/permission-sync.ts';
import type { Config } from './config.ts';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { createDbPool, type Db } from './db/pool.ts';
import { requestScopedPool } from './db/request-scope.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import type { Logger } from './lib/logger.ts';

export interface RunningServer {
  url: string;
  server: http.Server;
  db: Db;
  services: Services;
  /** Graceful: stop accepting, finish in-flight requests (≤ 10 s), stop jobs, close the pool and the embedded server. */
  close: () => Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Overrides config.databaseUrl (tests hand in a fresh database). */
  databaseUrl?: string;
  /** Run the periodic jobs (default true; tests run jobs explicitly with `services.scheduler.runOnce`). */
  startJobs?: boolean;
}

/** The local-mode data directory: `.data/` by default (the parent of EMBEDDED_PG_DIR). */
const dataDirOf = (config: Config) => path.dirname(path.resolve(config.embeddedPg.dir));

/** APP_SECRET_KEY, else (local mode) a key generated once and kept 0600 in the data directory, else (dev/test) a per-process key. */
async function resolveSecretKey(config: Config, logger: Logger): Promise<string> {
  if (config.secretKey) return config.secretKey;
  if (config.localMode) {
    const file = path.join(dataDirOf(config), 'secret-key');
    if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
    const key = randomBytes(48).toString('base64url');
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, key, { mode: 0o600 });
    return key;
  }
  if (config.isNonProduction) {
    logger.warn('APP_SECRET_KEY is not set; using a random per-process key (tokens die with the process)');
    return randomBytes(48).toString('base64url');
  }
  throw new Error('Invalid configuration: APP_SECRET_KEY is required');
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;

  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = options.databaseUrl ?? config.databaseUrl;
  if (!databaseUrl) {
    logger.info({ dir: config.embeddedPg.dir }, 'local mode: starting embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dir: config.embeddedPg.dir, port: config.embeddedPg.port, log: (m) => logger.debug({ postgres: m.trim() }) });
    await ensureDatabase(embedded.connectionString(), 'workforce');
    databaseUrl = embedded.connectionString('workforce');
  }

  let db: Db | null = null;
  try {
    const applied = await migrate(databaseUrl);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    db = requestScopedPool(await createDbPool(databaseUrl, { statementTimeoutMs: config.dbStatementTimeoutMs, maximumPoolSize: config.dbPoolSize }));
    await syncPermissions(db);
    await bootstrapAdmin({ db, config, logger, clock, dataDir: dataDirOf(config) });
    const secretKey = await resolveSecretKey(config, logger);
    const deps = { config, db, clock, logger, secretKey };
    const services = createServices(deps);
    const { app } = createApp(deps, services);

    const server = http.createServer(app);
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    if (options.startJobs !== false) services.scheduler.start(config.jobs);
    const { port } = server.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;

    let closing: Promise<void> | null = null;
    const pool = db;
    const close = () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => {
            server.closeAllConnections();
            resolve();
          }, 10_000);
          force.unref();
          server.close(() => {
            clearTimeout(force);
            resolve();
          });
          server.closeIdleConnections();
        });
        await services.scheduler.stop();
        await pool.end();
        await embedded?.stop();
      })());

    return { url: `http://${host}:${port}`, server, db, services, close };
  } catch (error) {
    await db?.end().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}
