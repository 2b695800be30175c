/**
 * Authentication (01 §3.1 A1–A9, §4.5, §4.7, §5 rows 1–4, 8–19, 21, 23–26, 46–48) against the real app on port 0
 * and a real PostgreSQL, through the generated SDK with response validation on. Plain `fetch` only where the SDK
 * cannot send the request (raw bodies, wrong media types and methods, hand-built tokens) or where the raw bytes
 * of a body are compared. Rate-limit counters are cleared before each test so tests do not share an IP budget;
 * the rate-limit rules themselves are in auth-abuse.test.ts.
 */
import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import nodemailer from 'nodemailer';
import { createApiClient, type ApiClient, type ApiErrorBody } from '../../generated/sdk/src/index.ts';
import { issueAccountToken } from '../../src/auth/account-tokens.ts';
import { sha256Hex } from '../../src/auth/tokens.ts';
import { invitationEmail, passwordResetEmail } from '../../src/email/templates.ts';
import { emailDeliveryJob, type MailTransport } from '../../src/jobs/email-delivery.ts';
import { purgeJob } from '../../src/jobs/purge.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createUser, PASSWORD, signIn, type FixtureUser } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, TEST_SECRET, type TestApp } from '../helpers/harness.ts';
import { expectError, expectErrorBody, ok, type Envelope } from '../helpers/expect.ts';
import { auditRows, outboxEvents } from '../helpers/rows.ts';

const INVALID_CREDENTIALS = 'Invalid email or password.';
const INVALID_REFRESH = 'Invalid or expired refresh token.';
const INVALID_TOKEN = 'Invalid or expired token.';
const RESET_MESSAGE = 'If an account with this email exists, a reset link has been sent.';
const NEW_PASSWORD = 'Brand-New-Passphrase-42';
const MINUTE = 60_000;
const DAY = 86_400_000;
const XSS_NAME = '<img src=x onerror=alert(1)>';
/** The anonymous flood guard is per IP and in memory; these suites send many requests from 127.0.0.1. */
const ENV = { RATE_LIMIT_PER_IP_PER_MINUTE: '100000' };

/** A 422 whose details include one for `field` (with `message`, when given). */
function expect422(response: Response, error: unknown, field: string, message?: string): Envelope {
  const envelope = expectErrorBody(response, error, 422, 'VALIDATION_ERROR', { message: 'Request validation failed.' });
  const detail = envelope.details.find((d) => d.field === field);
  expect(detail, `a detail for ${field} in ${JSON.stringify(envelope.details)}`).to.not.equal(undefined);
  if (message !== undefined) expect(detail!.message).to.equal(message);
  return envelope;
}

describe('authentication (01 §3.1)', function () {
  let app: TestApp;
  let clock: FixedClock;
  let anon: ApiClient;

  /** An SDK client that always sends this bearer token and never refreshes on its own. */
  const bearer = (token: string) => createApiClient({ baseUrl: app.url, headers: { Authorization: `Bearer ${token}` }, autoRefresh: false });

  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${app.url}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { response, text, body: text ? (JSON.parse(text) as Record<string, any>) : null };
  }

  const login = (email: string, password: string) => anon.POST('/auth/login', { body: { email, password } });

  async function sessionRow(sessionId: string) {
    const { rows } = await app.sql.query<{ revoked_at: Date | null; revoke_reason: string | null; last_refreshed_at: Date | null }>(
      'SELECT revoked_at, revoke_reason, last_refreshed_at FROM auth_sessions WHERE id = $1',
      [sessionId],
    );
    return rows[0]!;
  }

  async function emailsTo(email: string) {
    const { rows } = await app.sql.query<{ template: string; subject: string; status: string; text_body: string; html_body: string }>(
      'SELECT template, subject, status, text_body, html_body FROM email_outbox WHERE to_email = $1 ORDER BY created_at',
      [email],
    );
    return rows;
  }

  async function requestReset(email: string): Promise<string> {
    const { data, response } = await anon.POST('/auth/forgot-password', { body: { email } });
    expect(response.status).to.equal(202);
    expect(data!.debugToken, 'debugToken').to.be.a('string');
    return data!.debugToken!;
  }

  before(async function () {
    clock = new FixedClock(new Date());
    app = await startTestApp({ clock, env: ENV });
    anon = app.client();
  });

  beforeEach(async function () {
    await app.sql.query('DELETE FROM auth_rate_limits');
  });

  after(async function () {
    await app?.close();
  });

  describe('A1 loginUser', function () {
    it('logs an active user in: token pair, user summary, session + hashed refresh token, last_login_at, audit auth.login', async function () {
      const { rows: dept } = await app.sql.query<{ id: string }>(`INSERT INTO departments (name) VALUES ('Login Dept ' || gen_random_uuid()) RETURNING id`);
      const manager = await createUser(app, { role: 'manager' });
      const user = await createUser(app, { role: 'employee', managerId: manager.id, departmentId: dept[0]!.id, designation: 'Engineer' });

      const { data, response } = await anon.POST('/auth/login', { body: { email: user.email.toUpperCase(), password: PASSWORD }, headers: { 'User-Agent': 'auth-test/1.0' } });
      expect(response.status).to.equal(200);
      expect(response.headers.get('cache-control')).to.equal('no-store');
      expect(response.headers.get('ratelimit-policy')).to.match(/^\d+;w=\d+$/);
      expect(response.headers.get('ratelimit')).to.match(/^limit=\d+, remaining=\d+, reset=\d+$/);
      expect(data!.tokenType).to.equal('bearer');
      expect(data!.expiresInSeconds).to.equal(app.config.accessTokenMinutes * 60);
      expect(data!.refreshToken).to.match(/^[A-Za-z0-9_-]{43}$/);
      const { rows: deptName } = await app.sql.query<{ name: string }>('SELECT name FROM departments WHERE id = $1', [dept[0]!.id]);
      expect(data!.user).to.deep.equal({
        id: user.id,
        email: user.email,
        fullName: user.fullName,
        role: 'employee',
        status: 'active',
        departmentId: dept[0]!.id,
        departmentName: deptName[0]!.name,
        designation: 'Engineer',
        managerId: manager.id,
        avatarUrl: null,
      });

      const claims = jwt.decode(data!.accessToken) as Record<string, unknown>;
      expect(claims).to.include({ sub: user.id, typ: 'access', iss: 'workforce-os', aud: 'workforce-os-api' });
      const { rows: sessions } = await app.sql.query<{ id: string; user_agent: string; ip_address: string; absolute_expires_at: Date; created_at: Date }>(
        'SELECT id, user_agent, ip_address, absolute_expires_at, created_at FROM auth_sessions WHERE user_id = $1',
        [user.id],
      );
      expect(sessions).to.have.length(1);
      expect(sessions[0]!.id).to.equal(claims.sid);
      expect(sessions[0]!.user_agent).to.equal('auth-test/1.0');
      expect(sessions[0]!.ip_address).to.match(/127\.0\.0\.1/);
      expect(sessions[0]!.absolute_expires_at.getTime() - sessions[0]!.created_at.getTime()).to.equal(app.config.refreshTokenAbsoluteDays * DAY);
      const { rows: tokens } = await app.sql.query<{ token_hash: string; expires_at: Date; issued_at: Date }>(
        'SELECT token_hash, expires_at, issued_at FROM refresh_tokens WHERE session_id = $1',
        [claims.sid],
      );
      expect(tokens).to.have.length(1);
      expect(tokens[0]!.token_hash).to.equal(sha256Hex(data!.refreshToken));
      expect(tokens[0]!.expires_at.getTime() - tokens[0]!.issued_at.getTime()).to.equal(app.config.refreshTokenDays * DAY);

      const { rows: u } = await app.sql.query<{ last_login_at: Date }>('SELECT last_login_at FROM users WHERE id = $1', [user.id]);
      expect(u[0]!.last_login_at.toISOString()).to.equal(clock.now().toISOString());
      const audits = await auditRows(app, user.id, { action: 'auth.login' });
      expect(audits).to.have.length(1);
      expect(audits[0]!.actor_user_id).to.equal(user.id);
      expect(audits[0]!.after).to.deep.equal({ role: 'employee' });
      expect(audits[0]!.metadata).to.include({ userAgent: 'auth-test/1.0' });
      expect(audits[0]!.metadata.ip).to.match(/127\.0\.0\.1/);

      // The token works.
      const me = await bearer(data!.accessToken).GET('/auth/me/permissions');
      expect(me.response.status).to.equal(200);
      expect(me.data!.userId).to.equal(user.id);
    });

    it('row 1: wrong password for an existing active user → 401 byte-identical to an unknown email', async function () {
      const user = await createUser(app, { role: 'employee' });
      const wrong = await post('/auth/login', { email: user.email, password: 'not-the-password' });
      const unknown = await post('/auth/login', { email: `nobody-${Date.now()}@example.com`, password: 'not-the-password' });
      for (const r of [wrong, unknown]) {
        expect(r.response.status).to.equal(401);
        expect(r.response.headers.get('www-authenticate')).to.equal('Bearer');
        expect(r.body!.error).to.include({ code: 'AUTH_ERROR', message: INVALID_CREDENTIALS });
        expect(r.body!.error.details).to.deep.equal([]);
      }
      expect(wrong.text.replace(wrong.body!.error.requestId, '<id>')).to.equal(unknown.text.replace(unknown.body!.error.requestId, '<id>'));
      const audits = await auditRows(app, user.id, { action: 'auth.login_failed' });
      expect(audits).to.have.length(1);
      expect(audits[0]!.actor_user_id).to.equal(null);
      expect(audits[0]!.outcome).to.equal('denied');
      expect(audits[0]!.after).to.deep.equal({ reason: 'bad_password' });
    });

    it('row 2: an unknown email takes as long as a wrong password (dummy argon2 verify)', async function () {
      const user = await createUser(app, { role: 'employee' });
      const time = async (email: string) => {
        await app.sql.query('DELETE FROM auth_rate_limits');
        const started = process.hrtime.bigint();
        const { response } = await login(email, 'wrong-password-123');
        expect(response.status).to.equal(401);
        return Number(process.hrtime.bigint() - started) / 1e6;
      };
      await time(user.email); // warm-up: the dummy hash is computed once per process
      await time('warmup@example.com');
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 5; i++) {
        known.push(await time(user.email));
        unknown.push(await time(`ghost-${i}@example.com`));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      // Without the dummy verify an unknown email answers in a few milliseconds; argon2id (m=19 MiB, t=2) takes tens.
      expect(median(unknown), `unknown ${unknown.join(',')} vs known ${known.join(',')}`).to.be.greaterThan(median(known) * 0.5);
      expect(median(unknown)).to.be.lessThan(median(known) * 2 + 20);
    });

    it('row 3: suspended user → 401 as row 1 with a wrong password, 403 only with the right one; inactive → 403', async function () {
      const suspended = await createUser(app, { role: 'employee', status: 'suspended' });
      const inactive = await createUser(app, { role: 'employee', status: 'inactive' });
      const unknown = await post('/auth/login', { email: 'unknown-row3@example.com', password: 'wrong-password' });
      const wrong = await post('/auth/login', { email: suspended.email, password: 'wrong-password' });
      expect(wrong.response.status).to.equal(401);
      expect(wrong.text.replace(wrong.body!.error.requestId, '<id>')).to.equal(unknown.text.replace(unknown.body!.error.requestId, '<id>'));

      const right = await login(suspended.email, PASSWORD);
      expectError(right, 403, 'PERMISSION_ERROR', { message: 'Account is suspended. Contact your administrator.' });
      const deactivated = await login(inactive.email, PASSWORD);
      expectError(deactivated, 403, 'PERMISSION_ERROR', { message: 'Account is deactivated.' });
      const inactiveWrong = await post('/auth/login', { email: inactive.email, password: 'wrong-password' });
      expect(inactiveWrong.response.status).to.equal(401);

      expect((await auditRows(app, suspended.id, { action: 'auth.login_failed' })).map((r) => r.after!.reason)).to.deep.equal(['bad_password', 'suspended']);
      expect((await auditRows(app, inactive.id, { action: 'auth.login_failed' })).map((r) => r.after!.reason)).to.deep.equal(['inactive', 'bad_password']);
      const { rows } = await app.sql.query('SELECT 1 FROM auth_sessions WHERE user_id = ANY($1)', [[suspended.id, inactive.id]]);
      expect(rows).to.have.length(0);
    });

    it('row 4: invited user (no password) with any password → 401 as row 1', async function () {
      const invited = await createUser(app, { role: 'employee', status: 'invited' });
      const unknown = await post('/auth/login', { email: 'unknown-row4@example.com', password: 'anything-at-all' });
      const attempt = await post('/auth/login', { email: invited.email, password: 'anything-at-all' });
      expect(attempt.response.status).to.equal(401);
      expect(attempt.text.replace(attempt.body!.error.requestId, '<id>')).to.equal(unknown.text.replace(unknown.body!.error.requestId, '<id>'));
      expect((await auditRows(app, invited.id, { action: 'auth.login_failed' })).map((r) => r.after!.reason)).to.deep.equal(['no_password']);
    });

    it('row 8: an unknown property (`role: admin`) → 422 naming body.role; no token, no session', async function () {
      const user = await createUser(app, { role: 'employee' });
      const r = await post('/auth/login', { email: user.email, password: PASSWORD, role: 'admin' });
      expect(r.response.status).to.equal(422);
      expect(r.body!.error.code).to.equal('VALIDATION_ERROR');
      expect(r.body!.error.details.map((d: { field: string }) => d.field)).to.include('body.role');
      expect(r.body).to.not.have.property('accessToken');
      const { rows } = await app.sql.query('SELECT 1 FROM auth_sessions WHERE user_id = $1', [user.id]);
      expect(rows).to.have.length(0);
    });

    it("row 9: email `' OR 1=1 --` → 422 body.email", async function () {
      const r = await post('/auth/login', { email: "' OR 1=1 --", password: 'whatever' });
      expect(r.response.status).to.equal(422);
      expect(r.body!.error.code).to.equal('VALIDATION_ERROR');
      expect(r.body!.error.details.map((d: { field: string }) => d.field)).to.deep.equal(['body.email']);
      expect(r.text).to.not.include('OR 1=1');
    });

    it('row 10: Content-Type text/plain → 415 API_ERROR', async function () {
      const r = await post('/auth/login', '{"email":"a@b.co","password":"x"}', { 'content-type': 'text/plain' });
      expect(r.response.status).to.equal(415);
      expect(r.body!.error.code).to.equal('API_ERROR');
      expect(r.body!.error.requestId).to.equal(r.response.headers.get('x-request-id'));
    });

    it('row 11: a validation error on a body with a password never contains the password', async function () {
      const secret = 'Sup3r-Secret-Value-Never-Echoed';
      const cases = [
        { email: 'not-an-email', password: secret },
        { email: 'a@example.com', password: secret, extra: true },
        { email: 'a@example.com', password: `${secret}${'x'.repeat(128)}` },
        { email: 'a@example.com', password: [secret] },
      ];
      for (const body of cases) {
        const r = await post('/auth/login', body);
        expect(r.response.status, JSON.stringify(body)).to.equal(422);
        expect(r.text).to.not.include(secret);
        expect(r.body!.error.message).to.equal('Request validation failed.');
        for (const d of r.body!.error.details as { field: string; message: string }[]) {
          if (d.field === 'body.password') expect(d.message).to.equal('Invalid value.');
        }
      }
      // The policy messages of the password-setting operations do not echo it either.
      const user = await createUser(app, { role: 'employee' });
      const session = await signIn(app, user);
      const change = await post(
        '/users/me/change-password',
        { currentPassword: PASSWORD, newPassword: 'short-Sec1', confirmPassword: 'short-Sec1' },
        { authorization: `Bearer ${session.accessToken}` },
      );
      expect(change.response.status).to.equal(422);
      expect(change.text).to.not.include('short-Sec1');
    });

    it('row 47: a JSON body larger than 1 MiB → 413 API_ERROR', async function () {
      const r = await post('/auth/login', { email: 'big@example.com', password: 'x'.repeat(1024 * 1024 + 10) });
      expect(r.response.status).to.equal(413);
      expect(r.body!.error.code).to.equal('API_ERROR');
    });

    it('row 48: PUT /api/v1/auth/login → 405 API_ERROR with Allow: POST', async function () {
      const response = await fetch(`${app.url}/api/v1/auth/login`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
      const body = (await response.json()) as ApiErrorBody;
      expect(response.status).to.equal(405);
      expect(response.headers.get('allow')).to.equal('POST');
      expect(body.error.code).to.equal('API_ERROR');
    });
  });

  describe('A2 refreshSession', function () {
    let user: FixtureUser;
    before(async function () {
      user = await createUser(app, { role: 'team_lead' });
    });

    it('rotates: a new pair for the same session; the old token is marked used and linked to its replacement', async function () {
      const session = await signIn(app, user);
      const { data, response } = await anon.POST('/auth/refresh', { body: { refreshToken: session.refreshToken } });
      expect(response.status).to.equal(200);
      expect(response.headers.get('cache-control')).to.equal('no-store');
      expect(data!.refreshToken).to.not.equal(session.refreshToken);
      expect(data!.tokenType).to.equal('bearer');
      expect((jwt.decode(data!.accessToken) as { sid: string }).sid).to.equal(session.sessionId);
      const { rows } = await app.sql.query<{ token_hash: string; used_at: Date | null; replaced_by_id: string | null; id: string }>(
        'SELECT id, token_hash, used_at, replaced_by_id FROM refresh_tokens WHERE session_id = $1 ORDER BY issued_at, used_at NULLS LAST',
        [session.sessionId],
      );
      const old = rows.find((r) => r.token_hash === sha256Hex(session.refreshToken))!;
      const fresh = rows.find((r) => r.token_hash === sha256Hex(data!.refreshToken))!;
      expect(old.used_at).to.not.equal(null);
      expect(old.replaced_by_id).to.equal(fresh.id);
      expect(fresh.used_at).to.equal(null);
      expect((await sessionRow(session.sessionId)).last_refreshed_at!.toISOString()).to.equal(clock.now().toISOString());
      expect((await bearer(data!.accessToken).GET('/auth/me/permissions')).response.status).to.equal(200);
    });

    it('never outlives the session: new expiry = min(now + REFRESH_TOKEN_EXPIRE_DAYS, absolute expiry); past it → 401', async function () {
      const session = await signIn(app, user);
      const loginAt = clock.now().getTime();
      let refreshToken = session.refreshToken;
      const expiries: number[] = [];
      for (let step = 1; step <= 4; step++) {
        clock.advance(6 * DAY);
        const { data, response } = await anon.POST('/auth/refresh', { body: { refreshToken } });
        expect(response.status, `refresh at day ${step * 6}`).to.equal(200);
        refreshToken = data!.refreshToken;
        const { rows } = await app.sql.query<{ expires_at: Date }>('SELECT expires_at FROM refresh_tokens WHERE token_hash = $1', [sha256Hex(refreshToken)]);
        expiries.push((rows[0]!.expires_at.getTime() - loginAt) / DAY);
      }
      // Day 6 → 13, 12 → 19, 18 → 25, 24 → 31 capped at 30 (the session's absolute expiry).
      expect(expiries).to.deep.equal([13, 19, 25, 30]);
      clock.advance(6 * DAY - 1000);
      const last = await anon.POST('/auth/refresh', { body: { refreshToken } });
      expect(last.response.status, 'one second before the absolute expiry').to.equal(200);
      const { rows } = await app.sql.query<{ expires_at: Date }>('SELECT expires_at FROM refresh_tokens WHERE token_hash = $1', [sha256Hex(last.data!.refreshToken)]);
      expect((rows[0]!.expires_at.getTime() - loginAt) / DAY).to.equal(30);
      clock.advance(1000);
      const late = await anon.POST('/auth/refresh', { body: { refreshToken: last.data!.refreshToken } });
      expectError(late, 401, 'AUTH_ERROR', { message: INVALID_REFRESH });
    });

    it('an expired refresh token (idle past REFRESH_TOKEN_EXPIRE_DAYS) → 401', async function () {
      const session = await signIn(app, user);
      clock.advance(app.config.refreshTokenDays * DAY + 1000);
      const { response, error } = await anon.POST('/auth/refresh', { body: { refreshToken: session.refreshToken } });
      expectErrorBody(response, error, 401, 'AUTH_ERROR', { message: INVALID_REFRESH });
      expect((await sessionRow(session.sessionId)).revoked_at).to.equal(null);
    });

    it('a revoked session, a user who is no longer active, or a garbled token → 401', async function () {
      const revoked = await signIn(app, user);
      await app.sql.query(`UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'logout' WHERE id = $1`, [revoked.sessionId]);
      const r1 = await anon.POST('/auth/refresh', { body: { refreshToken: revoked.refreshToken } });
      expectError(r1, 401, 'AUTH_ERROR', { message: INVALID_REFRESH });

      const other = await createUser(app, { role: 'employee' });
      const session = await signIn(app, other);
      await app.sql.query(`UPDATE users SET status = 'suspended' WHERE id = $1`, [other.id]);
      const r2 = await anon.POST('/auth/refresh', { body: { refreshToken: session.refreshToken } });
      expectError(r2, 401, 'AUTH_ERROR', { message: INVALID_REFRESH });

      const r3 = await anon.POST('/auth/refresh', { body: { refreshToken: 'garbled-token-value' } });
      expectError(r3, 401, 'AUTH_ERROR', { message: INVALID_REFRESH });
    });

    it('row 16: a refresh token reused after rotation → 401; the session is revoked, so the newest refresh token and its access tokens get 401 too', async function () {
      const session = await signIn(app, user);
      const first = await anon.POST('/auth/refresh', { body: { refreshToken: session.refreshToken } });
      expect(first.response.status).to.equal(200);

      const reuse = await anon.POST('/auth/refresh', { body: { refreshToken: session.refreshToken } });
      expectError(reuse, 401, 'AUTH_ERROR', { message: INVALID_REFRESH });
      const row = await sessionRow(session.sessionId);
      expect(row.revoked_at).to.not.equal(null);
      expect(row.revoke_reason).to.equal('reuse_detected');

      const newest = await anon.POST('/auth/refresh', { body: { refreshToken: first.data!.refreshToken } });
      expectError(newest, 401, 'AUTH_ERROR', { message: INVALID_REFRESH });
      for (const token of [session.accessToken, first.data!.accessToken]) {
        const r = await bearer(token).GET('/auth/me/permissions');
        expectError(r, 401, 'AUTH_ERROR');
      }

      const audits = await auditRows(app, user.id, { action: 'auth.refresh_reuse_detected' });
      expect(audits.filter((a) => a.metadata.sessionId === session.sessionId)).to.have.length(1);
      const events = await outboxEvents(app, 'auth.sessions_revoked', 'userId', user.id);
      const event = events.find((e) => (e.event.payload.sessionIds as string[]).includes(session.sessionId));
      expect(event!.event.payload).to.deep.equal({ userId: user.id, sessionIds: [session.sessionId], reason: 'reuse_detected' });
      expect(event!.audience_user_ids).to.deep.equal([user.id]);
    });
  });

  describe('A3 logoutUser', function () {
    it('with an access token: revokes that session only (logout); its access token fails at once; audit and realtime event', async function () {
      const user = await createUser(app, { role: 'employee' });
      const a = await signIn(app, user);
      const b = await signIn(app, user);
      const { response } = await bearer(a.accessToken).POST('/auth/logout', {});
      expect(response.status).to.equal(204);
      expect(await sessionRow(a.sessionId)).to.include({ revoke_reason: 'logout' });
      expect((await sessionRow(b.sessionId)).revoked_at).to.equal(null);
      expect((await bearer(b.accessToken).GET('/auth/me/permissions')).response.status).to.equal(200);
      const audits = await auditRows(app, user.id, { action: 'auth.logout' });
      expect(audits).to.have.length(1);
      expect(audits[0]!.actor_user_id).to.equal(user.id);
      expect(audits[0]!.after).to.deep.equal({ allSessions: false });
      const events = await outboxEvents(app, 'auth.sessions_revoked', 'userId', user.id);
      expect(events.map((e) => e.event.payload)).to.deep.equal([{ userId: user.id, sessionIds: [a.sessionId], reason: 'logout' }]);
    });

    it('row 15: an access token after its session was logged out → 401', async function () {
      const user = await createUser(app, { role: 'employee' });
      const session = await signIn(app, user);
      expect((await bearer(session.accessToken).POST('/auth/logout', { body: { refreshToken: session.refreshToken } })).response.status).to.equal(204);
      const r = await bearer(session.accessToken).GET('/auth/me/permissions');
      expectError(r, 401, 'AUTH_ERROR', { message: 'Could not validate credentials.' });
      expect(r.response.headers.get('www-authenticate')).to.equal('Bearer');
      const refresh = await anon.POST('/auth/refresh', { body: { refreshToken: session.refreshToken } });
      expectError(refresh, 401, 'AUTH_ERROR', { message: INVALID_REFRESH });
    });

    it('with only a refresh token (the access token expired): revokes the refresh token’s session', async function () {
      const user = await createUser(app, { role: 'employee' });
      const session = await signIn(app, user);
      clock.advance(app.config.accessTokenMinutes * MINUTE + 31_000);
      const expired = bearer(session.accessToken);
      expect((await expired.GET('/auth/me/permissions')).response.status).to.equal(401);
      const { response } = await expired.POST('/auth/logout', { body: { refreshToken: session.refreshToken } });
      expect(response.status).to.equal(204);
      expect(await sessionRow(session.sessionId)).to.include({ revoke_reason: 'logout' });
      const other = await signIn(app, user);
      const { response: anonymous } = await anon.POST('/auth/logout', { body: { refreshToken: other.refreshToken } });
      expect(anonymous.status).to.equal(204);
      expect(await sessionRow(other.sessionId)).to.include({ revoke_reason: 'logout' });
    });

    it('allSessions: true revokes every session of the user (logout_all)', async function () {
      const user = await createUser(app, { role: 'employee' });
      const sessions = [await signIn(app, user), await signIn(app, user), await signIn(app, user)];
      const { response } = await bearer(sessions[0]!.accessToken).POST('/auth/logout', { body: { allSessions: true } });
      expect(response.status).to.equal(204);
      for (const s of sessions) expect(await sessionRow(s.sessionId)).to.include({ revoke_reason: 'logout_all' });
      const audits = await auditRows(app, user.id, { action: 'auth.logout' });
      expect(audits[0]!.after).to.deep.equal({ allSessions: true });
      const events = await outboxEvents(app, 'auth.sessions_revoked', 'userId', user.id);
      expect(events).to.have.length(1);
      expect([...(events[0]!.event.payload.sessionIds as string[])].sort()).to.deep.equal(sessions.map((s) => s.sessionId).sort());
    });

    it('a refresh token belonging to another user is ignored silently', async function () {
      const me = await createUser(app, { role: 'employee' });
      const victim = await createUser(app, { role: 'employee' });
      const mine = await signIn(app, me);
      const theirs = await signIn(app, victim);
      const { response } = await bearer(mine.accessToken).POST('/auth/logout', { body: { refreshToken: theirs.refreshToken, allSessions: true } });
      expect(response.status).to.equal(204);
      expect(await sessionRow(mine.sessionId)).to.include({ revoke_reason: 'logout_all' });
      expect((await sessionRow(theirs.sessionId)).revoked_at).to.equal(null);
      expect((await anon.POST('/auth/refresh', { body: { refreshToken: theirs.refreshToken } })).response.status).to.equal(200);
    });

    it('neither a valid access token nor a valid refresh token → 401', async function () {
      const none = await anon.POST('/auth/logout', {});
      expectError(none, 401, 'AUTH_ERROR');
      expect(none.response.headers.get('www-authenticate')).to.equal('Bearer');
      const bad = await bearer('not.a.jwt').POST('/auth/logout', { body: { refreshToken: 'unknown-refresh-token', allSessions: true } });
      expectError(bad, 401, 'AUTH_ERROR');
      // A rotated (used) refresh token is no credential for logout, and is not treated as reuse here either.
      const user = await createUser(app, { role: 'employee' });
      const session = await signIn(app, user);
      const rotated = ok(await anon.POST('/auth/refresh', { body: { refreshToken: session.refreshToken } }));
      expectError(await anon.POST('/auth/logout', { body: { refreshToken: session.refreshToken } }), 401, 'AUTH_ERROR');
      expect((await sessionRow(session.sessionId)).revoked_at).to.equal(null);
      // An idle-expired refresh token is no credential either.
      clock.advance(app.config.refreshTokenDays * DAY + 1000);
      expectError(await anon.POST('/auth/logout', { body: { refreshToken: rotated.refreshToken } }), 401, 'AUTH_ERROR');
      expect((await sessionRow(session.sessionId)).revoked_at).to.equal(null);
      expect(await auditRows(app, user.id, { action: 'auth.logout' })).to.deep.equal([]);
    });
  });

  describe('A4 requestPasswordReset', function () {
    it('an active user gets one newest-only token (120 min), an email with the frontend link, and an audit row', async function () {
      const user = await createUser(app, { role: 'employee' });
      const first = await requestReset(user.email.toUpperCase());
      const { data, response } = await anon.POST('/auth/forgot-password', { body: { email: user.email } });
      expect(response.status).to.equal(202);
      expect(data!.message).to.equal(RESET_MESSAGE);
      expect(response.headers.get('ratelimit')).to.match(/^limit=3, remaining=\d, reset=\d+$/);
      const second = data!.debugToken!;
      expect(second).to.match(/^[A-Za-z0-9_-]{43}$/);

      const { rows } = await app.sql.query<{ token_hash: string; invalidated_at: Date | null; expires_at: Date; created_at: Date; requested_ip: string }>(
        'SELECT token_hash, invalidated_at, expires_at, created_at, requested_ip FROM password_reset_tokens WHERE user_id = $1 ORDER BY created_at, invalidated_at NULLS LAST',
        [user.id],
      );
      expect(rows).to.have.length(2);
      expect(rows.find((r) => r.token_hash === sha256Hex(first))!.invalidated_at).to.not.equal(null);
      const live = rows.find((r) => r.token_hash === sha256Hex(second))!;
      expect(live.invalidated_at).to.equal(null);
      expect(live.expires_at.getTime() - clock.now().getTime()).to.equal(120 * MINUTE);
      expect(live.requested_ip).to.match(/127\.0\.0\.1/);

      const emails = await emailsTo(user.email);
      expect(emails).to.have.length(2);
      expect(emails[1]!.template).to.equal('password_reset');
      expect(emails[1]!.subject).to.equal('Password reset');
      expect(emails[1]!.status).to.equal('disabled'); // SMTP_HOST is empty in this app
      expect(emails[1]!.text_body).to.include(`${app.config.frontendBaseUrl}/reset-password?token=${second}`);
      expect(emails[1]!.html_body).to.include(`${app.config.frontendBaseUrl}/reset-password?token=${second}`);
      const audits = await auditRows(app, user.id, { action: 'auth.password_reset_requested' });
      expect(audits).to.have.length(2);
      expect(audits[0]!.actor_user_id).to.equal(null);
      expect(JSON.stringify(audits)).to.not.include(second);
    });

    it('row 19: unknown, suspended, invited and inactive emails → the same 202; no token, no email', async function () {
      const suspended = await createUser(app, { role: 'employee', status: 'suspended' });
      const invited = await createUser(app, { role: 'employee', status: 'invited' });
      const inactive = await createUser(app, { role: 'employee', status: 'inactive' });
      for (const email of ['unknown-row19@example.com', suspended.email, invited.email, inactive.email]) {
        await app.sql.query('DELETE FROM auth_rate_limits');
        const { data, response } = await anon.POST('/auth/forgot-password', { body: { email } });
        expect(response.status, email).to.equal(202);
        expect(data, email).to.deep.equal({ message: RESET_MESSAGE });
        expect(await emailsTo(email), email).to.have.length(0);
      }
      const { rows } = await app.sql.query('SELECT 1 FROM password_reset_tokens WHERE user_id = ANY($1)', [[suspended.id, invited.id, inactive.id]]);
      expect(rows).to.have.length(0);
    });

    it('an invalid email → 422 body.email', async function () {
      const r = await post('/auth/forgot-password', { email: 'not an email' });
      expect(r.response.status).to.equal(422);
      expect(r.body!.error.details.map((d: { field: string }) => d.field)).to.deep.equal(['body.email']);
    });
  });

  describe('A5 resetPassword', function () {
    it('sets the password, uses the token once, revokes every session (password_reset) and audits', async function () {
      const user = await createUser(app, { role: 'employee' });
      const a = await signIn(app, user);
      const b = await signIn(app, user);
      const token = await requestReset(user.email);
      const { response } = await anon.POST('/auth/reset-password', { body: { token, newPassword: NEW_PASSWORD } });
      expect(response.status).to.equal(204);
      expect(response.headers.get('ratelimit-policy')).to.equal('5;w=900');
      for (const s of [a, b]) expect(await sessionRow(s.sessionId)).to.include({ revoke_reason: 'password_reset' });
      expect((await bearer(a.accessToken).GET('/auth/me/permissions')).response.status).to.equal(401);
      const events = await outboxEvents(app, 'auth.sessions_revoked', 'userId', user.id);
      expect(events.at(-1)!.event.payload.reason).to.equal('password_reset');
      expect([...(events.at(-1)!.event.payload.sessionIds as string[])].sort()).to.deep.equal([a.sessionId, b.sessionId].sort());

      expect((await login(user.email, PASSWORD)).response.status).to.equal(401);
      expect((await login(user.email, NEW_PASSWORD)).response.status).to.equal(200);
      const { rows } = await app.sql.query<{ password_changed_at: Date }>('SELECT password_changed_at FROM users WHERE id = $1', [user.id]);
      expect(rows[0]!.password_changed_at.toISOString()).to.equal(clock.now().toISOString());
      const audits = await auditRows(app, user.id, { action: 'auth.password_reset_completed' });
      expect(audits).to.have.length(1);
      expect(audits[0]!.actor_user_id).to.equal(null);

      const again = await anon.POST('/auth/reset-password', { body: { token, newPassword: 'Another-Passphrase-77' } });
      expect422(again.response, again.error, 'body.token', INVALID_TOKEN);
    });

    it('row 21: a used, superseded or expired token, or one whose user was suspended → 422 body.token `Invalid or expired token.`', async function () {
      const user = await createUser(app, { role: 'employee' });
      const used = await requestReset(user.email);
      expect((await anon.POST('/auth/reset-password', { body: { token: used, newPassword: NEW_PASSWORD } })).response.status).to.equal(204);
      const superseded = await requestReset(user.email);
      await requestReset(user.email); // supersedes the one above
      await app.sql.query('DELETE FROM auth_rate_limits');
      const expiring = await createUser(app, { role: 'employee' });
      const expired = await requestReset(expiring.email);
      const suspendedUser = await createUser(app, { role: 'employee' });
      const afterSuspension = await requestReset(suspendedUser.email);
      await app.sql.query(`UPDATE users SET status = 'suspended' WHERE id = $1`, [suspendedUser.id]);
      clock.advance(121 * MINUTE);
      await app.sql.query('DELETE FROM auth_rate_limits');
      const current = await requestReset(user.email);

      for (const [label, token] of [
        ['used', used],
        ['superseded', superseded],
        ['expired', expired],
        ['after suspension', afterSuspension],
      ] as const) {
        await app.sql.query('DELETE FROM auth_rate_limits');
        const { response, error } = await anon.POST('/auth/reset-password', { body: { token, newPassword: 'Yet-Another-Passphrase-1' } });
        const envelope = expect422(response, error, 'body.token', INVALID_TOKEN);
        expect(envelope.details, label).to.have.length(1);
      }
      const { rows } = await app.sql.query<{ status: string }>('SELECT status FROM users WHERE id = $1', [suspendedUser.id]);
      expect(rows[0]!.status).to.equal('suspended');
      expect((await anon.POST('/auth/reset-password', { body: { token: current, newPassword: 'Yet-Another-Passphrase-1' } })).response.status).to.equal(204);
    });

    it('row 24: a token field of 10 000 characters → 422 body.token', async function () {
      for (const path of ['/auth/reset-password', '/auth/activate-account'] as const) {
        const body = path === '/auth/reset-password' ? { token: 'x'.repeat(10_000), newPassword: NEW_PASSWORD } : { token: 'x'.repeat(10_000), password: NEW_PASSWORD };
        const r = await post(path, body);
        expect(r.response.status, path).to.equal(422);
        expect(r.body!.error.details).to.deep.equal([{ field: 'body.token', message: 'Invalid value.' }]);
      }
    });

    it('row 25 (reset): 11 / 129 characters, `password`, equal to the email, U+0000 → 422 body.newPassword; not counted; the token stays usable', async function () {
      const user = await createUser(app, { role: 'employee', email: `long-local-part-${Date.now()}@example.com` });
      const token = await requestReset(user.email);
      const bad = ['A'.repeat(11), 'A'.repeat(129), 'password', user.email, user.email.split('@')[0]!.toUpperCase(), 'Valid-Looking\u0000Passphrase', '              '];
      for (const newPassword of bad) {
        const { response, error } = await anon.POST('/auth/reset-password', { body: { token, newPassword } });
        const envelope = expect422(response, error, 'body.newPassword');
        expect(JSON.stringify(envelope), JSON.stringify(newPassword)).to.not.include(newPassword);
      }
      const { rows } = await app.sql.query<{ counter: number }>(`SELECT counter FROM auth_rate_limits WHERE scope = 'reset:ip'`);
      expect(rows.reduce((n, r) => n + r.counter, 0)).to.equal(0);
      expect((await anon.POST('/auth/reset-password', { body: { token, newPassword: NEW_PASSWORD } })).response.status).to.equal(204);
    });
  });

  describe('A6 activateAccount', function () {
    async function invite(spec: { status?: 'invited' | 'inactive' } = {}) {
      const user = await createUser(app, { role: 'employee', status: 'invited', ...spec });
      const token = await issueAccountToken(app.running.db, 'invitation', user.id, clock.now(), app.config.invitationTtlHours * 3_600_000);
      return { user, token };
    }

    it('activates an invited user (status, status_changed_at, password), audits, and the user can then log in', async function () {
      const { user, token } = await invite();
      const { response } = await anon.POST('/auth/activate-account', { body: { token, password: NEW_PASSWORD } });
      expect(response.status).to.equal(204);
      expect(response.headers.get('ratelimit-policy')).to.equal('5;w=900');
      const { rows } = await app.sql.query<{ status: string; status_changed_at: Date; password_hash: string | null }>(
        'SELECT status, status_changed_at, password_hash FROM users WHERE id = $1',
        [user.id],
      );
      expect(rows[0]!.status).to.equal('active');
      expect(rows[0]!.status_changed_at.toISOString()).to.equal(clock.now().toISOString());
      expect(rows[0]!.password_hash).to.match(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      const audits = await auditRows(app, user.id, { action: 'auth.account_activated' });
      expect(audits).to.have.length(1);
      expect(audits[0]!.after).to.deep.equal({ status: 'active' });
      const { data } = await login(user.email, NEW_PASSWORD);
      expect(data!.user.status).to.equal('active');
    });

    it('row 23: a reused activation token, or a user deactivated after the invitation → 422 body.token; the user stays inactive', async function () {
      const { token } = await invite();
      expect((await anon.POST('/auth/activate-account', { body: { token, password: NEW_PASSWORD } })).response.status).to.equal(204);
      const reused = await anon.POST('/auth/activate-account', { body: { token, password: 'Other-Passphrase-123' } });
      expect422(reused.response, reused.error, 'body.token', INVALID_TOKEN);

      const { user, token: pending } = await invite();
      await app.sql.query(`UPDATE users SET status = 'inactive' WHERE id = $1`, [user.id]);
      const r = await anon.POST('/auth/activate-account', { body: { token: pending, password: NEW_PASSWORD } });
      expect422(r.response, r.error, 'body.token', INVALID_TOKEN);
      const { rows } = await app.sql.query<{ status: string; password_hash: string | null }>('SELECT status, password_hash FROM users WHERE id = $1', [user.id]);
      expect(rows[0]).to.deep.equal({ status: 'inactive', password_hash: null });
    });

    it('row 25 (activation): policy violations → 422 body.password, the invitation stays usable', async function () {
      const { user, token } = await invite();
      for (const password of ['A'.repeat(11), 'A'.repeat(129), 'password', 'changeme', 'Passphrase\u0000Padding', user.email]) {
        const { response, error } = await anon.POST('/auth/activate-account', { body: { token, password } });
        const envelope = expect422(response, error, 'body.password');
        // (`password` itself is also the field's name, so only the detail message is checked for it.)
        for (const d of envelope.details) expect(d.message).to.not.include(password);
        if (password !== 'password') expect(JSON.stringify(envelope)).to.not.include(password);
      }
      expect((await anon.POST('/auth/activate-account', { body: { token, password: NEW_PASSWORD } })).response.status).to.equal(204);
    });
  });

  describe('A7 getMyPermissions / A8 issueWsTicket', function () {
    it('A7 returns the role and the effective permissions (role keys + grants − denies), sorted', async function () {
      const user = await createUser(app, { role: 'employee' });
      await app.sql.query(
        `INSERT INTO user_permission_overrides (user_id, permission_key, granted) VALUES ($1, 'users.view_team', true), ($1, 'projects.create', false)`,
        [user.id],
      );
      const session = await signIn(app, user);
      const { data, response } = await bearer(session.accessToken).GET('/auth/me/permissions');
      expect(response.status).to.equal(200);
      expect(data!.userId).to.equal(user.id);
      expect(data!.role).to.equal('employee');
      expect(data!.permissions).to.include('users.view_team');
      expect(data!.permissions).to.include('leave.apply');
      expect(data!.permissions).to.not.include('projects.create');
      expect(data!.permissions).to.deep.equal([...data!.permissions].sort());
    });

    it('A8 issues a 43-character single-use ticket bound to the user and session, stored as its SHA-256 for 60 s, not audited', async function () {
      const user = await createUser(app, { role: 'intern' });
      const session = await signIn(app, user);
      const { data, response } = await bearer(session.accessToken).POST('/auth/ws-ticket', {});
      expect(response.status).to.equal(200);
      expect(response.headers.get('ratelimit-policy')).to.equal('20;w=60');
      expect(response.headers.get('ratelimit')).to.equal('limit=20, remaining=19, reset=60');
      expect(data!.expiresInSeconds).to.equal(60);
      expect(data!.ticket).to.match(/^[A-Za-z0-9_-]{43}$/);
      const { rows } = await app.sql.query<{ ticket_hash: Buffer; user_id: string; session_id: string; issued_at: Date; expires_at: Date; consumed_at: Date | null }>(
        'SELECT ticket_hash, user_id, session_id, issued_at, expires_at, consumed_at FROM ws_tickets WHERE user_id = $1',
        [user.id],
      );
      expect(rows).to.have.length(1);
      expect(rows[0]!.ticket_hash.toString('hex')).to.equal(sha256Hex(data!.ticket));
      expect(rows[0]!.session_id).to.equal(session.sessionId);
      expect(rows[0]!.expires_at.getTime() - rows[0]!.issued_at.getTime()).to.equal(60_000);
      expect(rows[0]!.consumed_at).to.equal(null);
      const { rows: audits } = await app.sql.query('SELECT 1 FROM audit_logs WHERE entity_id = $1', [user.id]);
      expect(audits).to.have.length(0);
    });
  });

  describe('A9 changeMyPassword', function () {
    it('changes the password, keeps the current session, revokes the others (password_changed), invalidates reset tokens, audits', async function () {
      const user = await createUser(app, { role: 'employee' });
      const current = await signIn(app, user);
      const other = await signIn(app, user);
      const resetToken = await requestReset(user.email);
      const { response } = await bearer(current.accessToken).POST('/users/me/change-password', {
        body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD },
      });
      expect(response.status).to.equal(204);
      expect(response.headers.get('ratelimit-policy')).to.equal('5;w=900');
      expect((await sessionRow(current.sessionId)).revoked_at).to.equal(null);
      expect(await sessionRow(other.sessionId)).to.include({ revoke_reason: 'password_changed' });
      expect((await bearer(current.accessToken).GET('/auth/me/permissions')).response.status).to.equal(200);
      expect((await bearer(other.accessToken).GET('/auth/me/permissions')).response.status).to.equal(401);
      const events = await outboxEvents(app, 'auth.sessions_revoked', 'userId', user.id);
      expect(events.at(-1)!.event.payload).to.deep.equal({ userId: user.id, sessionIds: [other.sessionId], reason: 'password_changed' });
      const audits = await auditRows(app, user.id, { action: 'auth.password_changed' });
      expect(audits).to.have.length(1);
      expect(audits[0]!.actor_user_id).to.equal(user.id);
      const reset = await anon.POST('/auth/reset-password', { body: { token: resetToken, newPassword: 'Attacker-Passphrase-1' } });
      expect422(reset.response, reset.error, 'body.token', INVALID_TOKEN);
      expect((await login(user.email, NEW_PASSWORD)).response.status).to.equal(200);
    });

    it('wrong current password → 422 body.currentPassword `is incorrect`; mismatch and reuse → 422 with their messages', async function () {
      const user = await createUser(app, { role: 'employee' });
      const api = bearer((await signIn(app, user)).accessToken);
      const wrong = await api.POST('/users/me/change-password', { body: { currentPassword: 'not-my-password', newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD } });
      expect422(wrong.response, wrong.error, 'body.currentPassword', 'is incorrect');
      const mismatch = await api.POST('/users/me/change-password', { body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: `${NEW_PASSWORD}!` } });
      expect422(mismatch.response, mismatch.error, 'body.confirmPassword', 'must equal newPassword');
      const same = await api.POST('/users/me/change-password', { body: { currentPassword: PASSWORD, newPassword: PASSWORD, confirmPassword: PASSWORD } });
      expect422(same.response, same.error, 'body.newPassword', 'must differ from current password');
      const { rows } = await app.sql.query<{ counter: number }>(`SELECT counter FROM auth_rate_limits WHERE scope = 'password_change:user'`);
      expect(rows.map((r) => r.counter)).to.deep.equal([1]); // only the wrong current password counted
      expect((await login(user.email, PASSWORD)).response.status).to.equal(200);
    });

    it('row 25 (change): 11 / 129 characters, `password`, equal to the email, U+0000 → 422 body.newPassword', async function () {
      const user = await createUser(app, { role: 'employee', email: `change-policy-${Date.now()}@example.com` });
      const api = bearer((await signIn(app, user)).accessToken);
      for (const newPassword of ['A'.repeat(11), 'A'.repeat(129), 'password', user.email, 'Passphrase-with-\u0000-nul']) {
        const { response, error } = await api.POST('/users/me/change-password', { body: { currentPassword: PASSWORD, newPassword, confirmPassword: newPassword } });
        const envelope = expect422(response, error, 'body.newPassword');
        expect(JSON.stringify(envelope)).to.not.include(newPassword);
      }
    });
  });

  describe('tokens and sessions (01 §4.5)', function () {
    let user: FixtureUser;
    before(async function () {
      user = await createUser(app, { role: 'employee' });
    });

    it('row 12: Authorization missing, `Basic …`, or `Bearer` with an empty token → 401 AUTH_ERROR + WWW-Authenticate: Bearer', async function () {
      for (const header of [undefined, 'Basic dXNlcjpwYXNz', 'Bearer ', 'Bearer']) {
        const response = await fetch(`${app.url}/api/v1/auth/me/permissions`, { headers: header === undefined ? {} : { authorization: header } });
        const body = (await response.json()) as ApiErrorBody;
        expect(response.status, String(header)).to.equal(401);
        expect(body.error.code).to.equal('AUTH_ERROR');
        expect(response.headers.get('www-authenticate')).to.equal('Bearer');
      }
    });

    it('row 13: JWT with alg none, HS512, RS256, another secret, or an edited payload → 401', async function () {
      const session = await signIn(app, user);
      const iat = Math.floor(clock.now().getTime() / 1000);
      const payload = { sub: user.id, sid: session.sessionId, typ: 'access', role: 'employee', iat, exp: iat + 600, iss: 'workforce-os', aud: 'workforce-os-api' };
      const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const [header, , signature] = session.accessToken.split('.');
      const forged = {
        none: `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`,
        HS512: jwt.sign(payload, TEST_SECRET, { algorithm: 'HS512' }),
        RS256: jwt.sign(payload, privateKey, { algorithm: 'RS256' }),
        otherSecret: jwt.sign(payload, 'another-secret-that-is-long-enough-0123', { algorithm: 'HS256' }),
        editedPayload: `${header}.${b64({ ...(jwt.decode(session.accessToken) as object), role: 'admin' })}.${signature}`,
      };
      for (const [label, token] of Object.entries(forged)) {
        const r = await bearer(token).GET('/auth/me/permissions');
        expect(r.response.status, label).to.equal(401);
        expect((r.error as ApiErrorBody).error.code, label).to.equal('AUTH_ERROR');
      }
      // Control: the same payload signed the way the server signs is accepted.
      const genuine = jwt.sign(payload, TEST_SECRET, { algorithm: 'HS256' });
      expect((await bearer(genuine).GET('/auth/me/permissions')).response.status).to.equal(200);
    });

    it('row 14: a refresh token sent as Bearer, an access token sent to /auth/refresh, an expired access token → 401', async function () {
      const session = await signIn(app, user);
      const asBearer = await bearer(session.refreshToken).GET('/auth/me/permissions');
      expectError(asBearer, 401, 'AUTH_ERROR');
      const wsWithRefresh = await bearer(session.refreshToken).POST('/auth/ws-ticket', {});
      expectError(wsWithRefresh, 401, 'AUTH_ERROR');
      const asRefresh = await anon.POST('/auth/refresh', { body: { refreshToken: session.accessToken } });
      expectError(asRefresh, 401, 'AUTH_ERROR', { message: INVALID_REFRESH });

      clock.advance(app.config.accessTokenMinutes * MINUTE - 1000);
      expect((await bearer(session.accessToken).GET('/auth/me/permissions')).response.status).to.equal(200);
      clock.advance(31_000 + 1000); // past exp plus the 30 s leeway
      const expired = await bearer(session.accessToken).GET('/auth/me/permissions');
      expectError(expired, 401, 'AUTH_ERROR', { message: 'Could not validate credentials.' });
    });

    it('row 18: the access token of a user suspended a second ago → 401', async function () {
      const victim = await createUser(app, { role: 'manager' });
      const session = await signIn(app, victim);
      expect((await bearer(session.accessToken).GET('/auth/me/permissions')).response.status).to.equal(200);
      await app.sql.query(`UPDATE users SET status = 'suspended' WHERE id = $1`, [victim.id]);
      const r = await bearer(session.accessToken).GET('/auth/me/permissions');
      expectError(r, 401, 'AUTH_ERROR');
    });

    it('row 26: a password of 80 × `a`; login with 72 × `a` + 8 × `b` → 401 (no truncation)', async function () {
      const target = await createUser(app, { role: 'employee' });
      const long = 'a'.repeat(80);
      const { response } = await bearer((await signIn(app, target)).accessToken).POST('/users/me/change-password', {
        body: { currentPassword: PASSWORD, newPassword: long, confirmPassword: long },
      });
      expect(response.status).to.equal(204);
      const truncated = await login(target.email, `${'a'.repeat(72)}${'b'.repeat(8)}`);
      expectError(truncated, 401, 'AUTH_ERROR', { message: INVALID_CREDENTIALS });
      expect((await login(target.email, long)).response.status).to.equal(200);
    });
  });
});

describe('auth emails and jobs (01 §4.7, 05 §6–§7)', function () {
  let app: TestApp;
  const logger = createLogger('silent');

  before(async function () {
    app = await startTestApp({ env: { ...ENV, SMTP_HOST: 'smtp.test.invalid' } });
  });

  after(async function () {
    await app?.close();
  });

  async function forgot(email: string) {
    const { response } = await app.client().POST('/auth/forgot-password', { body: { email } });
    expect(response.status).to.equal(202);
  }

  async function outbox(email: string) {
    const { rows } = await app.sql.query<{ id: string; status: string; attempts: number; next_attempt_at: Date; last_error: string | null; sent_at: Date | null; html_body: string; text_body: string }>(
      'SELECT id, status, attempts, next_attempt_at, last_error, sent_at, html_body, text_body FROM email_outbox WHERE to_email = $1',
      [email],
    );
    return rows;
  }

  it('row 46: a fullName `<img src=x onerror=alert(1)>` is escaped in the HTML part of both templates and of a queued reset email', async function () {
    const escaped = '&lt;img src=x onerror=alert(1)&gt;';
    for (const email of [
      invitationEmail({ fullName: XSS_NAME, link: 'https://app.example.com/activate?token=t', expiresInHours: 24 }),
      passwordResetEmail({ fullName: XSS_NAME, link: 'https://app.example.com/reset-password?token=t', expiresInMinutes: 120 }),
    ]) {
      expect(email.html).to.include(escaped);
      expect(email.html).to.not.include('<img');
      expect(email.text).to.include(XSS_NAME);
    }
    const user = await createUser(app, { role: 'employee', fullName: XSS_NAME });
    await forgot(user.email);
    const [row] = await outbox(user.email);
    expect(row!.html_body).to.include(`Hello ${escaped},`);
    expect(row!.html_body).to.not.include('<img');
  });

  it('email-delivery sends a pending row through the transport (SMTP_HOST set) and marks it sent', async function () {
    const user = await createUser(app, { role: 'employee' });
    await forgot(user.email);
    const [queued] = await outbox(user.email);
    expect(queued!.status).to.equal('pending');

    const transport = nodemailer.createTransport({ jsonTransport: true });
    const sent: { to: unknown; subject: string; text: string; html: string; from: unknown }[] = [];
    const capturing: MailTransport = {
      async sendMail(message) {
        const info = await transport.sendMail(message);
        sent.push(JSON.parse((info as { message: string }).message));
        return info;
      },
    };
    const now = new Date(Date.now() + 1000);
    const result = await emailDeliveryJob(app.running.db, app.config.smtp, capturing).run({ now, logger });
    expect(result).to.deep.include({ failed: 0 });
    const mine = sent.filter((m) => JSON.stringify(m.to).includes(user.email));
    expect(mine).to.have.length(1);
    expect(mine[0]!.subject).to.equal('Password reset');
    expect(mine[0]!.text).to.include('/reset-password?token=');
    expect(mine[0]!.html).to.include('/reset-password?token=');
    const [delivered] = await outbox(user.email);
    expect(delivered!.status).to.equal('sent');
    expect(delivered!.attempts).to.equal(1);
    expect(delivered!.sent_at!.toISOString()).to.equal(now.toISOString());
  });

  it('email-delivery retries a failing transport after 1, 5 and 30 minutes, then marks the row failed for good', async function () {
    const user = await createUser(app, { role: 'employee' });
    await forgot(user.email);
    const failing: MailTransport = {
      async sendMail() {
        throw Object.assign(new Error('connect ECONNREFUSED with token-bearing text'), { code: 'ECONNECTION' });
      },
    };
    const job = emailDeliveryJob(app.running.db, app.config.smtp, failing);
    let now = new Date(Date.now() + 1000);
    const expected = [
      { attempts: 1, status: 'pending', delay: 1 },
      { attempts: 2, status: 'pending', delay: 5 },
      { attempts: 3, status: 'pending', delay: 30 },
    ];
    for (const step of expected) {
      await job.run({ now, logger });
      const [row] = await outbox(user.email);
      expect(row).to.include({ attempts: step.attempts, status: step.status, last_error: 'ECONNECTION' });
      expect(row!.next_attempt_at.getTime() - now.getTime()).to.equal(step.delay * MINUTE);
      // Not due before its time.
      await job.run({ now: new Date(row!.next_attempt_at.getTime() - 1000), logger });
      expect((await outbox(user.email))[0]!.attempts).to.equal(step.attempts);
      now = row!.next_attempt_at;
    }
    await job.run({ now, logger });
    const [final] = await outbox(user.email);
    expect(final).to.include({ attempts: 4, status: 'failed', last_error: 'ECONNECTION', sent_at: null });
    await job.run({ now: new Date(now.getTime() + DAY), logger });
    expect((await outbox(user.email))[0]!.attempts).to.equal(4);
  });

  it('with SMTP_HOST empty the outbox row is `disabled` and the job sends nothing', async function () {
    const plain = await startTestApp({ env: ENV });
    try {
      const user = await createUser(plain, { role: 'employee' });
      const { response } = await plain.client().POST('/auth/forgot-password', { body: { email: user.email } });
      expect(response.status).to.equal(202);
      const { rows } = await plain.sql.query<{ status: string }>('SELECT status FROM email_outbox WHERE to_email = $1', [user.email]);
      expect(rows.map((r) => r.status)).to.deep.equal(['disabled']);
      const outcome = await plain.running.services.scheduler.runOnce('email-delivery');
      expect(outcome).to.deep.equal({ ran: true, result: { sent: 0, failed: 0 } });
      const { rows: after } = await plain.sql.query<{ status: string }>('SELECT status FROM email_outbox WHERE to_email = $1', [user.email]);
      expect(after.map((r) => r.status)).to.deep.equal(['disabled']);
    } finally {
      await plain.close();
    }
  });

  it('purge deletes expired refresh tokens and rate-limit rows idle for 24 h, and keeps live ones', async function () {
    const user = await createUser(app, { role: 'employee' });
    const session = await signIn(app, user);
    const now = new Date(Date.now() + 60_000);
    const { rows: s } = await app.sql.query<{ id: string }>(
      `INSERT INTO auth_sessions (user_id, created_at, absolute_expires_at) VALUES ($1, $2, $3) RETURNING id`,
      [user.id, new Date(now.getTime() - 10 * DAY), new Date(now.getTime() + 20 * DAY)],
    );
    await app.sql.query(`INSERT INTO refresh_tokens (session_id, token_hash, issued_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $4)`, [
      s[0]!.id,
      sha256Hex(`expired-${user.id}`),
      new Date(now.getTime() - 10 * DAY),
      new Date(now.getTime() - 3 * DAY),
    ]);
    await app.sql.query(
      `INSERT INTO auth_rate_limits (scope, key_hash, counter, window_started_at, updated_at) VALUES
         ('login:ip', $1, 3, $3, $3), ('login:ip', $2, 1, $4, $4)`,
      [sha256Hex(`idle-${user.id}`), sha256Hex(`fresh-${user.id}`), new Date(now.getTime() - DAY - 1000), new Date(now.getTime() - 60_000)],
    );
    const result = await purgeJob(app.running.db).run({ now, logger });
    expect(result).to.have.property('refreshTokens').that.is.at.least(1);
    expect(result).to.have.property('rateLimits').that.is.at.least(1);
    const { rows: tokens } = await app.sql.query<{ token_hash: string }>('SELECT token_hash FROM refresh_tokens WHERE token_hash = ANY($1)', [
      [sha256Hex(`expired-${user.id}`), sha256Hex(session.refreshToken)],
    ]);
    expect(tokens.map((t) => t.token_hash)).to.deep.equal([sha256Hex(session.refreshToken)]);
    const { rows: limits } = await app.sql.query<{ key_hash: string }>('SELECT key_hash FROM auth_rate_limits WHERE key_hash = ANY($1)', [
      [sha256Hex(`idle-${user.id}`), sha256Hex(`fresh-${user.id}`)],
    ]);
    expect(limits.map((l) => l.key_hash)).to.deep.equal([sha256Hex(`fresh-${user.id}`)]);
  });
});

describe('auth in production (APP_ENV=production)', function () {
  let app: TestApp;

  before(async function () {
    app = await startTestApp({
      env: {
        ...ENV,
        APP_ENV: 'production',
        APP_SECRET_KEY: 'prod-secret-0123456789-abcdefghij-KLMNOP',
        FRONTEND_BASE_URL: 'https://app.example.com',
        CORS_ORIGINS: 'https://app.example.com',
      },
    });
  });

  after(async function () {
    await app?.close();
  });

  it('forgot-password carries no debugToken, but the email holds the link to FRONTEND_BASE_URL', async function () {
    const user = await createUser(app, { role: 'employee' });
    const { data, response } = await app.client().POST('/auth/forgot-password', { body: { email: user.email } });
    expect(response.status).to.equal(202);
    expect(data).to.deep.equal({ message: RESET_MESSAGE });
    const { rows } = await app.sql.query<{ text_body: string }>('SELECT text_body FROM email_outbox WHERE to_email = $1', [user.email]);
    expect(rows).to.have.length(1);
    expect(rows[0]!.text_body).to.match(/https:\/\/app\.example\.com\/reset-password\?token=[A-Za-z0-9_-]{43}/);
  });
});
