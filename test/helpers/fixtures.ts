/**
 * Arranging state fast: users inserted directly (one precomputed argon2id hash for all), sessions minted
 * with the app's own token signer. Behaviour under test always goes through the HTTP API and the SDK.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createApiClient, type ApiClient } from '../../generated/sdk/src/index.ts';
import { hashPassword } from '../../src/auth/passwords.ts';
import type { Role } from '../../src/auth/permissions.ts';
import { randomToken, sha256Hex } from '../../src/auth/tokens.ts';
import { createDbPool, type Db } from '../../src/db/pool.ts';
import { createTestDatabase } from './database.ts';
import type { TestApp } from './harness.ts';

/** The password of every fixture user. */
export const PASSWORD = 'Correct-Horse-Battery-9';
let passwordHash: Promise<string> | null = null;
const fixtureHash = () => (passwordHash ??= hashPassword(PASSWORD));

export interface FixtureUser {
  id: string;
  email: string;
  fullName: string;
  role: Role;
}

export interface UserSpec {
  role: Role;
  status?: 'invited' | 'active' | 'suspended' | 'inactive';
  managerId?: string | null;
  departmentId?: string | null;
  email?: string;
  fullName?: string;
  designation?: string | null;
  /** false: no password (an invited user). */
  withPassword?: boolean;
}

let seq = 0;

export async function createUser(app: TestApp, spec: UserSpec): Promise<FixtureUser> {
  const n = ++seq;
  const email = (spec.email ?? `${spec.role.replace('_', '-')}-${n}-${randomUUID().slice(0, 6)}@example.com`).toLowerCase();
  const fullName = spec.fullName ?? `${spec.role} ${n}`;
  const status = spec.status ?? 'active';
  const withPassword = spec.withPassword ?? status !== 'invited';
  const { rows } = await app.sql.query<{ id: string }>(
    `INSERT INTO users (email, full_name, role, status, manager_id, department_id, designation, password_hash, password_changed_at, status_changed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $8::varchar IS NULL THEN NULL ELSE now() END, now()) RETURNING id`,
    [email, fullName, spec.role, status, spec.managerId ?? null, spec.departmentId ?? null, spec.designation ?? null, withPassword ? await fixtureHash() : null],
  );
  return { id: rows[0]!.id, email, fullName, role: spec.role };
}

export interface Session {
  user: FixtureUser;
  sessionId: string;
  accessToken: string;
  refreshToken: string;
  /** An SDK client that sends this session's bearer token. */
  api: ApiClient;
}

/** A live session for the user without going through login (no argon2, no rate limit). */
export async function signIn(app: TestApp, user: FixtureUser): Promise<Session> {
  const now = app.clock.now();
  const absolute = new Date(now.getTime() + app.config.refreshTokenAbsoluteDays * 86_400_000);
  const { rows } = await app.sql.query<{ id: string }>(
    `INSERT INTO auth_sessions (user_id, created_at, absolute_expires_at) VALUES ($1, $2, $3) RETURNING id`,
    [user.id, now, absolute],
  );
  const sessionId = rows[0]!.id;
  const refreshToken = randomToken();
  const expires = new Date(Math.min(now.getTime() + app.config.refreshTokenDays * 86_400_000, absolute.getTime()));
  await app.sql.query(`INSERT INTO refresh_tokens (session_id, token_hash, issued_at, expires_at) VALUES ($1, $2, $3, $4)`, [
    sessionId,
    sha256Hex(refreshToken),
    now,
    expires,
  ]);
  const accessToken = app.running.services.tokens.sign({ sub: user.id, sid: sessionId, role: user.role }, now);
  const api = createApiClient({ baseUrl: app.url, tokens: { accessToken, refreshToken } });
  return { user, sessionId, accessToken, refreshToken, api };
}

/**
 * A small organization with every role and a reporting chain three deep:
 * admin ← hr; admin ← manager ← teamLead ← {employee, intern, junior}; manager ← employee2 (direct report);
 * otherManager ← outsider (another team).
 */
export async function createOrg(app: TestApp) {
  const admin = await createUser(app, { role: 'admin' });
  const hr = await createUser(app, { role: 'hr_operations', managerId: admin.id });
  const manager = await createUser(app, { role: 'manager', managerId: admin.id });
  const teamLead = await createUser(app, { role: 'team_lead', managerId: manager.id });
  const employee = await createUser(app, { role: 'employee', managerId: teamLead.id });
  const intern = await createUser(app, { role: 'intern', managerId: teamLead.id });
  const junior = await createUser(app, { role: 'junior_employee', managerId: teamLead.id });
  const employee2 = await createUser(app, { role: 'employee', managerId: manager.id });
  const otherManager = await createUser(app, { role: 'manager', managerId: admin.id });
  const outsider = await createUser(app, { role: 'employee', managerId: otherManager.id });
  return { admin, hr, manager, teamLead, employee, intern, junior, employee2, otherManager, outsider };
}
export type Org = Awaited<ReturnType<typeof createOrg>>;

export type OrgSessions = { [K in keyof Org]: Session };

/** A live session for every user of {@link createOrg}, keyed like the org. */
export async function signInOrg(app: TestApp, org: Org): Promise<OrgSessions> {
  const sessions: Partial<OrgSessions> = {};
  for (const key of Object.keys(org) as (keyof Org)[]) sessions[key] = await signIn(app, org[key]);
  return sessions as OrgSessions;
}

let unique = 0;

/** A name no other test uses (`prefix N-xxxxxxxx`), so tests do not depend on each other. */
export const uniqueName = (prefix: string): string => `${prefix} ${++unique}-${randomUUID().slice(0, 8)}`;

/** An email address no other test uses (`prefix-xxxxxxxx@example.com`). */
export const uniqueEmail = (prefix = 'user'): string => `${prefix}-${randomUUID().slice(0, 8)}@example.com`;

/** A fresh migrated database without an app: the slonik pool that scripts (seeders) take, and a raw client for rows. */
export interface BareDatabase {
  db: Db;
  client: pg.Client;
  close(): Promise<void>;
}

/** Opens a {@link BareDatabase}; the caller closes it in its `after` hook. */
export async function openBareDatabase(options: { statementTimeoutMs?: number } = {}): Promise<BareDatabase> {
  const url = await createTestDatabase();
  const db = await createDbPool(url, { statementTimeoutMs: options.statementTimeoutMs ?? 60_000 });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    db,
    client,
    async close() {
      await client.end();
      await db.end();
    },
  };
}
