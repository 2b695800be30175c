/**
 * The auth rate limits (01 §4.6, §5 rows 5–7, 20, 22; 05 §5): fixed windows in PostgreSQL, checked before any
 * credential or token, the limit-th failure still answered normally, refused requests not counted, 422 never
 * counted, RateLimit headers on every response of A1, A4, A5, A6, A8, A9 and Retry-After ≥ 1 on 429.
 * Each describe starts its own app; counters are cleared before each test.
 */
import { expect } from 'chai';
import { createApiClient, type ApiClient, type ApiErrorBody } from '../../generated/sdk/src/index.ts';
import { issueAccountToken } from '../../src/auth/account-tokens.ts';
import { RateLimiter } from '../../src/auth/rate-limit.ts';
import { PASSWORD_CHANGE_LIMIT, WS_TICKET_LIMIT } from '../../src/modules/auth/rate-rules.ts';
import { createUser, PASSWORD, signIn } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';
import { expectErrorBody } from '../helpers/expect.ts';

const MINUTE = 60_000;
const ENV = { RATE_LIMIT_PER_IP_PER_MINUTE: '100000' };
const NEW_PASSWORD = 'Brand-New-Passphrase-42';

function expect429(response: Response, error: unknown, windowSeconds = 900): number {
  expectErrorBody(response, error, 429, 'RATE_LIMIT_ERROR', { message: 'Too many requests. Please try again later.' });
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).to.be.at.least(1);
  expect(retryAfter).to.be.at.most(windowSeconds);
  expect(response.headers.get('ratelimit')).to.match(/^limit=\d+, remaining=0, reset=\d+$/);
  return retryAfter;
}

function expectRateHeaders(response: Response, policy: string): void {
  expect(response.headers.get('ratelimit-policy'), 'RateLimit-Policy').to.equal(policy);
  expect(response.headers.get('ratelimit'), 'RateLimit').to.match(/^limit=\d+, remaining=\d+, reset=\d+$/);
}

async function counters(app: TestApp, scope: string): Promise<number[]> {
  const { rows } = await app.sql.query<{ counter: number }>('SELECT counter FROM auth_rate_limits WHERE scope = $1 ORDER BY counter', [scope]);
  return rows.map((r) => r.counter);
}

describe('auth rate limits (01 §4.6)', function () {
  let app: TestApp;
  let clock: FixedClock;
  let anon: ApiClient;
  const bearer = (token: string) => createApiClient({ baseUrl: app.url, headers: { Authorization: `Bearer ${token}` }, autoRefresh: false });
  const login = (email: string, password: string, headers: Record<string, string> = {}) => anon.POST('/auth/login', { body: { email, password }, headers });

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

  describe('login (login:ip 5 / 15 min, login:email 10 / 15 min)', function () {
    it('row 5: the 6th attempt from one IP after 5 failures → 429 even with the right password; Retry-After ≥ 1', async function () {
      const user = await createUser(app, { role: 'employee' });
      for (let i = 1; i <= 5; i++) {
        const { response, error } = await login(user.email, `wrong-password-${i}`);
        expect(response.status, `attempt ${i}`).to.equal(401);
        expect((error as ApiErrorBody).error.message).to.equal('Invalid email or password.');
        expect(response.headers.get('ratelimit')).to.equal(`limit=5, remaining=${5 - i}, reset=900`);
        expectRateHeaders(response, '5;w=900');
      }
      const { response, error } = await login(user.email, PASSWORD);
      expect(expect429(response, error)).to.equal(900);
      expect(await counters(app, 'login:ip')).to.deep.equal([5]);
      // Refused requests are not counted and do not extend the window.
      clock.advance(10 * MINUTE);
      const later = await login(user.email, PASSWORD);
      expect(expect429(later.response, later.error)).to.equal(300);
      clock.advance(5 * MINUTE);
      expect((await login(user.email, PASSWORD)).response.status).to.equal(200);
    });

    it('row 6: a different X-Forwarded-For on every request (TRUSTED_PROXY_HOPS=0) → still 429', async function () {
      const user = await createUser(app, { role: 'employee' });
      for (let i = 1; i <= 5; i++) {
        const { response } = await login(user.email, 'wrong-password', { 'X-Forwarded-For': `203.0.113.${i}` });
        expect(response.status).to.equal(401);
      }
      const { response, error } = await login(user.email, PASSWORD, { 'X-Forwarded-For': '198.51.100.77' });
      expect429(response, error);
    });

    it('row 7: an attacker logging into an own account between failures on a victim does not reset the IP counter', async function () {
      const victim = await createUser(app, { role: 'admin' });
      const attacker = await createUser(app, { role: 'employee' });
      const sequence = ['victim', 'victim', 'own', 'victim', 'own', 'victim', 'victim'] as const;
      for (const who of sequence) {
        const { response } = who === 'own' ? await login(attacker.email, PASSWORD) : await login(victim.email, 'guess-password');
        expect(response.status, who).to.equal(who === 'own' ? 200 : 401);
      }
      // 5 failures counted on the IP; the successes were not counted and reset nothing on the IP key.
      const sixth = await login(victim.email, 'guess-password');
      expect429(sixth.response, sixth.error);
      const own = await login(attacker.email, PASSWORD);
      expect429(own.response, own.error);
    });

    it('a 422 never counts; a success refunds the IP slot and clears login:email', async function () {
      const user = await createUser(app, { role: 'employee' });
      for (let i = 0; i < 8; i++) {
        const r = await fetch(`${app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email }) });
        expect(r.status).to.equal(422);
      }
      expect(await counters(app, 'login:ip')).to.deep.equal([]);
      expect((await login(user.email, 'wrong-1')).response.status).to.equal(401);
      expect((await login(user.email, 'wrong-2')).response.status).to.equal(401);
      expect(await counters(app, 'login:email')).to.deep.equal([2]);
      const ok = await login(user.email, PASSWORD);
      expect(ok.response.status).to.equal(200);
      expectRateHeaders(ok.response, '5;w=900');
      // The headers describe the keys after the refund: 2 failures counted on the IP, the email key cleared.
      expect(ok.response.headers.get('ratelimit')).to.equal('limit=5, remaining=3, reset=900');
      expect(await counters(app, 'login:ip')).to.deep.equal([2]);
      expect(await counters(app, 'login:email')).to.deep.equal([]);
    });

    it('403 (suspended, right password) counts as a failure on both keys', async function () {
      const suspended = await createUser(app, { role: 'employee', status: 'suspended' });
      const { response } = await login(suspended.email, PASSWORD);
      expect(response.status).to.equal(403);
      expect(await counters(app, 'login:ip')).to.deep.equal([1]);
      expect(await counters(app, 'login:email')).to.deep.equal([1]);
    });
  });

  describe('forgot-password (3 / 15 min per IP and per email)', function () {
    it('row 20: the 4th forgot-password within 15 min from one IP → 429; every validated request counts', async function () {
      const emails = ['a@example.com', 'b@example.com', 'c@example.com'];
      for (const [i, email] of emails.entries()) {
        const { response } = await anon.POST('/auth/forgot-password', { body: { email } });
        expect(response.status).to.equal(202);
        expectRateHeaders(response, '3;w=900');
        expect(response.headers.get('ratelimit')).to.equal(`limit=3, remaining=${2 - i}, reset=900`);
      }
      const { response, error } = await anon.POST('/auth/forgot-password', { body: { email: 'd@example.com' } });
      expect429(response, error);
      // A 422 is not a validated request and is not counted either way.
      const invalid = await fetch(`${app.url}/api/v1/auth/forgot-password`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"nope"}' });
      expect(invalid.status).to.equal(422);
      expect(await counters(app, 'forgot:ip')).to.deep.equal([3]);
    });
  });

  describe('reset-password (reset:ip 5 / 15 min) and activate-account (activate:ip 5 / 15 min)', function () {
    it('row 22: the 6th bad reset token from one IP within 15 min → 429 (before the token is looked at); a good token refunds', async function () {
      const user = await createUser(app, { role: 'employee' });
      const good = (await anon.POST('/auth/forgot-password', { body: { email: user.email } })).data!.debugToken!;
      const success = await anon.POST('/auth/reset-password', { body: { token: good, newPassword: NEW_PASSWORD } });
      expect(success.response.status).to.equal(204);
      expect(success.response.headers.get('ratelimit')).to.equal('limit=5, remaining=5, reset=900');
      expect(await counters(app, 'reset:ip')).to.deep.equal([0]);
      for (let i = 1; i <= 5; i++) {
        const { response, error } = await anon.POST('/auth/reset-password', { body: { token: `bad-token-${i}`, newPassword: NEW_PASSWORD } });
        expect(response.status, `attempt ${i}`).to.equal(422);
        expect((error as ApiErrorBody).error.details).to.deep.equal([{ field: 'body.token', message: 'Invalid or expired token.' }]);
        expectRateHeaders(response, '5;w=900');
      }
      const another = (await anon.POST('/auth/forgot-password', { body: { email: user.email } })).data!.debugToken!;
      const locked = await anon.POST('/auth/reset-password', { body: { token: another, newPassword: 'Another-Passphrase-9' } });
      expect429(locked.response, locked.error);
      // A policy violation is answered before the lock is even consulted and counts nothing.
      const policy = await anon.POST('/auth/reset-password', { body: { token: another, newPassword: 'short' } });
      expect(policy.response.status).to.equal(422);
      expect((policy.error as ApiErrorBody).error.details).to.deep.equal([{ field: 'body.newPassword', message: 'must be at least 12 characters' }]);
      expect(policy.response.headers.get('ratelimit')).to.equal('limit=5, remaining=0, reset=900');
      expect(await counters(app, 'reset:ip')).to.deep.equal([5]);
      clock.advance(15 * MINUTE);
      expect((await anon.POST('/auth/reset-password', { body: { token: another, newPassword: 'Another-Passphrase-9' } })).response.status).to.equal(204);
    });

    it('the 6th bad activation token from one IP → 429; a valid invitation is refused too while locked', async function () {
      const invited = await createUser(app, { role: 'employee', status: 'invited' });
      const token = await issueAccountToken(app.running.db, 'invitation', invited.id, clock.now(), 24 * 3_600_000);
      for (let i = 1; i <= 5; i++) {
        const { response } = await anon.POST('/auth/activate-account', { body: { token: `bad-${i}`, password: NEW_PASSWORD } });
        expect(response.status).to.equal(422);
        expectRateHeaders(response, '5;w=900');
      }
      const locked = await anon.POST('/auth/activate-account', { body: { token, password: NEW_PASSWORD } });
      expect429(locked.response, locked.error);
      const { rows } = await app.sql.query<{ status: string }>('SELECT status FROM users WHERE id = $1', [invited.id]);
      expect(rows[0]!.status).to.equal('invited');
    });
  });

  describe('per-user limits (fixed by the spec)', function () {
    it(`change-password: the ${PASSWORD_CHANGE_LIMIT.max + 1}th request after ${PASSWORD_CHANGE_LIMIT.max} wrong current passwords → 429, even with the right one`, async function () {
      const user = await createUser(app, { role: 'employee' });
      const api = bearer((await signIn(app, user)).accessToken);
      const body = (currentPassword: string) => ({ currentPassword, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
      // Outcomes that are not a wrong current password do not count.
      const mismatch = await api.POST('/users/me/change-password', { body: { ...body(PASSWORD), confirmPassword: 'different-value-1' } });
      expect(mismatch.response.status).to.equal(422);
      expectRateHeaders(mismatch.response, `${PASSWORD_CHANGE_LIMIT.max};w=${PASSWORD_CHANGE_LIMIT.windowSeconds}`);
      for (let i = 1; i <= PASSWORD_CHANGE_LIMIT.max; i++) {
        const { response } = await api.POST('/users/me/change-password', { body: body(`wrong-current-${i}`) });
        expect(response.status).to.equal(422);
        expectRateHeaders(response, '5;w=900');
      }
      const locked = await api.POST('/users/me/change-password', { body: body(PASSWORD) });
      expect429(locked.response, locked.error);
      expect(await counters(app, 'password_change:user')).to.deep.equal([PASSWORD_CHANGE_LIMIT.max]);
    });

    it(`ws-ticket: ${WS_TICKET_LIMIT.max} tickets per minute, the next → 429 with Retry-After ≤ 60`, async function () {
      const user = await createUser(app, { role: 'employee' });
      const api = bearer((await signIn(app, user)).accessToken);
      for (let i = 1; i <= WS_TICKET_LIMIT.max; i++) {
        const { response } = await api.POST('/auth/ws-ticket', {});
        expect(response.status).to.equal(200);
        expect(response.headers.get('ratelimit')).to.equal(`limit=20, remaining=${20 - i}, reset=60`);
      }
      const locked = await api.POST('/auth/ws-ticket', {});
      expect429(locked.response, locked.error, WS_TICKET_LIMIT.windowSeconds);
      clock.advance(WS_TICKET_LIMIT.windowSeconds * 1000);
      expect((await api.POST('/auth/ws-ticket', {})).response.status).to.equal(200);
    });
  });
});

describe('auth rate limits behind one trusted proxy (TRUSTED_PROXY_HOPS=1)', function () {
  let app: TestApp;
  let anon: ApiClient;

  before(async function () {
    app = await startTestApp({ env: { ...ENV, TRUSTED_PROXY_HOPS: '1' } });
    anon = app.client();
  });

  after(async function () {
    await app?.close();
  });

  it('row 20: the 4th forgot-password for one email within 15 min (from different IPs) → 429', async function () {
    const user = await createUser(app, { role: 'employee' });
    for (let i = 1; i <= 3; i++) {
      const { response } = await anon.POST('/auth/forgot-password', { body: { email: user.email }, headers: { 'X-Forwarded-For': `203.0.113.${i}` } });
      expect(response.status).to.equal(202);
    }
    const { response, error } = await anon.POST('/auth/forgot-password', { body: { email: user.email.toUpperCase() }, headers: { 'X-Forwarded-For': '203.0.113.99' } });
    expect429(response, error);
    // The refused request gave its IP slot back.
    const { rows } = await app.sql.query<{ counter: number }>(`SELECT counter FROM auth_rate_limits WHERE scope = 'forgot:ip' AND key_hash = $1`, [
      RateLimiter.keyHash({ scope: 'forgot:ip', max: 3, windowSeconds: 900 }, '203.0.113.99'),
    ]);
    expect(rows.map((r) => r.counter)).to.deep.equal([0]);
  });

  it('login:email: the 11th failure on one email from rotating IPs → 429; the client IP is the right-most X-Forwarded-For entry', async function () {
    const user = await createUser(app, { role: 'employee' });
    for (let i = 1; i <= 10; i++) {
      const { response } = await anon.POST('/auth/login', { body: { email: user.email, password: 'wrong-password' }, headers: { 'X-Forwarded-For': `10.0.0.1, 198.51.100.${i}` } });
      expect(response.status).to.equal(401);
    }
    const { response, error } = await anon.POST('/auth/login', { body: { email: user.email, password: PASSWORD }, headers: { 'X-Forwarded-For': '198.51.100.200' } });
    expect429(response, error);
    const other = await createUser(app, { role: 'employee' });
    const fine = await anon.POST('/auth/login', { body: { email: other.email, password: PASSWORD }, headers: { 'X-Forwarded-For': '198.51.100.200' } });
    expect(fine.response.status).to.equal(200);
    const { rows } = await app.sql.query<{ ip_address: string }>('SELECT ip_address FROM auth_sessions WHERE user_id = $1', [other.id]);
    expect(rows[0]!.ip_address).to.equal('198.51.100.200');
  });
});
