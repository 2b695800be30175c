/** `npm run job <name>`: run one periodic job once (under its advisory lock) and print what it did. */
import { createServices } from '../src/app.ts';
import { syncPermissions } from '../src/auth/permission-sync.ts';
import { loadConfig } from '../src/config.ts';
import { ensureDatabase, startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { createDbPool } from '../src/db/pool.ts';
import { systemClock } from '../src/lib/clock.ts';
import { createLogger } from '../src/lib/logger.ts';

const name = process.argv[2];
const config = loadConfig();
const logger = createLogger(config.logLevel);
let url = config.databaseUrl;
const embedded = url ? null : await startEmbeddedPostgres({ dir: config.embeddedPg.dir, port: config.embeddedPg.port });
if (embedded) {
  await ensureDatabase(embedded.connectionString(), 'workforce');
  url = embedded.connectionString('workforce');
}
const db = await createDbPool(url!, { statementTimeoutMs: config.dbStatementTimeoutMs });
try {
  await migrate(url!);
  await syncPermissions(db);
  const { scheduler } = createServices({ config, db, clock: systemClock, logger, secretKey: config.secretKey ?? 'job-runner-does-not-sign-tokens' });
  if (!name || !scheduler.has(name)) {
    console.error(`usage: npm run job <name>; known jobs: ${Object.keys(config.jobs).join(', ')}`);
    process.exitCode = 2;
  } else {
    const outcome = await scheduler.runOnce(name);
    console.log(JSON.stringify({ job: name, ...outcome }));
  }
} finally {
  await db.end();
  await embedded?.stop();
}
