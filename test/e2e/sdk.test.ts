/**
 * The generated SDK as partners use it: typed envelope errors, bearer handling, one automatic refresh + retry on
 * 401, routing of the platform paths to the host root, and a packable package.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ApiError, createApiClient, unwrap, type Tokens } from '../../generated/sdk/src/index.ts';
import { expectError } from '../helpers/expect.ts';
import { createUser, PASSWORD } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';

describe('generated SDK', function () {
  let app: TestApp;
  const clock = new FixedClock('2026-11-28T09:00:00.000Z');

  before(async () => {
    app = await startTestApp({ clock });
  });
  after(() => app.close());

  it('sends platform paths to the host root and API paths under /api/v1', async () => {
    const api = createApiClient({ baseUrl: app.url });
    expect(unwrap(await api.GET('/health'))).to.deep.equal({ status: 'ok' });
    expect(unwrap(await api.GET('/'))).to.deep.equal({ message: 'Workforce Intelligence API' });
  });

  it('turns error responses into ApiError carrying the envelope', async () => {
    const api = createApiClient({ baseUrl: app.url });
    try {
      unwrap(await api.GET('/users/me'));
      expect.fail('expected a 401');
    } catch (error) {
      expect(error).to.be.instanceOf(ApiError);
      expect((error as ApiError).status).to.equal(401);
      expect((error as ApiError).code).to.equal('AUTH_ERROR');
      expect((error as ApiError).body.error.requestId).to.be.a('string');
    }
  });

  it('logs in, then refreshes once and retries when the access token has expired', async () => {
    const user = await createUser(app, { role: 'employee' });
    const seen: (Tokens | null)[] = [];
    const api = createApiClient({ baseUrl: app.url, onTokens: (t) => seen.push(t) });
    const login = unwrap(await api.POST('/auth/login', { body: { email: user.email, password: PASSWORD } }));
    api.setTokens(login);
    expect(unwrap(await api.GET('/users/me')).id).to.equal(user.id);

    clock.advance(16 * 60 * 1000); // past the 15-minute access token
    const me = unwrap(await api.GET('/users/me'));
    expect(me.id).to.equal(user.id);
    const latest = api.getTokens()!;
    expect(latest.accessToken).to.not.equal(login.accessToken);
    expect(latest.refreshToken).to.not.equal(login.refreshToken);
    expect(seen.at(-1)).to.deep.equal(latest);
  });

  it('gives up (and forgets the tokens) when the refresh token is no longer valid', async () => {
    const user = await createUser(app, { role: 'employee' });
    const api = createApiClient({ baseUrl: app.url });
    api.setTokens(unwrap(await api.POST('/auth/login', { body: { email: user.email, password: PASSWORD } })));
    await app.sql.query(`UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'logout' WHERE user_id = $1`, [user.id]);
    const result = await api.GET('/users/me');
    expect(result.response.status).to.equal(401);
    expectError(result, 401, 'AUTH_ERROR');
    expect(api.getTokens()).to.equal(null);
  });

  it('is a package that npm can pack, with compiled JavaScript and declarations', () => {
    const sdk = path.resolve(import.meta.dirname, '../../generated/sdk');
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: sdk, encoding: 'utf8' });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).to.include.members(['package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/schema.d.ts', 'README.md']);
  });
});
