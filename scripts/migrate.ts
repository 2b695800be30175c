/** `npm run migrate`: apply pending migrations to DATABASE_URL (or the local-mode embedded database) and exit. */
import { loadConfig } from '../src/config.ts';
import { ensureDatabase, startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';

const config = loadConfig();
let url = config.databaseUrl;
const embedded = url ? null : await startEmbeddedPostgres({ dir: config.embeddedPg.dir, port: config.embeddedPg.port });
if (embedded) {
  await ensureDatabase(embedded.connectionString(), 'workforce');
  url = embedded.connectionString('workforce');
}
try {
  const applied = await migrate(url!);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'nothing to apply');
} finally {
  await embedded?.stop();
}
