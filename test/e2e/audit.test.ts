/**
 * The audit log (04 §2.4, §3.7, §4.3 `audit.anchor`, §5): filtered reads, read-by-id, 405 on writes, the database's
 * append-only protection (also as the restricted application role), chain verification — valid, tampered,
 * gapped, relinked — and the daily anchor job driven by a FixedClock.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ApiErrorBody } from '../../generated/sdk/src/index.ts';
import { loadConfig } from '../../src/config.ts';
import { createOrg, signIn, signInOrg, type Org, type Session } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, testEnv, type TestApp } from '../helpers/harness.ts';
import { expectError } from '../helpers/expect.ts';

const HEX64 = /^[0-9a-f]{64}$/;
const ZERO_HASH = '0'.repeat(64);

/** Inserts audit rows the way services do (the chain trigger assigns seq, prev_hash and hash). */
async function insertAudit(
  client: pg.Client,
  row: { action: string; entityType?: string; entityId?: string | null; actorUserId?: string | null; outcome?: string; occurredAt?: string; after?: object },
): Promise<{ id: string; seq: number }> {
  const { rows } = await client.query<{ id: string; seq: string }>(
    `INSERT INTO audit_logs (actor_user_id, action, entity_type, entity_id, outcome, after, metadata, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, '{}', coalesce($7::timestamptz, now())) RETURNING id, seq`,
    [row.actorUserId ?? null, row.action, row.entityType ?? 'test_entity', row.entityId ?? null, row.outcome ?? 'success', row.after ? JSON.stringify(row.after) : null, row.occurredAt ?? null],
  );
  return { id: rows[0]!.id, seq: Number(rows[0]!.seq) };
}

async function chainHead(client: pg.Client): Promise<{ seq: number; hash: string }> {
  const { rows } = await client.query(`SELECT last_seq, encode(last_hash, 'hex') AS hash FROM audit_chain_head`);
  return { seq: Number(rows[0].last_seq), hash: rows[0].hash };
}

async function auditSnapshot(client: pg.Client): Promise<string> {
  const { rows } = await client.query(`SELECT seq, encode(hash, 'hex') AS hash, after::text FROM audit_logs ORDER BY seq`);
  return JSON.stringify(rows);
}

describe('audit log API (04 §3.7)', function () {
  let app: TestApp;
  let org: Org;
  let admin: Session;
  let hr: Session;
  let employee: Session;
  const entityId = randomUUID();
  const otherEntity = randomUUID();
  let marked: { id: string; seq: number }[];

  before(async function () {
    // Asia/Karachi (UTC+5) so the org-date filter differs from the UTC date.
    app = await startTestApp({ env: { ORG_TIMEZONE: 'Asia/Karachi' } });
    org = await createOrg(app);
    ({ admin, hr, employee } = await signInOrg(app, org));
    marked = [
      await insertAudit(app.sql, { action: 'filter_test.created', entityId, actorUserId: org.admin.id, occurredAt: '2026-03-01T18:59:59.999Z' }),
      await insertAudit(app.sql, { action: 'filter_test.updated', entityId, actorUserId: org.hr.id, occurredAt: '2026-03-01T19:00:00.000Z' }),
      await insertAudit(app.sql, { action: 'filter_test.updated', entityId: otherEntity, actorUserId: org.hr.id, outcome: 'denied', occurredAt: '2026-03-02T10:00:00.000Z' }),
      await insertAudit(app.sql, { action: 'filter_test.deleted', entityId, actorUserId: null, occurredAt: '2026-03-03T19:00:00.000Z' }),
    ];
  });

  after(async function () {
    await app?.close();
  });

  describe('GET /audit-logs', function () {
    it('HR GET /audit-logs → 403 PERMISSION_ERROR (audit.view is admin only)', async function () {
      const envelope = expectError(await hr.api.GET('/audit-logs'), 403, 'PERMISSION_ERROR');
      expect(envelope.details).to.deep.equal([]);
    });

    it('employee → 403; no token → 401', async function () {
      expectError(await employee.api.GET('/audit-logs'), 403, 'PERMISSION_ERROR');
      expectError(await app.client().GET('/audit-logs'), 401, 'AUTH_ERROR');
    });

    it('admin lists entries newest first with lowercase hex hashes and the full AuditEntry shape', async function () {
      const { data, response } = await admin.api.GET('/audit-logs', { params: { query: { limit: 3 } } });
      expect(response.status).to.equal(200);
      expect(data).to.include({ limit: 3, offset: 0 });
      const { rows } = await app.sql.query(`SELECT count(*)::int AS n, max(seq)::int AS head FROM audit_logs`);
      expect(data!.total).to.equal(rows[0].n);
      expect(data!.items[0]!.seq).to.equal(rows[0].head);
      const seqs = data!.items.map((e) => e.seq);
      expect(seqs).to.deep.equal([...seqs].sort((a, b) => b - a));
      for (const entry of data!.items) {
        expect(entry).to.have.all.keys('id', 'seq', 'occurredAt', 'actorUserId', 'actorName', 'actorRole', 'action', 'entityType', 'entityId', 'entityLabel', 'outcome', 'before', 'after', 'metadata', 'prevHash', 'hash');
        expect(entry.hash).to.match(HEX64);
        expect(entry.prevHash).to.match(HEX64);
      }
    });

    it('filters by entityId and sorts by seq ascending', async function () {
      const { data } = await admin.api.GET('/audit-logs', { params: { query: { entityId, sort: 'seq' } } });
      expect(data!.items.map((e) => e.id)).to.deep.equal([marked[0]!.id, marked[1]!.id, marked[3]!.id]);
      expect(data!.total).to.equal(3);
    });

    it('filters by a comma list of exact actions (no prefix match) combined with entityType', async function () {
      const { data } = await admin.api.GET('/audit-logs', { params: { query: { action: 'filter_test.created,filter_test.deleted', entityType: 'test_entity' } } });
      expect(data!.items.map((e) => e.id)).to.deep.equal([marked[3]!.id, marked[0]!.id]);
      const prefix = await admin.api.GET('/audit-logs', { params: { query: { action: 'filter_test.update' } } });
      expect(prefix.data!.total).to.equal(0);
    });

    it('filters by actorUserId and outcome', async function () {
      const byHr = await admin.api.GET('/audit-logs', { params: { query: { actorUserId: org.hr.id, entityType: 'test_entity' } } });
      expect(byHr.data!.items.map((e) => e.id)).to.deep.equal([marked[2]!.id, marked[1]!.id]);
      const denied = await admin.api.GET('/audit-logs', { params: { query: { outcome: 'denied' } } });
      expect(denied.data!.items.map((e) => e.id)).to.deep.equal([marked[2]!.id]);
      expect(denied.data!.items[0]).to.include({ outcome: 'denied', entityId: otherEntity, actorUserId: org.hr.id });
    });

    it('from/to are inclusive dates in ORG_TIMEZONE (Asia/Karachi): 18:59:59.999Z is still 2026-03-01, 19:00Z is 2026-03-02', async function () {
      const day1 = await admin.api.GET('/audit-logs', { params: { query: { from: '2026-03-01', to: '2026-03-01', sort: 'seq' } } });
      expect(day1.data!.items.map((e) => e.id)).to.deep.equal([marked[0]!.id]);
      const day2 = await admin.api.GET('/audit-logs', { params: { query: { from: '2026-03-02', to: '2026-03-02', sort: 'seq' } } });
      expect(day2.data!.items.map((e) => e.id)).to.deep.equal([marked[1]!.id, marked[2]!.id]);
      const open = await admin.api.GET('/audit-logs', { params: { query: { to: '2026-03-03', sort: 'seq' } } });
      expect(open.data!.items.map((e) => e.id)).to.deep.equal(marked.slice(0, 3).map((m) => m.id));
      const fromOnly = await admin.api.GET('/audit-logs', { params: { query: { from: '2026-03-04', entityType: 'test_entity' } } });
      expect(fromOnly.data!.items.map((e) => e.id)).to.deep.equal([marked[3]!.id]);
    });

    it('pages with limit/offset; total stays the filtered count; an offset past the end gives an empty page', async function () {
      const page1 = await admin.api.GET('/audit-logs', { params: { query: { entityType: 'test_entity', sort: 'seq', limit: 2 } } });
      const page2 = await admin.api.GET('/audit-logs', { params: { query: { entityType: 'test_entity', sort: 'seq', limit: 2, offset: 2 } } });
      expect([...page1.data!.items, ...page2.data!.items].map((e) => e.id)).to.deep.equal(marked.map((m) => m.id));
      expect(page1.data!.total).to.equal(4);
      expect(page2.data).to.include({ total: 4, limit: 2, offset: 2 });
      const past = await admin.api.GET('/audit-logs', { params: { query: { entityType: 'test_entity', offset: 10 } } });
      expect(past.data).to.deep.equal({ items: [], total: 4, limit: 50, offset: 10 });
    });

    it('GET /audit-logs?limit=500 → 422 on query.limit', async function () {
      expectError(await admin.api.GET('/audit-logs', { params: { query: { limit: 500 } } }), 422, 'VALIDATION_ERROR', ['query.limit']);
    });

    it('GET /audit-logs?entityId=abc → 422 on query.entityId', async function () {
      expectError(await admin.api.GET('/audit-logs', { params: { query: { entityId: 'abc' } } }), 422, 'VALIDATION_ERROR', ['query.entityId']);
    });

    it('GET /audit-logs with from after to → 422 on query.to "must be on or after from"', async function () {
      const envelope = expectError(await admin.api.GET('/audit-logs', { params: { query: { from: '2026-03-10', to: '2026-03-01' } } }), 422, 'VALIDATION_ERROR', ['query.to']);
      expect(envelope.details[0]!.message).to.equal('must be on or after from');
    });

    it('21 actions, a malformed action, an impossible date or an unknown sort → 422', async function () {
      const actions = Array.from({ length: 21 }, (_, i) => `a${'x'.repeat(i % 3)}.b`).join(',');
      expectError(await admin.api.GET('/audit-logs', { params: { query: { action: actions } } }), 422, 'VALIDATION_ERROR', ['query.action']);
      const twenty = Array.from({ length: 20 }, () => 'filter_test.created').join(',');
      expect((await admin.api.GET('/audit-logs', { params: { query: { action: twenty } } })).data!.total).to.equal(1);
      expectError(await admin.api.GET('/audit-logs', { params: { query: { action: 'DROP TABLE' } } }), 422, 'VALIDATION_ERROR', ['query.action']);
      expectError(await admin.api.GET('/audit-logs', { params: { query: { from: '2026-02-30' } } }), 422, 'VALIDATION_ERROR', ['query.from']);
      expectError(await admin.api.GET('/audit-logs', { params: { query: { sort: 'occurredAt' as never } } }), 422, 'VALIDATION_ERROR', ['query.sort']);
    });
  });

  describe('GET /audit-logs/{auditLogId}', function () {
    it('returns one entry by id with hashes matching the stored bytes', async function () {
      const { data, response } = await admin.api.GET('/audit-logs/{auditLogId}', { params: { path: { auditLogId: marked[1]!.id } } });
      expect(response.status).to.equal(200);
      const { rows } = await app.sql.query(`SELECT encode(hash, 'hex') AS hash, encode(prev_hash, 'hex') AS prev FROM audit_logs WHERE id = $1`, [marked[1]!.id]);
      expect(data).to.include({ id: marked[1]!.id, seq: marked[1]!.seq, action: 'filter_test.updated', actorUserId: org.hr.id, occurredAt: '2026-03-01T19:00:00.000Z', hash: rows[0].hash, prevHash: rows[0].prev });
      expect(data!.metadata).to.deep.equal({});
    });

    it('unknown id → 404; malformed id → 422; HR → 403', async function () {
      expectError(await admin.api.GET('/audit-logs/{auditLogId}', { params: { path: { auditLogId: randomUUID() } } }), 404, 'NOT_FOUND');
      expectError(await admin.api.GET('/audit-logs/{auditLogId}', { params: { path: { auditLogId: '42' } } }), 422, 'VALIDATION_ERROR', ['path.auditLogId']);
      expectError(await hr.api.GET('/audit-logs/{auditLogId}', { params: { path: { auditLogId: marked[0]!.id } } }), 403, 'PERMISSION_ERROR');
    });

    for (const method of ['PATCH', 'DELETE', 'PUT']) {
      it(`${method} /audit-logs/{id} → 405 API_ERROR with Allow: GET, and nothing changes`, async function () {
        const before = await auditSnapshot(app.sql);
        const response = await fetch(`${app.url}/api/v1/audit-logs/${marked[0]!.id}`, {
          method,
          headers: { authorization: `Bearer ${admin.accessToken}`, 'content-type': 'application/json' },
          body: method === 'DELETE' ? undefined : JSON.stringify({ action: 'audit.tampered' }),
        });
        const body = (await response.json()) as ApiErrorBody;
        expect(response.status).to.equal(405);
        expect(body.error).to.include({ code: 'API_ERROR', message: 'Method not allowed.' });
        expect(response.headers.get('allow')).to.equal('GET');
        expect(await auditSnapshot(app.sql)).to.equal(before);
      });
    }

    it('POST/PUT/DELETE /audit-logs (the collection) → 405 API_ERROR: there is no write route', async function () {
      for (const method of ['POST', 'PUT', 'DELETE']) {
        const response = await fetch(`${app.url}/api/v1/audit-logs`, { method, headers: { authorization: `Bearer ${admin.accessToken}` } });
        expect(response.status, method).to.equal(405);
        expect(((await response.json()) as ApiErrorBody).error.code).to.equal('API_ERROR');
        expect(response.headers.get('allow')).to.equal('GET');
      }
    });
  });

  describe('append-only in the database (04 §2.4)', function () {
    const statements = {
      UPDATE: `UPDATE audit_logs SET action = 'audit.tampered' WHERE seq = 1`,
      DELETE: `DELETE FROM audit_logs`,
      TRUNCATE: `TRUNCATE audit_logs`,
    };

    for (const [name, statement] of Object.entries(statements)) {
      it(`${name} audit_logs (table owner) → SQL error 42501 "audit_logs is append-only"; nothing changes`, async function () {
        const before = await auditSnapshot(app.sql);
        const error = await app.sql.query(statement).then(() => null, (e: { code?: string; message: string }) => e);
        expect(error, 'statement must fail').to.not.equal(null);
        expect(error!.code).to.equal('42501');
        expect(error!.message).to.equal('audit_logs is append-only');
        expect(await auditSnapshot(app.sql)).to.equal(before);
      });

      it(`${name} audit_logs as the application role (SET ROLE workforce_app) → SQL error; nothing changes`, async function () {
        const before = await auditSnapshot(app.sql);
        await app.sql.query('SET ROLE workforce_app');
        try {
          const error = await app.sql.query(statement).then(() => null, (e: { code?: string; message: string }) => e);
          expect(error, 'statement must fail').to.not.equal(null);
          expect(error!.code).to.equal('42501');
          expect(error!.message).to.match(/permission denied|append-only/);
        } finally {
          await app.sql.query('RESET ROLE');
        }
        expect(await auditSnapshot(app.sql)).to.equal(before);
      });
    }

    it('the application role may INSERT (the chain trigger fills seq and hashes) but not touch audit_chain_head', async function () {
      await app.sql.query('SET ROLE workforce_app');
      try {
        const { rows } = await app.sql.query(`INSERT INTO audit_logs (action, entity_type, outcome) VALUES ('role_test.inserted', 'test_entity', 'success') RETURNING seq, encode(hash, 'hex') AS hash`);
        expect(rows[0].hash).to.match(HEX64);
        for (const statement of [`SELECT * FROM audit_chain_head`, `UPDATE audit_chain_head SET last_seq = 0`]) {
          const error = await app.sql.query(statement).then(() => null, (e: { code?: string }) => e);
          expect(error?.code, statement).to.equal('42501');
        }
        // The read-only head function of migration 0004 is how the role reads the head.
        const head = await app.sql.query(`SELECT last_seq FROM audit_chain_head_state()`);
        expect(Number(head.rows[0].last_seq)).to.equal(Number(rows[0].seq));
      } finally {
        await app.sql.query('RESET ROLE');
      }
    });
  });

  describe('GET /audit-logs/verify', function () {
    it('an intact chain verifies valid:true with checkedCount, headSeq and headHash, and writes audit.chain_verified afterwards', async function () {
      const head = await chainHead(app.sql);
      const { data, response } = await admin.api.GET('/audit-logs/verify', { headers: { 'X-Request-Id': 'verify-1' } });
      expect(response.status).to.equal(200);
      expect(data).to.deep.equal({
        valid: true,
        checkedCount: head.seq,
        fromSeq: 1,
        toSeq: head.seq,
        headSeq: head.seq,
        headHash: head.hash,
        firstInvalidSeq: null,
        reason: null,
      });
      const { rows } = await app.sql.query(`SELECT seq, actor_user_id, entity_type, entity_id, after, metadata FROM audit_logs WHERE action = 'audit.chain_verified' ORDER BY seq DESC LIMIT 1`);
      expect(Number(rows[0].seq)).to.equal(head.seq + 1);
      expect(rows[0]).to.deep.include({ actor_user_id: org.admin.id, entity_type: 'audit_log', entity_id: null, after: { valid: true, checkedCount: head.seq } });
      expect(rows[0].metadata).to.include({ requestId: 'verify-1', fromSeq: 1, toSeq: head.seq });
    });

    it('verifies a sub-range (fromSeq/toSeq) and caps toSeq at the head', async function () {
      const before = await chainHead(app.sql);
      const middle = await admin.api.GET('/audit-logs/verify', { params: { query: { fromSeq: 2, toSeq: 3 } } });
      expect(middle.data).to.include({ valid: true, checkedCount: 2, fromSeq: 2, toSeq: 3, headSeq: before.seq });
      const head = await chainHead(app.sql);
      const beyond = await admin.api.GET('/audit-logs/verify', { params: { query: { fromSeq: head.seq, toSeq: head.seq + 1000 } } });
      expect(beyond.data).to.include({ valid: true, checkedCount: 1, fromSeq: head.seq, toSeq: head.seq });
    });

    it('toSeq below fromSeq, fromSeq=0 and a span over 1 000 000 rows → 422', async function () {
      expectError(await admin.api.GET('/audit-logs/verify', { params: { query: { fromSeq: 5, toSeq: 4 } } }), 422, 'VALIDATION_ERROR', ['query.toSeq']);
      expectError(await admin.api.GET('/audit-logs/verify', { params: { query: { fromSeq: 0 } } }), 422, 'VALIDATION_ERROR', ['query.fromSeq']);
      const envelope = expectError(await admin.api.GET('/audit-logs/verify', { params: { query: { fromSeq: 1, toSeq: 1_000_001 } } }), 422, 'VALIDATION_ERROR', ['query.toSeq']);
      expect(envelope.details[0]!.message).to.match(/1000000/);
      expect((await admin.api.GET('/audit-logs/verify', { params: { query: { fromSeq: 1, toSeq: 1_000_000 } } })).data!.valid).to.equal(true);
    });

    it('HR → 403, and no audit.chain_verified row is written for it', async function () {
      const { rows: before } = await app.sql.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'audit.chain_verified'`);
      expectError(await hr.api.GET('/audit-logs/verify'), 403, 'PERMISSION_ERROR');
      const { rows: after } = await app.sql.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'audit.chain_verified'`);
      expect(after[0].n).to.equal(before[0].n);
    });
  });
});

describe('audit chain tampering by a database superuser (04 §5)', function () {
  let app: TestApp;
  let admin: Session;
  /** seq of the i-th row inserted here (1-based, as in the test names). */
  let seq: (i: number) => number;

  /** Runs `statement` with the append-only trigger disabled, as a superuser bypassing the protection would. */
  async function tamper(statement: string, values: unknown[] = []): Promise<void> {
    await app.sql.query('ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_append_only');
    try {
      await app.sql.query(statement, values);
    } finally {
      await app.sql.query('ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_append_only');
    }
  }

  before(async function () {
    app = await startTestApp();
    const org = await createOrg(app);
    admin = await signIn(app, org.admin);
    const rows: number[] = [];
    for (let i = 1; i <= 12; i++) rows.push((await insertAudit(app.sql, { action: 'tamper_test.created', after: { n: i } })).seq);
    seq = (i) => rows[i - 1]!;
  });

  after(async function () {
    await app?.close();
  });

  it('a row edited with the trigger disabled → valid:false, firstInvalidSeq = that row, reason hash_mismatch', async function () {
    const intact = await admin.api.GET('/audit-logs/verify', { params: { query: { toSeq: seq(12) } } });
    expect(intact.data).to.include({ valid: true, checkedCount: seq(12) });
    await tamper(`UPDATE audit_logs SET after = '{"n": 999}' WHERE seq = $1`, [seq(3)]);
    const { data } = await admin.api.GET('/audit-logs/verify', { params: { query: { toSeq: seq(12) } } });
    expect(data).to.include({ valid: false, firstInvalidSeq: seq(3), reason: 'hash_mismatch', checkedCount: seq(3), fromSeq: 1, toSeq: seq(12) });
    const { rows } = await app.sql.query(`SELECT after FROM audit_logs WHERE action = 'audit.chain_verified' ORDER BY seq DESC LIMIT 1`);
    expect(rows[0].after).to.deep.equal({ valid: false, checkedCount: seq(3) });
  });

  it('a deleted row → seq_gap at the missing seq', async function () {
    await tamper(`DELETE FROM audit_logs WHERE seq = $1`, [seq(6)]);
    const { data } = await admin.api.GET('/audit-logs/verify', { params: { query: { fromSeq: seq(4), toSeq: seq(12) } } });
    // Rows 4 and 5 check out; row 7 is the first one read after the gap and counts as checked.
    expect(data).to.include({ valid: false, firstInvalidSeq: seq(6), reason: 'seq_gap', checkedCount: 3, fromSeq: seq(4), toSeq: seq(12) });
  });

  it('a row re-hashed consistently but relinked → prev_hash_mismatch at that row', async function () {
    await tamper(
      `UPDATE audit_logs SET prev_hash = decode(repeat('ab', 32), 'hex'),
         hash = audit_row_hash(decode(repeat('ab', 32), 'hex'), seq, occurred_at, actor_user_id, action, entity_type, entity_id, outcome, before, after, metadata)
       WHERE seq = $1`,
      [seq(9)],
    );
    const { data } = await admin.api.GET('/audit-logs/verify', { params: { query: { fromSeq: seq(7), toSeq: seq(12) } } });
    expect(data).to.include({ valid: false, firstInvalidSeq: seq(9), reason: 'prev_hash_mismatch', checkedCount: 3 });
  });

  it('a row deleted at the end of the range → seq_gap after the last row present', async function () {
    const untouched = await admin.api.GET('/audit-logs/verify', { params: { query: { fromSeq: seq(11), toSeq: seq(12) } } });
    expect(untouched.data).to.include({ valid: true, checkedCount: 2 });
    await tamper(`DELETE FROM audit_logs WHERE seq = $1`, [seq(12)]);
    const { data } = await admin.api.GET('/audit-logs/verify', { params: { query: { fromSeq: seq(11), toSeq: seq(12) } } });
    expect(data).to.include({ valid: false, firstInvalidSeq: seq(12), reason: 'seq_gap', checkedCount: 1 });
  });

  it('a rewritten last row whose hash no longer matches the chain head → hash_mismatch at the head', async function () {
    const head = await chainHead(app.sql);
    await tamper(
      `UPDATE audit_logs SET after = '{"rewritten": true}',
         hash = audit_row_hash(prev_hash, seq, occurred_at, actor_user_id, action, entity_type, entity_id, outcome, before, '{"rewritten": true}', metadata)
       WHERE seq = $1`,
      [head.seq],
    );
    const { data } = await admin.api.GET('/audit-logs/verify', { params: { query: { fromSeq: head.seq } } });
    expect(data).to.include({ valid: false, firstInvalidSeq: head.seq, reason: 'hash_mismatch', checkedCount: 1, headSeq: head.seq, headHash: head.hash });
  });
});

describe('audit chain verification at scale', function () {
  let app: TestApp;
  let admin: Session;
  const ROWS = 100_000;

  before(async function () {
    this.timeout(180_000);
    app = await startTestApp();
    const org = await createOrg(app);
    admin = await signIn(app, org.admin);
    // One statement per 1 000 rows: within one transaction every insert re-reads the chain head row it updated
    // before, so a single 120 000-row statement would slow down quadratically.
    for (let start = 1; start <= ROWS; start += 1000) {
      await app.sql.query(
        `INSERT INTO audit_logs (action, entity_type, entity_id, outcome, after, metadata)
         SELECT 'scale_test.created', 'test_entity', gen_random_uuid(), 'success', jsonb_build_object('n', g), jsonb_build_object('batch', g / 1000)
         FROM generate_series($1::int, $2::int) AS g`,
        [start, start + 999],
      );
    }
  });

  after(async function () {
    await app?.close();
  });

  it(`verifies ${ROWS.toLocaleString('en')} rows in batches (every hash recomputed in SQL) and finds a tampered row near the end`, async function () {
    this.timeout(120_000);
    const head = await chainHead(app.sql);
    const valid = await admin.api.GET('/audit-logs/verify');
    expect(valid.data).to.include({ valid: true, checkedCount: head.seq, toSeq: head.seq, headSeq: head.seq, headHash: head.hash });
    await app.sql.query('ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_append_only');
    await app.sql.query(`UPDATE audit_logs SET entity_type = 'tampered' WHERE seq = ${head.seq - 10}`);
    await app.sql.query('ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_append_only');
    const broken = await admin.api.GET('/audit-logs/verify', { params: { query: { toSeq: head.seq } } });
    expect(broken.data).to.include({ valid: false, firstInvalidSeq: head.seq - 10, reason: 'hash_mismatch', checkedCount: head.seq - 10 });
  });
});

describe('audit-anchor job (04 §2.4 item 5, §4.3)', function () {
  let app: TestApp;
  const clock = new FixedClock('2026-03-09T21:59:00.000Z'); // 02:59 on 2026-03-10 in Asia/Karachi (UTC+5)

  async function anchors() {
    const { rows } = await app.sql.query(
      `SELECT seq, actor_user_id, actor_name, entity_type, entity_id, after, metadata FROM audit_logs WHERE action = 'audit.chain_anchored' ORDER BY seq`,
    );
    return rows;
  }

  before(async function () {
    app = await startTestApp({ clock, env: { ORG_TIMEZONE: 'Asia/Karachi' } });
    await insertAudit(app.sql, { action: 'anchor_test.created' });
    await insertAudit(app.sql, { action: 'anchor_test.updated' });
  });

  after(async function () {
    await app?.close();
  });

  it('is registered with its interval setting (AUDIT_ANCHOR_INTERVAL_SECONDS, default 3600)', function () {
    expect(app.running.services.scheduler.has('audit-anchor')).to.equal(true);
    expect(app.config.jobs['audit-anchor']).to.equal(3600);
    expect(loadConfig(testEnv('postgresql://localhost/x', { AUDIT_ANCHOR_INTERVAL_SECONDS: '5' })).jobs['audit-anchor']).to.equal(5);
  });

  it('before 03:00 org time does nothing', async function () {
    const outcome = await app.running.services.scheduler.runOnce('audit-anchor');
    expect(outcome).to.deep.equal({ ran: true, result: { anchored: false, orgDate: '2026-03-10', reason: 'before_03_00' } });
    expect(await anchors()).to.deep.equal([]);
  });

  it('from 03:00 org time records the head as audit.chain_anchored (actor null, entity audit_log, metadata.job)', async function () {
    clock.set('2026-03-09T22:00:00.000Z'); // 03:00 on 2026-03-10 in Karachi
    const head = await chainHead(app.sql);
    const outcome = await app.running.services.scheduler.runOnce('audit-anchor');
    expect(outcome).to.deep.equal({ ran: true, result: { anchored: true, orgDate: '2026-03-10', seq: head.seq, hash: head.hash } });
    const rows = await anchors();
    expect(rows).to.have.length(1);
    expect(Number(rows[0].seq)).to.equal(head.seq + 1);
    expect(rows[0]).to.deep.include({ actor_user_id: null, actor_name: null, entity_type: 'audit_log', entity_id: null, after: { seq: head.seq, hash: head.hash } });
    expect(rows[0].metadata).to.deep.equal({ job: 'audit-anchor', orgDate: '2026-03-10' });
    expect(head.hash).to.match(HEX64).and.not.equal(ZERO_HASH);
  });

  it('is idempotent: later runs on the same org date write nothing', async function () {
    clock.set('2026-03-10T18:59:00.000Z'); // 23:59 on 2026-03-10 in Karachi
    const outcome = await app.running.services.scheduler.runOnce('audit-anchor');
    expect(outcome).to.deep.equal({ ran: true, result: { anchored: false, orgDate: '2026-03-10', reason: 'already_anchored' } });
    expect(await anchors()).to.have.length(1);
  });

  it('anchors again on the next org date, after 03:00 only, covering the previous anchor row', async function () {
    clock.set('2026-03-10T19:30:00.000Z'); // 00:30 on 2026-03-11
    expect((await app.running.services.scheduler.runOnce('audit-anchor')).ran).to.equal(true);
    expect(await anchors()).to.have.length(1);
    clock.set('2026-03-11T03:00:00.000Z'); // 08:00 on 2026-03-11
    const head = await chainHead(app.sql);
    const outcome = await app.running.services.scheduler.runOnce('audit-anchor');
    expect(outcome).to.deep.equal({ ran: true, result: { anchored: true, orgDate: '2026-03-11', seq: head.seq, hash: head.hash } });
    const rows = await anchors();
    expect(rows.map((r) => r.metadata.orgDate)).to.deep.equal(['2026-03-10', '2026-03-11']);
    expect(Number(rows[1].after.seq)).to.equal(Number(rows[0].seq));
  });
});
