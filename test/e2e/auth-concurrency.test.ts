/**
 * Races and multiple instances (01 §4.5, §4.6, §5 row 17; 05 §5, §8): refresh rotation is a compare-and-set,
 * rate-limit slots are reserved atomically in PostgreSQL, and two API processes on one database behave as one
 * service for rate limits and sessions.
 */
import { expect } from 'chai';
import { createApiClient, type ApiErrorBody } from '../../generated/sdk/src/index.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { createUser, PASSWORD, signIn } from '../helpers/fixtures.ts';
import { startTestApp, type TestApp } from '../helpers/harness.ts';
import { auditRows, outboxEvents } from '../helpers/rows.ts';

const ENV = { RATE_LIMIT_PER_IP_PER_MINUTE: '100000' };
const INVALID_REFRESH = 'Invalid or expired refresh token.';

describe('auth under concurrency (01 §4.5, §4.6)', function () {
  let app: TestApp;

  before(async function () {
    app = await startTestApp({ env: ENV });
  });

  beforeEach(async function () {
    await app.sql.query('DELETE FROM auth_rate_limits');
  });

  after(async function () {
    await app?.close();
  });

  async function refreshAll(refreshToken: string, n: number) {
    return Promise.all(Array.from({ length: n }, () => app.client().POST('/auth/refresh', { body: { refreshToken } })));
  }

  async function expectReuseRevoked(sessionId: string, results: Awaited<ReturnType<typeof refreshAll>>) {
    const ok = results.filter((r) => r.response.status === 200);
    const refused = results.filter((r) => r.response.status !== 200);
    expect(ok, 'exactly one refresh wins').to.have.length(1);
    for (const r of refused) {
      expect(r.response.status).to.equal(401);
      expect((r.error as ApiErrorBody).error).to.include({ code: 'AUTH_ERROR', message: INVALID_REFRESH });
    }
    const { rows } = await app.sql.query<{ revoke_reason: string | null }>('SELECT revoke_reason FROM auth_sessions WHERE id = $1', [sessionId]);
    expect(rows[0]!.revoke_reason).to.equal('reuse_detected');
    // The winner's new pair belongs to the revoked session, so it is dead too.
    const winner = ok[0]!.data!;
    const again = await app.client().POST('/auth/refresh', { body: { refreshToken: winner.refreshToken } });
    expect(again.response.status).to.equal(401);
    const me = await createApiClient({ baseUrl: app.url, headers: { Authorization: `Bearer ${winner.accessToken}` }, autoRefresh: false }).GET('/auth/me/permissions');
    expect(me.response.status).to.equal(401);
    const { rows: live } = await app.sql.query('SELECT 1 FROM refresh_tokens WHERE session_id = $1 AND used_at IS NULL', [sessionId]);
    expect(live.length, 'at most one live refresh token per session').to.be.at.most(1);
  }

  it('row 17: two concurrent refreshes with the same token → exactly one 200; the other 401 and the session revoked', async function () {
    const user = await createUser(app, { role: 'employee' });
    const session = await signIn(app, user);
    await expectReuseRevoked(session.sessionId, await refreshAll(session.refreshToken, 2));
  });

  it('10 parallel refreshes with one token → exactly one 200, nine 401, session revoked once (one audit, one event)', async function () {
    const user = await createUser(app, { role: 'employee' });
    const session = await signIn(app, user);
    await expectReuseRevoked(session.sessionId, await refreshAll(session.refreshToken, 10));
    expect(await auditRows(app, user.id, { action: 'auth.refresh_reuse_detected' })).to.have.length(1);
    expect(await outboxEvents(app, 'auth.sessions_revoked', 'userId', user.id)).to.have.length(1);
  });

  it('12 parallel wrong-password logins from one IP (limit 5) → exactly 5 answered 401, 7 answered 429; the counter never exceeds 5', async function () {
    const user = await createUser(app, { role: 'employee' });
    let maxSeen = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const { rows } = await app.sql.query<{ counter: number }>(`SELECT coalesce(max(counter), 0) AS counter FROM auth_rate_limits WHERE scope = 'login:ip'`);
        maxSeen = Math.max(maxSeen, rows[0]!.counter);
      }
    })();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => app.client().POST('/auth/login', { body: { email: user.email, password: `wrong-${i}` } })),
    );
    polling = false;
    await poll;
    const statuses = results.map((r) => r.response.status).sort();
    expect(statuses.filter((s) => s === 401)).to.have.length(5);
    expect(statuses.filter((s) => s === 429)).to.have.length(7);
    for (const r of results.filter((x) => x.response.status === 429)) {
      expect(Number(r.response.headers.get('retry-after'))).to.be.at.least(1);
    }
    const { rows } = await app.sql.query<{ counter: number }>(`SELECT counter FROM auth_rate_limits WHERE scope = 'login:ip'`);
    expect(rows.map((r) => r.counter)).to.deep.equal([5]);
    expect(maxSeen).to.be.at.most(5);
  });

  it('parallel correct and wrong logins: successes are refunded, so the IP counter ends at the number of failures', async function () {
    const users = [await createUser(app, { role: 'employee' }), await createUser(app, { role: 'employee' }), await createUser(app, { role: 'employee' })];
    const attempts = [
      ...users.map((u) => ({ email: u.email, password: PASSWORD })),
      { email: users[0]!.email, password: 'wrong-a' },
      { email: users[1]!.email, password: 'wrong-b' },
    ];
    const results = await Promise.all(attempts.map((body) => app.client().POST('/auth/login', { body })));
    expect(results.map((r) => r.response.status)).to.deep.equal([200, 200, 200, 401, 401]);
    const { rows } = await app.sql.query<{ counter: number }>(`SELECT counter FROM auth_rate_limits WHERE scope = 'login:ip'`);
    expect(rows.map((r) => r.counter)).to.deep.equal([2]);
  });
});

describe('two server instances on one database (05 §8)', function () {
  let app: TestApp;
  let second: RunningServer;

  before(async function () {
    app = await startTestApp({ env: ENV });
    second = await startServer({ config: app.config, logger: createLogger('silent'), clock: app.clock, startJobs: false });
  });

  after(async function () {
    await second?.close();
    await app?.close();
  });

  const clientOf = (url: string, token?: string) =>
    createApiClient({ baseUrl: url, autoRefresh: false, headers: token ? { Authorization: `Bearer ${token}` } : {} });

  it('a login rate limit tripped through one instance holds on the other', async function () {
    await app.sql.query('DELETE FROM auth_rate_limits');
    const user = await createUser(app, { role: 'employee' });
    for (let i = 0; i < 5; i++) {
      const { response } = await clientOf(app.url).POST('/auth/login', { body: { email: user.email, password: 'wrong-password' } });
      expect(response.status).to.equal(401);
    }
    const { response, error } = await clientOf(second.url).POST('/auth/login', { body: { email: user.email, password: PASSWORD } });
    expect(response.status).to.equal(429);
    expect((error as ApiErrorBody).error.code).to.equal('RATE_LIMIT_ERROR');
    expect(Number(response.headers.get('retry-after'))).to.be.at.least(1);
  });

  it('a session logged in on one instance works on the other; logged out through one it is refused (401) on the other', async function () {
    await app.sql.query('DELETE FROM auth_rate_limits');
    const user = await createUser(app, { role: 'employee' });
    const login = await clientOf(second.url).POST('/auth/login', { body: { email: user.email, password: PASSWORD } });
    expect(login.response.status).to.equal(200);
    const { accessToken, refreshToken } = login.data!;
    expect((await clientOf(app.url, accessToken).GET('/auth/me/permissions')).response.status).to.equal(200);

    expect((await clientOf(app.url, accessToken).POST('/auth/logout', {})).response.status).to.equal(204);
    const me = await clientOf(second.url, accessToken).GET('/auth/me/permissions');
    expect(me.response.status).to.equal(401);
    expect((me.error as ApiErrorBody).error.code).to.equal('AUTH_ERROR');
    const refresh = await clientOf(second.url).POST('/auth/refresh', { body: { refreshToken } });
    expect(refresh.response.status).to.equal(401);

    // A session from the fixture (signed with the shared secret) is accepted by both instances alike.
    const session = await signIn(app, user);
    expect((await clientOf(second.url, session.accessToken).GET('/auth/me/permissions')).response.status).to.equal(200);
  });
});
