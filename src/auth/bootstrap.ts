/**
 * Startup step 4 (01 §3.4 "Bootstrap admin", 05 §2): make sure a working admin exists, without ever touching
 * an existing user's password, name, role or status.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'slonik';
import { z } from 'zod';
import { recordAudit } from '../audit/record.ts';
import { ConfigError, type Config } from '../config.ts';
import type { Db, Queryable } from '../db/pool.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { passwordPolicyViolation } from './password-policy.ts';
import { hashPassword } from './passwords.ts';
import { SUPER_ROLE } from './permissions.ts';

/** The first admin of local mode when no BOOTSTRAP_ADMIN_* is set (05 §2). */
export const LOCAL_ADMIN_EMAIL = 'admin@workforce.local';
export const CREDENTIALS_FILE = 'admin-credentials.txt';
const GENERATED_PASSWORD_LENGTH = 20;

export type BootstrapOutcome = 'admin_exists' | 'created' | 'email_taken' | 'not_configured';

export interface BootstrapDeps {
  db: Db;
  config: Config;
  logger: Logger;
  clock: Clock;
  /** Local-mode data directory (the parent of EMBEDDED_PG_DIR): where the generated credentials are kept. */
  dataDir: string;
  /** Where the one-time credentials block goes; plain stdout by default (not the JSON logger). */
  print?: (text: string) => void;
}

const Exists = z.object({ exists: z.boolean() });
const Id = z.object({ id: z.string() });
const Locked = z.object({ locked: z.number() });

const activeAdminExists = (db: Queryable) =>
  db.oneFirst(sql.type(Exists)`SELECT EXISTS (SELECT 1 FROM users WHERE role = ${SUPER_ROLE} AND status = 'active') AS exists`);

/** 20 characters of base64url: always within the password policy (checked anyway). */
function generatePassword(): string {
  for (;;) {
    const candidate = randomBytes(GENERATED_PASSWORD_LENGTH).toString('base64url').slice(0, GENERATED_PASSWORD_LENGTH);
    if (passwordPolicyViolation(candidate, LOCAL_ADMIN_EMAIL) === null) return candidate;
  }
}

/**
 * Creates the admin under an advisory lock (concurrent starts serialize), re-checking that no active admin and
 * no user with this email exists.
 */
async function createAdmin(deps: BootstrapDeps, email: string, password: string, source: 'env' | 'local_mode'): Promise<BootstrapOutcome> {
  const passwordHash = await hashPassword(password);
  const now = deps.clock.now();
  const name = deps.config.bootstrapAdmin.name;
  return deps.db.transaction(async (tx) => {
    await tx.query(sql.type(Locked)`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext('bootstrap-admin'))`);
    if (await activeAdminExists(tx)) return 'admin_exists';
    const taken = await tx.oneFirst(sql.type(Exists)`SELECT EXISTS (SELECT 1 FROM users WHERE email = ${email}) AS exists`);
    if (taken) return 'email_taken';
    const id = await tx.oneFirst(sql.type(Id)`
      INSERT INTO users (email, full_name, role, status, password_hash, password_changed_at, status_changed_at, created_by_id, created_at, updated_at)
      VALUES (${email}, ${name}, ${SUPER_ROLE}, 'active', ${passwordHash}, ${sql.timestamp(now)}, ${sql.timestamp(now)}, NULL,
              ${sql.timestamp(now)}, ${sql.timestamp(now)})
      RETURNING id`);
    await recordAudit(tx, {
      actor: null,
      action: 'user.bootstrapped',
      entityType: 'user',
      entityId: id,
      entityLabel: email,
      after: { email, role: SUPER_ROLE },
      metadata: { source },
    });
    return 'created';
  });
}

function credentialsBlock(email: string, password: string, file: string): string {
  const rule = '='.repeat(72);
  return [
    '',
    rule,
    '  FIRST ADMIN CREATED (local mode) — shown once, never again',
    `  email:    ${email}`,
    `  password: ${password}`,
    `  also saved to ${file} (mode 0600); change the password after signing in`,
    rule,
    '',
  ].join('\n');
}

/**
 * Runs at every start and is idempotent. With an active admin: nothing. Else with BOOTSTRAP_ADMIN_EMAIL and
 * _PASSWORD: creates that admin unless the email already belongs to a user (logged, nothing changed). Else in
 * local mode: creates `admin@workforce.local` with a random password, printed once and kept 0600 in the data
 * directory. Else: a warning.
 * @throws ConfigError when BOOTSTRAP_ADMIN_PASSWORD fails the password policy (startup stops).
 */
export async function bootstrapAdmin(deps: BootstrapDeps): Promise<BootstrapOutcome> {
  const { config, logger } = deps;
  if (await activeAdminExists(deps.db)) return 'admin_exists';

  const { email, password } = config.bootstrapAdmin;
  if (email !== null && password !== null) {
    if (passwordPolicyViolation(password, email) !== null) {
      throw new ConfigError('BOOTSTRAP_ADMIN_PASSWORD', 'fails the password policy');
    }
    const outcome = await createAdmin(deps, email, password, 'env');
    if (outcome === 'email_taken') {
      logger.error(
        { variable: 'BOOTSTRAP_ADMIN_EMAIL' },
        'bootstrap admin not created: a user with BOOTSTRAP_ADMIN_EMAIL already exists; it was left unchanged (no active admin exists)',
      );
    } else if (outcome === 'created') {
      logger.info({ variable: 'BOOTSTRAP_ADMIN_EMAIL' }, 'bootstrap admin created');
    }
    return outcome;
  }

  if (!config.localMode) {
    logger.warn('no active admin exists and BOOTSTRAP_ADMIN_EMAIL / BOOTSTRAP_ADMIN_PASSWORD are not set');
    return 'not_configured';
  }

  const generated = generatePassword();
  const outcome = await createAdmin(deps, LOCAL_ADMIN_EMAIL, generated, 'local_mode');
  if (outcome === 'email_taken') {
    logger.error({ email: LOCAL_ADMIN_EMAIL }, 'first admin not created: the local admin account exists but is not an active admin; it was left unchanged');
  }
  if (outcome !== 'created') return outcome;

  const file = path.join(deps.dataDir, CREDENTIALS_FILE);
  const print = deps.print ?? ((text: string) => void process.stdout.write(text));
  print(credentialsBlock(LOCAL_ADMIN_EMAIL, generated, file));
  try {
    await mkdir(deps.dataDir, { recursive: true, mode: 0o700 });
    await writeFile(file, `email: ${LOCAL_ADMIN_EMAIL}\npassword: ${generated}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  } catch (error) {
    logger.error({ err: { code: (error as NodeJS.ErrnoException).code } }, 'could not write the admin credentials file');
  }
  return outcome;
}
