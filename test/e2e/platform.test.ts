/**
 * Platform behaviour (00 §Errors, 01 §3.4, 05 §10–§11) against the real app on port 0 and a real PostgreSQL,
 * through the generated SDK. Plain `fetch` only where the SDK cannot send the request: unknown routes,
 * wrong methods and CORS preflights.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { pino } from 'pino';
import { createApiClient, type ApiClient } from '../../generated/sdk/src/index.ts';
import { createApp, createServices } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createDbPool, type Db } from '../../src/db/pool.ts';
import { BUNDLE_PATH } from '../../src/http/operations.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { startTestApp, TEST_SECRET, testEnv, type TestApp } from '../helpers/harness.ts';
import { expectError, expectErrorBody, type Envelope } from '../helpers/expect.ts';

const INTERNAL_MESSAGE = 'An unexpected internal server error occurred.';
const DEV_ORIGIN = 'http://localhost:3000';
const EVIL_ORIGIN = 'https://evil.example';
const PROD_ORIGIN = 'https://app.example.com';
const PRODUCTION_ENV = {
  APP_ENV: 'production',
  APP_SECRET_KEY: 'prod-secret-0123456789-abcdefghij-KLMNOP', // 40 characters
  FRONTEND_BASE_URL: PROD_ORIGIN,
  CORS_ORIGINS: PROD_ORIGIN,
};
const EXPOSED_HEADERS = [
  'Content-Disposition',
  'Content-Length',
  'Content-Range',
  'Accept-Ranges',
  'Retry-After',
  'X-Request-Id',
  'RateLimit',
  'RateLimit-Policy',
  'Idempotent-Replayed',
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** 01 §3.4: on every response — success, error, 404, 405, 500, preflight. HSTS in production only. */
function expectSecurityHeaders(headers: Headers, production = false): void {
  expect(headers.get('x-content-type-options')).to.equal('nosniff');
  expect(headers.get('referrer-policy')).to.equal('strict-origin-when-cross-origin');
  expect(headers.get('permissions-policy')).to.equal('camera=(), microphone=(), geolocation=(), payment=()');
  expect(headers.get('x-frame-options')).to.equal('DENY');
  expect(headers.get('cache-control')).to.equal('no-store');
  if (production) {
    expect(headers.get('strict-transport-security')).to.equal('max-age=31536000; includeSubDomains');
  } else {
    expect(headers.get('strict-transport-security')).to.equal(null);
  }
}

function accessControlHeaders(headers: Headers): string[] {
  return [...headers.keys()].filter((name) => name.toLowerCase().startsWith('access-control-'));
}

function expectCorsAllowed(headers: Headers, origin: string): void {
  expect(headers.get('access-control-allow-origin')).to.equal(origin);
  expect(headers.get('access-control-allow-credentials')).to.equal('true');
  const exposed = (headers.get('access-control-expose-headers') ?? '').split(',').map((h) => h.trim().toLowerCase());
  for (const name of EXPOSED_HEADERS) expect(exposed, `exposed headers list ${name}`).to.include(name.toLowerCase());
  expect(headers.get('vary') ?? '').to.match(/\bOrigin\b/i);
}

function list(header: string | null): string[] {
  return (header ?? '').split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);
}

async function preflight(baseUrl: string, path: string, origin: string): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key, x-request-id',
    },
  });
}

describe('platform (APP_ENV=test)', function () {
  let app: TestApp;
  let client: ApiClient;

  before(async function () {
    app = await startTestApp();
    client = app.client();
  });

  after(async function () {
    await app?.close();
  });

  describe('platform routes', function () {
    it('GET / names the service and nothing else', async function () {
      const { data, error, response } = await client.GET('/');
      expect(error).to.equal(undefined);
      expect(response.status).to.equal(200);
      expect(data).to.deep.equal({ message: 'Workforce Intelligence API' });
      expectSecurityHeaders(response.headers);
    });

    it('GET /health answers {status:"ok"} and reveals no version, env or config', async function () {
      const { data, response } = await client.GET('/health');
      expect(response.status).to.equal(200);
      expect(data).to.deep.equal({ status: 'ok' });
      expect(response.headers.get('content-type')).to.match(/^application\/json/);
      expectSecurityHeaders(response.headers);
    });

    it('GET /health/ready answers {status:"ready"} when the database is reachable and migrated', async function () {
      const { data, response } = await client.GET('/health/ready');
      expect(response.status).to.equal(200);
      expect(data).to.deep.equal({ status: 'ready' });
    });

    it('GET /api/v1/openapi.json and GET /docs are 404 NOT_FOUND outside development (test)', async function () {
      const spec = await client.GET('/openapi.json');
      expect(spec.data).to.equal(undefined);
      expectError(spec, 404, 'NOT_FOUND');
      const docs = await client.GET('/docs', { parseAs: 'text' });
      expect(docs.data).to.equal(undefined);
      expectError(docs, 404, 'NOT_FOUND');
    });
  });

  describe('error envelope', function () {
    it('404 NOT_FOUND for an unknown route under /api/v1 and outside it', async function () {
      for (const path of ['/api/v1/nope', '/nope', '/api/v2/health']) {
        const response = await fetch(`${app.url}${path}`);
        const body: unknown = await response.json();
        const error = expectErrorBody(response, body, 404, 'NOT_FOUND', { message: 'Resource not found.' });
        expect(error.details).to.deep.equal([]);
        expect(error.requestId).to.match(UUID);
        expectSecurityHeaders(response.headers);
      }
    });

    it('404 (not 405) for a wrong method on an unknown route', async function () {
      const response = await fetch(`${app.url}/api/v1/nope`, { method: 'DELETE' });
      expectErrorBody(response, await response.json(), 404, 'NOT_FOUND');
      expect(response.headers.get('allow')).to.equal(null);
    });

    it('405 API_ERROR with Allow for a wrong method on a known route', async function () {
      const response = await fetch(`${app.url}/health`, { method: 'PUT' });
      const error = expectErrorBody(response, await response.json(), 405, 'API_ERROR', { message: 'Method not allowed.' });
      expect(error.details).to.deep.equal([]);
      expect(list(response.headers.get('allow'))).to.include('get').and.not.include('put');
      expectSecurityHeaders(response.headers);

      const post = await fetch(`${app.url}/api/v1/openapi.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expectErrorBody(post, await post.json(), 405, 'API_ERROR');
      expect(list(post.headers.get('allow'))).to.deep.equal(['get']);
    });

    it('422 VALIDATION_ERROR naming an unknown query parameter (query.foo), value not echoed', async function () {
      const { data, error, response } = await client.GET('/health', { params: { query: { foo: 'sneaky-value-42' } } } as never);
      expect(data).to.equal(undefined);
      const envelope = expectErrorBody(response, error, 422, 'VALIDATION_ERROR', { message: 'Request validation failed.' });
      expect(envelope.details.map((d) => d.field)).to.deep.equal(['query.foo']);
      expect(envelope.details[0]!.message).to.be.a('string').that.is.not.empty;
      expect(JSON.stringify(error)).not.to.include('sneaky-value-42');
    });

    it('echoes a sane incoming X-Request-Id in the header and in error bodies', async function () {
      const sane = 'trace-01.abc:XYZ_9';
      const ok = await client.GET('/health', { headers: { 'X-Request-Id': sane } });
      expect(ok.data).to.deep.equal({ status: 'ok' });
      expect(ok.response.headers.get('x-request-id')).to.equal(sane);

      const failed = await client.GET('/health', { params: { query: { foo: '1' } }, headers: { 'X-Request-Id': sane } } as never);
      const envelope = expectError(failed, 422, 'VALIDATION_ERROR');
      expect(envelope.requestId).to.equal(sane);

      const missing = await fetch(`${app.url}/api/v1/nope`, { headers: { 'X-Request-Id': sane } });
      expect(expectErrorBody(missing, await missing.json(), 404, 'NOT_FOUND').requestId).to.equal(sane);
    });

    it('replaces an insane X-Request-Id (too long, spaces, markup) with a generated one', async function () {
      const insane = ['a'.repeat(300), 'has spaces in it', '<script>alert(1)</script>', 'x'.repeat(129)];
      for (const sent of insane) {
        const response = await fetch(`${app.url}/api/v1/nope`, { headers: { 'X-Request-Id': sent } });
        const text = await response.text();
        const error = expectErrorBody(response, JSON.parse(text), 404, 'NOT_FOUND');
        expect(error.requestId).to.not.equal(sent);
        expect(error.requestId).to.match(UUID);
        expect(text).not.to.include(sent);
      }
    });

    it('generates a distinct requestId per request when none is sent', async function () {
      const a = await client.GET('/health');
      const b = await client.GET('/health');
      expect(a.response.headers.get('x-request-id')).to.match(UUID);
      expect(b.response.headers.get('x-request-id')).to.match(UUID);
      expect(a.response.headers.get('x-request-id')).to.not.equal(b.response.headers.get('x-request-id'));
    });
  });

  describe('CORS (development/test origins)', function () {
    it('echoes an allowed dev origin with credentials and the exposed headers', async function () {
      const { data, response } = await client.GET('/health', { headers: { Origin: DEV_ORIGIN } });
      expect(data).to.deep.equal({ status: 'ok' });
      expectCorsAllowed(response.headers, DEV_ORIGIN);
    });

    it('accepts every dev origin of 01 §3.4 and the default FRONTEND_BASE_URL', async function () {
      for (const origin of ['http://localhost:3001', 'http://localhost:3002', 'http://127.0.0.1:3000', 'http://127.0.0.1:3002']) {
        const { response } = await client.GET('/', { headers: { Origin: origin } });
        expect(response.headers.get('access-control-allow-origin'), origin).to.equal(origin);
      }
    });

    it('gives a non-allowed origin no Access-Control-* header at all (no patterns, no near misses)', async function () {
      for (const origin of [EVIL_ORIGIN, 'http://localhost:3000.evil.example', 'http://localhost:4000', 'https://localhost:3000', 'null']) {
        const { data, response } = await client.GET('/health', { headers: { Origin: origin } });
        expect(data).to.deep.equal({ status: 'ok' });
        expect(accessControlHeaders(response.headers), origin).to.deep.equal([]);
      }
    });

    it('answers a preflight from an allowed origin with methods and allowed headers (Idempotency-Key, X-Request-Id)', async function () {
      const response = await preflight(app.url, '/api/v1/openapi.json', DEV_ORIGIN);
      expect(response.status).to.equal(204);
      expect(await response.text()).to.equal('');
      expectCorsAllowed(response.headers, DEV_ORIGIN);
      expect(list(response.headers.get('access-control-allow-methods'))).to.include.members(['get', 'post', 'put', 'patch', 'delete', 'options', 'head']);
      expect(list(response.headers.get('access-control-allow-headers'))).to.include.members([
        'authorization',
        'content-type',
        'accept',
        'origin',
        'range',
        'x-requested-with',
        'x-request-id',
        'idempotency-key',
      ]);
      expectSecurityHeaders(response.headers);
    });

    it('answers a preflight from a non-allowed origin without any Access-Control-* header', async function () {
      const response = await preflight(app.url, '/health', EVIL_ORIGIN);
      expect(await response.text()).to.equal('');
      expect(accessControlHeaders(response.headers)).to.deep.equal([]);
      expectSecurityHeaders(response.headers);
    });

    it('puts the CORS headers on error responses for an allowed origin', async function () {
      const response = await fetch(`${app.url}/api/v1/nope`, { headers: { Origin: DEV_ORIGIN } });
      expectErrorBody(response, await response.json(), 404, 'NOT_FOUND');
      expectCorsAllowed(response.headers, DEV_ORIGIN);

      const invalid = await client.GET('/health', { params: { query: { foo: '1' } }, headers: { Origin: DEV_ORIGIN } } as never);
      expectError(invalid, 422, 'VALIDATION_ERROR');
      expectCorsAllowed(invalid.response.headers, DEV_ORIGIN);
    });
  });
});

describe('platform: forced 500 (handler override)', function () {
  let db: Db;
  let server: http.Server;
  let client: ApiClient;
  const rawBodies: string[] = [];
  const logLines: string[] = [];
  const SQL = `SELECT password_hash FROM users WHERE email = 'ceo@corp.example'`;
  const PASSWORD = 'Hunter2-TopSecret-Pa55';

  before(async function () {
    const databaseUrl = await createTestDatabase();
    const config = loadConfig(testEnv(databaseUrl));
    db = await createDbPool(databaseUrl, { statementTimeoutMs: 5_000 });
    const logger = pino({ level: 'error', base: undefined }, { write: (line: string) => void logLines.push(line) });
    const deps = { config, db, clock: systemClock, logger, secretKey: TEST_SECRET };
    const { app } = createApp(deps, createServices(deps), {
      getRoot: () => {
        throw new Error(`syntax error at or near "FROM" in ${SQL}; connection postgresql://admin:${PASSWORD}@db.internal/wf`);
      },
    });
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // Tap the raw bytes: the SDK parses the body, the leak check needs it verbatim.
    const tap = async (request: Request) => {
      const response = await fetch(request);
      rawBodies.push(await response.clone().text());
      return response;
    };
    client = createApiClient({ baseUrl: `http://127.0.0.1:${port}`, fetch: tap });
  });

  after(async function () {
    if (server) await new Promise((resolve) => server.close(resolve));
    await db?.end();
  });

  it('answers 500 INTERNAL_ERROR with the fixed message and leaks no SQL, secret or stack', async function () {
    rawBodies.length = 0;
    const { data, error, response } = await client.GET('/', { headers: { 'X-Request-Id': 'crash-probe-1' } });
    expect(data).to.equal(undefined);
    const envelope = expectErrorBody(response, error, 500, 'INTERNAL_ERROR', { message: INTERNAL_MESSAGE });
    expect(envelope.details).to.deep.equal([]);
    expect(envelope.requestId).to.equal('crash-probe-1');
    expect(rawBodies).to.have.length(1);
    const raw = rawBodies[0]!;
    expect(JSON.parse(raw)).to.deep.equal({ error: { code: 'INTERNAL_ERROR', message: INTERNAL_MESSAGE, details: [], requestId: 'crash-probe-1' } });
    for (const leak of [SQL, 'SELECT', 'password_hash', PASSWORD, 'postgresql://', 'syntax error', 'Error:', 'at ', '.ts:']) {
      expect(raw, `body leaks ${leak}`).not.to.include(leak);
    }
    expectSecurityHeaders(response.headers);
  });

  it('logs the failure with its requestId for operators', async function () {
    logLines.length = 0;
    const { response } = await client.GET('/', { headers: { 'X-Request-Id': 'crash-probe-2' } });
    expect(response.status).to.equal(500);
    const entries = logLines.map((l) => JSON.parse(l) as { requestId?: string; operationId?: string; msg?: string });
    const entry = entries.find((e) => e.requestId === 'crash-probe-2');
    expect(entry, 'an error log line carrying the requestId').to.not.equal(undefined);
    expect(entry!.operationId).to.equal('getRoot');
  });

  it('puts the CORS headers on a 500 for an allowed origin', async function () {
    const { error, response } = await client.GET('/', { headers: { Origin: DEV_ORIGIN } });
    expectErrorBody(response, error, 500, 'INTERNAL_ERROR', { message: INTERNAL_MESSAGE });
    expectCorsAllowed(response.headers, DEV_ORIGIN);
  });

  it('leaves the other handlers untouched', async function () {
    const { data } = await client.GET('/health');
    expect(data).to.deep.equal({ status: 'ok' });
  });
});

describe('platform (APP_ENV=production)', function () {
  let app: TestApp;
  let client: ApiClient;

  before(async function () {
    app = await startTestApp({ env: PRODUCTION_ENV });
    client = app.client();
    expect(app.config.appEnv).to.equal('production');
  });

  after(async function () {
    await app?.close();
  });

  it('sends Strict-Transport-Security and the other security headers on success and errors', async function () {
    const ok = await client.GET('/health');
    expect(ok.data).to.deep.equal({ status: 'ok' });
    expectSecurityHeaders(ok.response.headers, true);

    const missing = await fetch(`${app.url}/api/v1/nope`);
    expectErrorBody(missing, await missing.json(), 404, 'NOT_FOUND');
    expectSecurityHeaders(missing.headers, true);

    const wrongMethod = await fetch(`${app.url}/`, { method: 'DELETE' });
    expectErrorBody(wrongMethod, await wrongMethod.json(), 405, 'API_ERROR');
    expectSecurityHeaders(wrongMethod.headers, true);

    const pre = await preflight(app.url, '/health', PROD_ORIGIN);
    expect(pre.status).to.equal(204);
    expectSecurityHeaders(pre.headers, true);
  });

  it('allows only the configured origin: no localhost, no dev origins, no strangers', async function () {
    for (const origin of ['http://localhost:5173', DEV_ORIGIN, 'http://127.0.0.1:3000', EVIL_ORIGIN, 'http://app.example.com', 'https://app.example.com.evil.example']) {
      const { data, response } = await client.GET('/health', { headers: { Origin: origin } });
      expect(data).to.deep.equal({ status: 'ok' });
      expect(response.headers.get('access-control-allow-origin'), origin).to.equal(null);
      expect(accessControlHeaders(response.headers), origin).to.deep.equal([]);
    }
    const { data, response } = await client.GET('/health', { headers: { Origin: PROD_ORIGIN } });
    expect(data).to.deep.equal({ status: 'ok' });
    expectCorsAllowed(response.headers, PROD_ORIGIN);
  });

  it('answers a preflight from the configured origin and refuses one from localhost', async function () {
    const allowed = await preflight(app.url, '/api/v1/openapi.json', PROD_ORIGIN);
    expect(allowed.status).to.equal(204);
    expectCorsAllowed(allowed.headers, PROD_ORIGIN);
    expect(list(allowed.headers.get('access-control-allow-headers'))).to.include.members(['idempotency-key', 'x-request-id']);

    const refused = await preflight(app.url, '/api/v1/openapi.json', 'http://localhost:5173');
    expect(accessControlHeaders(refused.headers)).to.deep.equal([]);
  });

  it('puts the CORS headers on error responses for the allowed origin', async function () {
    const response = await fetch(`${app.url}/api/v1/nope`, { headers: { Origin: PROD_ORIGIN } });
    expectErrorBody(response, await response.json(), 404, 'NOT_FOUND');
    expectCorsAllowed(response.headers, PROD_ORIGIN);

    const invalid = await client.GET('/health', { params: { query: { foo: '1' } }, headers: { Origin: PROD_ORIGIN } } as never);
    const envelope = expectError(invalid, 422, 'VALIDATION_ERROR');
    expect(envelope.details.map((d) => d.field)).to.deep.equal(['query.foo']);
    expectCorsAllowed(invalid.response.headers, PROD_ORIGIN);
  });

  it('serves neither the contract nor the docs (404 NOT_FOUND envelopes)', async function () {
    const spec = await client.GET('/openapi.json');
    expect(spec.data).to.equal(undefined);
    expectError(spec, 404, 'NOT_FOUND');
    expectSecurityHeaders(spec.response.headers, true);

    const docs = await client.GET('/docs', { parseAs: 'text' });
    expect(docs.data).to.equal(undefined);
    expectError(docs, 404, 'NOT_FOUND');
  });
});

describe('platform (APP_ENV=development)', function () {
  let app: TestApp;
  let client: ApiClient;

  before(async function () {
    app = await startTestApp({ env: { APP_ENV: 'development' } });
    client = app.client();
  });

  after(async function () {
    await app?.close();
  });

  it('serves the bundled contract at /api/v1/openapi.json', async function () {
    const { data, error, response } = await client.GET('/openapi.json');
    expect(error).to.equal(undefined);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    const spec = data as { openapi: string; servers: { url: string }[]; paths: Record<string, unknown> };
    expect(spec.openapi).to.equal('3.1.0');
    expect(spec.servers[0]!.url).to.equal('/api/v1');
    expect(spec.paths).to.include.keys('/health', '/openapi.json');
    expect(spec).to.deep.equal(JSON.parse(readFileSync(BUNDLE_PATH, 'utf8')));
    expectSecurityHeaders(response.headers);
  });

  it('serves the rendered reference at /docs as HTML', async function () {
    this.timeout(60_000); // built lazily by redocly on the first request
    const { data, error, response } = await client.GET('/docs', { parseAs: 'text' });
    expect(error).to.equal(undefined);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/html/);
    expect(data).to.be.a('string');
    expect(data).to.match(/<html/i);
    expect(data).to.include('Workforce Intelligence');
    expectSecurityHeaders(response.headers);
  });

  it('sends no Strict-Transport-Security in development', async function () {
    const { response } = await client.GET('/');
    expect(response.headers.get('strict-transport-security')).to.equal(null);
  });
});

describe('platform: liveness without the database', function () {
  let app: TestApp | null = null;
  let sqlClosed = false;

  afterEach(async function () {
    if (app && !sqlClosed) await app.sql.end();
    await app?.running.close();
    app = null;
  });

  it('/health stays 200 after the database is gone while /health/ready turns 503 not_ready', async function () {
    app = await startTestApp();
    const client = app.client();
    expect((await client.GET('/health/ready')).data).to.deep.equal({ status: 'ready' });

    // Take the database away from under the running app.
    await app.sql.end();
    sqlClosed = true;
    const databaseUrl = new URL(app.config.databaseUrl!);
    const name = databaseUrl.pathname.slice(1);
    const adminUrl = new URL(databaseUrl);
    adminUrl.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    try {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await admin.query(`DROP DATABASE ${admin.escapeIdentifier(name)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }

    const health = await client.GET('/health');
    expect(health.response.status).to.equal(200);
    expect(health.data).to.deep.equal({ status: 'ok' });

    const ready = await client.GET('/health/ready');
    expect(ready.response.status).to.equal(503);
    const body = (ready.data ?? ready.error) as { status: string; error: Envelope };
    expect(body).to.have.all.keys('status', 'error');
    expect(body.status).to.equal('not_ready');
    expect(body.error).to.have.all.keys('code', 'message', 'details', 'requestId');
    expect(body.error.code).to.equal('INTERNAL_ERROR');
    expect(body.error.message).to.be.a('string').that.is.not.empty;
    expect(body.error.details).to.deep.equal([]);
    expect(body.error.requestId).to.equal(ready.response.headers.get('x-request-id'));
    expect(JSON.stringify(body)).not.to.include(name);

    const again = await client.GET('/health');
    expect(again.data).to.deep.equal({ status: 'ok' });
  });
});
