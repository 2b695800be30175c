/** Loaded first by mocha (.mocharc `file`): one database server for the whole run. */
import { setupTestDatabaseServer, teardownTestDatabaseServer } from './database.ts';

before(async function () {
  this.timeout(120_000);
  await setupTestDatabaseServer();
});

after(async function () {
  this.timeout(60_000);
  await teardownTestDatabaseServer();
});
