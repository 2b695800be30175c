/**
 * Two API processes on one database behave as one service (05 §8, issue "Identity and access"): the second is a
 * real `node src/main.ts` process. A login rate limit tripped through one holds on the other; a session revoked
 * through one is refused by the other; a refresh token rotated on one is reuse on the other.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { createApiClient, unwrap } from '../../generated/sdk/src/index.ts';
import { expectError } from '../helpers/expect.ts';
import { createUser, PASSWORD } from '../helpers/fixtures.ts';
import { startTestApp, testEnv, type TestApp } from '../helpers/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function startProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'listening' && entry.url) resolve({ child, url: entry.url });
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`second process exited early with ${code}`)));
  });
}

describe('two API processes on one database (05 §8)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let other: { child: ChildProcess; url: string };

  before(async () => {
    app = await startTestApp();
    other = await startProcess(testEnv(app.databaseUrl, { LOG_LEVEL: 'info' }));
  });
  after(async () => {
    other?.child.kill('SIGTERM');
    await app?.close();
  });

  it('a session logged out through one process is refused by the other at once', async () => {
    const user = await createUser(app, { role: 'employee' });
    const here = createApiClient({ baseUrl: app.url });
    const tokens = unwrap(await here.POST('/auth/login', { body: { email: user.email, password: PASSWORD } }));
    const there = createApiClient({ baseUrl: other.url, tokens, autoRefresh: false });
    expect(unwrap(await there.GET('/users/me')).id).to.equal(user.id);
    here.setTokens(tokens);
    expect((await here.POST('/auth/logout', { body: {} })).response.status).to.equal(204);
    const after = await there.GET('/users/me');
    expect(after.response.status).to.equal(401);
    expect((after.error as { error: { code: string } }).error.code).to.equal('AUTH_ERROR');
  });

  it('a refresh token rotated on one process is reuse on the other (the session is revoked)', async () => {
    const user = await createUser(app, { role: 'employee' });
    const here = createApiClient({ baseUrl: app.url });
    const first = unwrap(await here.POST('/auth/login', { body: { email: user.email, password: PASSWORD } }));
    const rotated = unwrap(await here.POST('/auth/refresh', { body: { refreshToken: first.refreshToken } }));
    const there = createApiClient({ baseUrl: other.url });
    const reuse = await there.POST('/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(reuse.response.status).to.equal(401);
    expectError(reuse, 401, 'AUTH_ERROR');
    const newest = await there.POST('/auth/refresh', { body: { refreshToken: rotated.refreshToken } });
    expect(newest.response.status, 'reuse revoked the whole session').to.equal(401);
    expectError(newest, 401, 'AUTH_ERROR');
  });

  // Last: it locks the loopback address for the rest of the file.
  it('a login rate limit tripped through one process holds on the other', async () => {
    const victim = await createUser(app, { role: 'employee' });
    const here = createApiClient({ baseUrl: app.url });
    const there = createApiClient({ baseUrl: other.url });
    // Five failures (the per-IP limit) on the in-process instance…
    for (let i = 0; i < 5; i++) {
      const r = await here.POST('/auth/login', { body: { email: victim.email, password: 'Wrong-Password-123' } });
      expect(r.response.status).to.equal(401);
      expectError(r, 401, 'AUTH_ERROR');
    }
    // …and the other process refuses before checking credentials, even with the right password.
    const refused = await there.POST('/auth/login', { body: { email: victim.email, password: PASSWORD } });
    expect(refused.response.status).to.equal(429);
    expect((refused.error as { error: { code: string } }).error.code).to.equal('RATE_LIMIT_ERROR');
    expect(Number(refused.response.headers.get('retry-after'))).to.be.greaterThan(0);
  });
});
