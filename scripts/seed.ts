/**
 * `npm run seed [-- --users N] [--days D]`: loads the deterministic demo organization (src/seed/) and D days of
 * attendance history into DATABASE_URL, or into the local-mode embedded PostgreSQL, after applying migrations and
 * syncing permissions like the server does; then prints one demo login per role. Idempotent: running it again adds
 * nothing that already exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { syncPermissions } from '../src/auth/permission-sync.ts';
import { loadConfig } from '../src/config.ts';
import { ensureDatabase, startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { createDbPool } from '../src/db/pool.ts';
import { systemClock } from '../src/lib/clock.ts';
import { parseSeedArgs, SEED_USAGE } from '../src/seed/args.ts';
import { seedAttendance } from '../src/seed/attendance.ts';
import { seedLeaveRequests } from '../src/seed/leaves.ts';
import { seedOrganization, type SeedResult } from '../src/seed/organization.ts';

/** Set-based inserts of large organizations take longer than an API request may. */
const SEED_STATEMENT_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Starting a second embedded server on the data directory of a running one would stop the running one
 * (src/db/embedded.ts clears a live postmaster it finds), so the seed refuses instead.
 */
function embeddedServerRunning(dir: string): boolean {
  const pidFile = path.join(path.resolve(dir), 'pgdata', 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function printLogins(result: SeedResult): void {
  const rows = result.logins.map((l) => [l.role, l.email, l.fullName]);
  const header = ['role', 'email', 'name'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(`departments: ${result.departments.created} created (${result.departments.total} in the plan)`);
  console.log(`users:       ${result.users.created} created (${result.users.planned} in the plan; existing emails skipped)`);
  console.log('');
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
  console.log('');
  console.log(`password for every demo login: ${result.password}`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(SEED_USAGE);
    return;
  }
  const args = parseSeedArgs(argv);
  const config = loadConfig();
  let url = config.databaseUrl;
  if (!url && embeddedServerRunning(config.embeddedPg.dir)) {
    throw new Error(`the local-mode database in ${config.embeddedPg.dir} is in use by a running server; stop it first (or set DATABASE_URL)`);
  }
  const embedded = url ? null : await startEmbeddedPostgres({ dir: config.embeddedPg.dir, port: config.embeddedPg.port });
  try {
    if (embedded) {
      await ensureDatabase(embedded.connectionString(), 'workforce');
      url = embedded.connectionString('workforce');
    }
    await migrate(url!);
    const db = await createDbPool(url!, { statementTimeoutMs: Math.max(config.dbStatementTimeoutMs, SEED_STATEMENT_TIMEOUT_MS), maximumPoolSize: 2 });
    try {
      await syncPermissions(db);
      const now = systemClock.now();
      printLogins(await seedOrganization(db, { users: args.users, now }));
      const leaves = await seedLeaveRequests(db, { now, orgTimezone: config.orgTimezone });
      console.log(`leave requests: ${leaves.created} created (one per status, plus a half day and a WFH)`);
      const started = performance.now();
      const attendance = await seedAttendance(db, { days: args.days, now, orgTimezone: config.orgTimezone, attendance: config.attendance });
      const c = attendance.corrections;
      console.log(
        `attendance ${attendance.window.from}..${attendance.window.to}: ${attendance.days} user-days recorded for ${attendance.users} active users ` +
          `(existing days skipped); ${attendance.sessions} sessions, ${attendance.breaks} breaks, ${attendance.exceptions} exceptions; ` +
          `corrections ${c.pending} pending, ${c.needs_clarification} needs_clarification, ${c.approved} approved, ${c.rejected} rejected, ` +
          `${c.cancelled} cancelled; ${attendance.shiftsCreated} shifts and ${attendance.holidaysCreated} holidays created, ` +
          `${attendance.shiftAssignments} shift assignments (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    } finally {
      await db.end();
    }
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
