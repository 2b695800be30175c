/**
 * The Idempotency-Key machinery (05 §4) on a real database: the response is stored in the same transaction as the
 * effect; parallel duplicates wait for the first and replay it; another body is a 422; a failed first run frees the key.
 * (HTTP-level replays are tested with the operations that accept the header.)
 */
import { expect } from 'chai';
import { sql } from 'slonik';
import { NoRows } from '../../src/db/sql.ts';
import { AppError } from '../../src/http/errors.ts';
import { createUser } from '../helpers/fixtures.ts';
import { startTestApp, type TestApp } from '../helpers/harness.ts';

describe('idempotency keys (05 §4)', function () {
  let app: TestApp;
  let userId: string;

  before(async () => {
    app = await startTestApp();
    userId = (await createUser(app, { role: 'employee' })).id;
    await app.sql.query('CREATE TABLE idem_effects (id serial PRIMARY KEY, label text NOT NULL)');
  });
  after(() => app.close());

  const effect = (label: string, delayMs = 0) => async () => {
    const { db } = app.running;
    // Inside run(), the scoped pool routes this into the key's transaction.
    await db.query(sql.type(NoRows)`INSERT INTO idem_effects (label) VALUES (${label})`);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    return { status: 201, body: { label, at: 'fixed' } };
  };
  const count = async (label: string) => Number((await app.sql.query('SELECT count(*) FROM idem_effects WHERE label = $1', [label])).rows[0].count);
  const scope = (key: string, body: unknown = { a: 1 }) => ({ userId, operationId: 'checkIn', key, body, pathParams: {} });

  it('stores the first response and replays it byte for byte', async () => {
    const { idempotency } = app.running.services;
    const first = await idempotency.run(scope('k-replay'), effect('replay'));
    const second = await idempotency.run(scope('k-replay'), effect('replay'));
    expect(first).to.deep.equal({ status: 201, bodyText: '{"label":"replay","at":"fixed"}', replayed: false });
    expect(second).to.deep.equal({ status: 201, bodyText: first.bodyText, replayed: true });
    expect(await count('replay')).to.equal(1);
  });

  it('treats bodies with the same content in another key order as the same request', async () => {
    const { idempotency } = app.running.services;
    await idempotency.run(scope('k-order', { a: 1, b: 2 }), effect('order'));
    const again = await idempotency.run(scope('k-order', { b: 2, a: 1 }), effect('order'));
    expect(again.replayed).to.equal(true);
    expect(await count('order')).to.equal(1);
  });

  it('refuses the same key with another body (422 header.idempotency-key)', async () => {
    const { idempotency } = app.running.services;
    await idempotency.run(scope('k-body', { a: 1 }), effect('body'));
    try {
      await idempotency.run(scope('k-body', { a: 2 }), effect('body'));
      expect.fail('expected a 422');
    } catch (error) {
      expect(error).to.be.instanceOf(AppError);
      expect((error as AppError).status).to.equal(422);
      expect((error as AppError).details).to.deep.equal([{ field: 'header.idempotency-key', message: 'was already used with a different request' }]);
    }
    expect(await count('body')).to.equal(1);
  });

  it('N parallel requests with one key: one effect, N identical responses', async () => {
    const { idempotency } = app.running.services;
    const results = await Promise.all(Array.from({ length: 12 }, () => idempotency.run(scope('k-parallel'), effect('parallel', 150))));
    expect(await count('parallel')).to.equal(1);
    expect(new Set(results.map((r) => r.bodyText)).size).to.equal(1);
    expect(results.filter((r) => !r.replayed)).to.have.length(1);
    expect(results.filter((r) => r.replayed)).to.have.length(11);
  });

  it('a failed first attempt stores nothing, so the key can be retried', async () => {
    const { idempotency } = app.running.services;
    const failing = async () => {
      await effect('failed')();
      throw new AppError(409, 'CONFLICT', 'nope');
    };
    try {
      await idempotency.run(scope('k-fail'), failing);
      expect.fail('expected the error');
    } catch (error) {
      expect((error as AppError).status).to.equal(409);
    }
    expect(await count('failed')).to.equal(0); // the effect rolled back with the key
    const retry = await idempotency.run(scope('k-fail'), effect('failed'));
    expect(retry.replayed).to.equal(false);
    expect(await count('failed')).to.equal(1);
  });

  it('keys are scoped per user and per operation', async () => {
    const { idempotency } = app.running.services;
    const other = (await createUser(app, { role: 'employee' })).id;
    await idempotency.run(scope('k-scope'), effect('scope'));
    const otherUser = await idempotency.run({ ...scope('k-scope'), userId: other }, effect('scope'));
    const otherOp = await idempotency.run({ ...scope('k-scope'), operationId: 'checkOut' }, effect('scope'));
    expect(otherUser.replayed).to.equal(false);
    expect(otherOp.replayed).to.equal(false);
    expect(await count('scope')).to.equal(3);
  });

  it('an expired record (older than 24 h) no longer replays', async () => {
    const { idempotency } = app.running.services;
    await idempotency.run(scope('k-expired'), effect('expired'));
    await app.sql.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'k-expired'`);
    const again = await idempotency.run(scope('k-expired'), effect('expired'));
    expect(again.replayed).to.equal(false);
    expect(await count('expired')).to.equal(2);
  });
});
