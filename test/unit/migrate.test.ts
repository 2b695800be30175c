/**
 * The migration runner (05 §3): ordered, one transaction each, recorded with a checksum, an edited applied
 * migration refuses to run, concurrent runs serialised by the advisory lock. Real PostgreSQL, empty databases,
 * a throwaway migrations directory.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate, MigrationChecksumError, readMigrations } from '../../src/db/migrate.ts';
import { createEmptyDatabase } from '../helpers/database.ts';

const FIRST = '0001_create_widgets.sql';
const SECOND = '0002_seed_widgets.sql';
const FIRST_SQL = `CREATE TABLE widgets (id int PRIMARY KEY, name text NOT NULL);\n`;
// Depends on the first: applied out of order it would fail.
const SECOND_SQL = `INSERT INTO widgets (id, name) VALUES (1, 'sprocket'), (2, 'gear');\n`;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

async function tableExists(url: string, table: string): Promise<boolean> {
  const rows = await query<{ exists: boolean }>(url, `SELECT to_regclass('public.${table}') IS NOT NULL AS exists`);
  return rows[0]!.exists;
}

async function recorded(url: string): Promise<{ name: string; checksum: string }[]> {
  return query(url, 'SELECT name, checksum FROM schema_migrations ORDER BY applied_at, name');
}

describe('migrations runner', function () {
  let dir: string;
  let url: string;

  beforeEach(async function () {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wf-migrations-'));
    url = await createEmptyDatabase();
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  async function write(name: string, text: string): Promise<void> {
    await writeFile(path.join(dir, name), text);
  }

  it('applies pending migrations in order and records each with its checksum', async function () {
    // Written in reverse order, and with a file the runner must ignore.
    await write(SECOND, SECOND_SQL);
    await write(FIRST, FIRST_SQL);
    await write('README.md', 'not a migration');
    await write('0003_Bad-Name.sql', 'SELECT broken syntax here');

    const applied = await migrate(url, dir);
    expect(applied).to.deep.equal([FIRST, SECOND]);
    expect(await recorded(url)).to.deep.equal([
      { name: FIRST, checksum: sha256(FIRST_SQL) },
      { name: SECOND, checksum: sha256(SECOND_SQL) },
    ]);
    expect(await query(url, 'SELECT id, name FROM widgets ORDER BY id')).to.deep.equal([
      { id: 1, name: 'sprocket' },
      { id: 2, name: 'gear' },
    ]);
    expect((await readMigrations(dir)).map((m) => m.name)).to.deep.equal([FIRST, SECOND]);
  });

  it('re-running applies nothing; a new file is applied on its own', async function () {
    await write(FIRST, FIRST_SQL);
    await write(SECOND, SECOND_SQL);
    expect(await migrate(url, dir)).to.deep.equal([FIRST, SECOND]);
    expect(await migrate(url, dir)).to.deep.equal([]);
    expect(await query(url, 'SELECT count(*)::int AS n FROM widgets')).to.deep.equal([{ n: 2 }]);

    const third = `ALTER TABLE widgets ADD COLUMN colour text;\n`;
    await write('0003_widget_colour.sql', third);
    expect(await migrate(url, dir)).to.deep.equal(['0003_widget_colour.sql']);
    expect((await recorded(url)).map((r) => r.name)).to.deep.equal([FIRST, SECOND, '0003_widget_colour.sql']);
  });

  it('rolls a failing migration back entirely and records nothing of it', async function () {
    await write(FIRST, FIRST_SQL);
    await write(SECOND, `CREATE TABLE gadgets (id int PRIMARY KEY);\nINSERT INTO widgets (id, name) VALUES (9, 'half');\nSELECT 1 / 0;\n`);

    let failure: unknown;
    try {
      await migrate(url, dir);
    } catch (error) {
      failure = error;
    }
    expect(failure, 'migrate rejects').to.be.instanceOf(Error);
    expect((failure as Error).message).to.include(SECOND);

    expect(await tableExists(url, 'gadgets'), 'table of the failed migration').to.equal(false);
    expect(await query(url, 'SELECT count(*)::int AS n FROM widgets')).to.deep.equal([{ n: 0 }]);
    expect(await recorded(url)).to.deep.equal([{ name: FIRST, checksum: sha256(FIRST_SQL) }]);

    // Fixed (it was never applied, so it may change): the next run applies it.
    await write(SECOND, SECOND_SQL);
    expect(await migrate(url, dir)).to.deep.equal([SECOND]);
  });

  it('refuses to run when an applied migration was edited, naming the file, and applies nothing new', async function () {
    await write(FIRST, FIRST_SQL);
    await write(SECOND, SECOND_SQL);
    await migrate(url, dir);

    await write(FIRST, `${FIRST_SQL}-- a harmless-looking edit\n`);
    await write('0003_pending.sql', 'CREATE TABLE pending_table (id int);\n');

    let failure: unknown;
    try {
      await migrate(url, dir);
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(MigrationChecksumError);
    expect((failure as MigrationChecksumError).migration).to.equal(FIRST);
    expect((failure as Error).message).to.include(FIRST);
    expect(await tableExists(url, 'pending_table')).to.equal(false);
    expect((await recorded(url)).map((r) => r.name)).to.deep.equal([FIRST, SECOND]);
    expect((await recorded(url))[0]!.checksum).to.equal(sha256(FIRST_SQL));
  });

  it('serialises concurrent runs on one empty database: each migration applied exactly once', async function () {
    // Idempotent-looking SQL on purpose: only the lock (not a CREATE TABLE clash) keeps a second application out.
    await write(FIRST, `CREATE TABLE IF NOT EXISTS applications (migration text NOT NULL);\nINSERT INTO applications VALUES ('first');\n`);
    await write(SECOND, `INSERT INTO applications VALUES ('second');\n`);
    await write('0003_third.sql', `INSERT INTO applications VALUES ('third');\n`);

    const results = await Promise.all([migrate(url, dir), migrate(url, dir), migrate(url, dir)]);
    const all = results.flat().sort();
    expect(all).to.deep.equal([FIRST, SECOND, '0003_third.sql']);
    expect(results.filter((r) => r.length > 0)).to.have.length(1);
    expect(await query(url, 'SELECT migration, count(*)::int AS n FROM applications GROUP BY migration ORDER BY migration')).to.deep.equal([
      { migration: 'first', n: 1 },
      { migration: 'second', n: 1 },
      { migration: 'third', n: 1 },
    ]);
    expect(await recorded(url)).to.have.length(3);
  });
});
