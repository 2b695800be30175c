/**
 * Holidays (02 §2.6, §3.7, §4.9, §5): CRUD with soft, idempotent deactivation, one active holiday per date, the
 * upcoming list, and the effects of a holiday on its date (open `absent` exceptions dismissed as the system,
 * `daily_stats` recomputed), with audit rows and realtime events, through the generated SDK against the real app.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createOrg, createUser, signIn, signInOrg, uniqueName, type FixtureUser, type Org, type Session } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';
import { expectError, ok } from '../helpers/expect.ts';
import { auditRows, outboxEvents } from '../helpers/rows.ts';

interface ExceptionRow {
  id: string;
  status: string;
  resolution_note: string | null;
  resolved_by_id: string | null;
  resolved_at: Date | null;
}

interface StatsRow {
  day_status: string;
  is_absent: boolean;
  is_holiday: boolean;
  is_working_day: boolean;
  session_count: number;
  worked_seconds: number;
  day_classification: string | null;
  updated_at: Date;
}

/** Thursday 2026-06-25, 09:00 in Asia/Karachi. */
const NOW = '2026-06-25T04:00:00.000Z';

describe('holidays (02 §3.7)', function () {
  let app: TestApp;
  let clock: FixedClock;
  let org: Org;
  let admin: Session;
  let hr: Session;
  let manager: Session;
  let employee: Session;
  async function createHoliday(body: { name?: string; description?: string | null; date: string; isActive?: boolean }, as: Session = admin) {
    return ok(await as.api.POST('/holidays', { body: { name: uniqueName('Holiday'), ...body } }), 201);
  }

  /** An `absent` (or other) exception, arranged directly: the job that raises them is not under test here. */
  async function arrangeException(userId: string, workDate: string, type = 'absent', status: 'open' | 'resolved' = 'open'): Promise<string> {
    const { rows } = await app.sql.query<{ id: string }>(
      `INSERT INTO attendance_exceptions (user_id, work_date, type, severity, status, detected_at, resolved_at, resolution_note)
       VALUES ($1, $2, $3, 'high', $4::varchar, '2026-06-20T00:00:00Z',
               CASE WHEN $4::varchar = 'open' THEN NULL ELSE '2026-06-21T00:00:00Z'::timestamptz END,
               CASE WHEN $4::varchar = 'open' THEN NULL ELSE 'handled' END)
       RETURNING id`,
      [userId, workDate, type, status],
    );
    return rows[0]!.id;
  }

  async function exceptionRow(id: string): Promise<ExceptionRow> {
    const { rows } = await app.sql.query<ExceptionRow>(
      `SELECT id, status, resolution_note, resolved_by_id, resolved_at FROM attendance_exceptions WHERE id = $1`,
      [id],
    );
    return rows[0]!;
  }

  /** A `daily_stats` row as the absence job would have left it for a user without a session. */
  async function arrangeAbsentStats(userId: string, workDate: string, dayStatus = 'absent'): Promise<void> {
    await app.sql.query(
      `INSERT INTO daily_stats (user_id, work_date, day_status, is_absent, is_working_day, is_holiday, created_at, updated_at)
       VALUES ($1, $2, $3, $4, true, false, '2026-06-20T00:00:00Z', '2026-06-20T00:00:00Z')`,
      [userId, workDate, dayStatus, dayStatus === 'absent'],
    );
  }

  async function statsRow(userId: string, workDate: string): Promise<StatsRow> {
    const { rows } = await app.sql.query<StatsRow>(
      `SELECT day_status, is_absent, is_holiday, is_working_day, session_count, worked_seconds, day_classification, updated_at
       FROM daily_stats WHERE user_id = $1 AND work_date = $2`,
      [userId, workDate],
    );
    return rows[0]!;
  }

  /** Runs one call with the clock at `instant`, then puts it back. */
  async function at<T>(instant: string, call: () => Promise<T>): Promise<T> {
    clock.set(instant);
    try {
      return await call();
    } finally {
      clock.set(NOW);
    }
  }

  const newEmployee = (): Promise<FixtureUser> => createUser(app, { role: 'employee', managerId: org.manager.id });

  before(async function () {
    clock = new FixedClock(NOW);
    app = await startTestApp({ clock, env: { ORG_TIMEZONE: 'Asia/Karachi' } });
    org = await createOrg(app);
    ({ admin, hr, manager, employee } = await signInOrg(app, org));
  });

  after(async function () {
    await app?.close();
  });

  describe('POST /holidays', function () {
    it('creates a holiday (201): trimmed text, audit holiday.created, created_by_id, the org event holiday.created', async function () {
      const { data, response } = await admin.api.POST('/holidays', {
        body: { name: '  Independence Day  ', description: '  National holiday ', date: '2026-08-14' },
        headers: { 'X-Request-Id': 'holiday-create-1' },
      });
      expect(response.status).to.equal(201);
      expect(data).to.deep.include({
        name: 'Independence Day',
        description: 'National holiday',
        date: '2026-08-14',
        isActive: true,
        createdAt: NOW,
        updatedAt: NOW,
      });
      const audits = await auditRows(app, data!.id, { entityType: 'holiday' });
      expect(audits).to.have.length(1);
      expect(audits[0]).to.deep.include({ action: 'holiday.created', actor_user_id: org.admin.id, entity_label: 'Independence Day', outcome: 'success' });
      expect(audits[0]!.before).to.equal(null);
      expect(audits[0]!.after).to.deep.equal({ name: 'Independence Day', description: 'National holiday', date: '2026-08-14', isActive: true });
      expect(audits[0]!.metadata).to.include({ requestId: 'holiday-create-1', dismissedAbsentExceptions: 0 });
      const events = await outboxEvents(app, 'holiday.*', 'holidayId', data!.id);
      expect(events).to.have.length(1);
      expect(events[0]!.audience_kind).to.equal('org');
      expect(events[0]!.event.type).to.equal('holiday.created');
      expect(events[0]!.event.payload).to.deep.equal({ holidayId: data!.id, name: 'Independence Day', date: '2026-08-14', isActive: true });
      const { rows } = await app.sql.query(`SELECT created_by_id FROM holidays WHERE id = $1`, [data!.id]);
      expect(rows[0].created_by_id).to.equal(org.admin.id);
    });

    it('HR (holidays.manage) creates a holiday; an empty description becomes null', async function () {
      const holiday = await createHoliday({ date: '2026-09-01', description: '   ' }, hr);
      expect(holiday.description).to.equal(null);
    });

    it('holiday by a manager / second active holiday on the same date → 403 / 409 (never 500)', async function () {
      const name = uniqueName('Blocked');
      expectError(await manager.api.POST('/holidays', { body: { name, date: '2026-10-01' } }), 403, 'PERMISSION_ERROR');
      expectError(await employee.api.POST('/holidays', { body: { name, date: '2026-10-01' } }), 403, 'PERMISSION_ERROR');
      const { rowCount } = await app.sql.query(`SELECT 1 FROM holidays WHERE name = $1`, [name]);
      expect(rowCount).to.equal(0);

      await createHoliday({ date: '2026-10-02' });
      const envelope = expectError(await hr.api.POST('/holidays', { body: { name: uniqueName('Twin'), date: '2026-10-02' } }), 409, 'CONFLICT', ['body.date']);
      expect(envelope.message).to.equal('An active holiday already exists on this date.');

      // The holidays_one_active_per_date race: concurrent creates on one date → one 201, the rest 409.
      const results = await Promise.all(
        [1, 2, 3, 4].map(() => admin.api.POST('/holidays', { body: { name: uniqueName('Race'), date: '2026-10-03' } })),
      );
      expect(results.map((r) => r.response.status).sort()).to.deep.equal([201, 409, 409, 409]);
      for (const result of results.filter((r) => r.response.status === 409)) expectError(result, 409, 'CONFLICT', ['body.date']);
      const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM holidays WHERE holiday_date = '2026-10-03'`);
      expect(rows[0].n).to.equal(1);
    });

    it('a deactivated holiday no longer blocks its date; an inactive holiday never blocks one', async function () {
      const old = await createHoliday({ date: '2026-10-05' });
      await admin.api.DELETE('/holidays/{holidayId}', { params: { path: { holidayId: old.id } } });
      const replacement = await createHoliday({ date: '2026-10-05' });
      expect(replacement.isActive).to.equal(true);
      const draft = await createHoliday({ date: '2026-10-05', isActive: false });
      expect(draft.isActive).to.equal(false);
      const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM holidays WHERE holiday_date = '2026-10-05' AND is_active`);
      expect(rows[0].n).to.equal(1);
    });

    it('holiday date:"2026-02-30", "2150-01-01", name "" or 101 chars → 422', async function () {
      expectError(await admin.api.POST('/holidays', { body: { name: 'Leap', date: '2026-02-30' } }), 422, 'VALIDATION_ERROR', ['body.date']);
      const far = expectError(await admin.api.POST('/holidays', { body: { name: 'Far', date: '2150-01-01' } }), 422, 'VALIDATION_ERROR', ['body.date']);
      expect(far.details[0]!.message).to.equal('the year must be between 2000 and 2100');
      expectError(await admin.api.POST('/holidays', { body: { name: 'Early', date: '1999-12-31' } }), 422, 'VALIDATION_ERROR', ['body.date']);
      expectError(await admin.api.POST('/holidays', { body: { name: 'Month', date: '2026-13-01' } }), 422, 'VALIDATION_ERROR', ['body.date']);
      expectError(await admin.api.POST('/holidays', { body: { name: '', date: '2026-11-01' } }), 422, 'VALIDATION_ERROR', ['body.name']);
      expectError(await admin.api.POST('/holidays', { body: { name: 'x'.repeat(101), date: '2026-11-01' } }), 422, 'VALIDATION_ERROR', ['body.name']);
      const blank = expectError(await admin.api.POST('/holidays', { body: { name: '   ', date: '2026-11-01' } }), 422, 'VALIDATION_ERROR', ['body.name']);
      expect(blank.details[0]!.message).to.equal('must not be blank');
      expectError(await admin.api.POST('/holidays', { body: { name: 'Recurring', date: '2026-11-01', recurring: true } as never }), 422, 'VALIDATION_ERROR', [
        'body.recurring',
      ]);
      expectError(await admin.api.POST('/holidays', { body: { name: 'No date' } as never }), 422, 'VALIDATION_ERROR', ['body.date']);
      const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM holidays WHERE holiday_date IN ('2026-11-01', '2150-01-01', '1999-12-31')`);
      expect(rows[0].n).to.equal(0);
      // Exactly 100 characters and the last day of 2100 are accepted (inactive, so the upcoming list stays as arranged there).
      expect((await createHoliday({ name: 'y'.repeat(100), date: '2100-12-31', isActive: false })).name).to.have.length(100);
    });
  });

  describe('effects on the holiday date', function () {
    it('an active holiday on a past date dismisses that date\'s open absent exceptions as the system and recomputes its daily_stats rows', async function () {
      const monday = '2026-06-22';
      const [u1, u2, u3] = [await newEmployee(), await newEmployee(), await newEmployee()];
      const absent1 = await arrangeException(u1.id, monday);
      const absent2 = await arrangeException(u2.id, monday);
      const late1 = await arrangeException(u1.id, monday, 'late');
      const otherDay = await arrangeException(u1.id, '2026-06-23');
      const alreadyResolved = await arrangeException(u3.id, monday, 'absent', 'resolved');
      await arrangeAbsentStats(u1.id, monday);
      await arrangeAbsentStats(u2.id, monday);
      await arrangeAbsentStats(u1.id, '2026-06-23');
      // u3 worked that day: a completed 8-hour session, and its stats row.
      await app.sql.query(
        `INSERT INTO attendance_sessions (user_id, work_date, check_in_at, check_out_at, work_mode, status, is_scheduled_day, classification,
           gross_seconds, worked_seconds)
         VALUES ($1, $2, '2026-06-22T04:00:00Z', '2026-06-22T12:00:00Z', 'office', 'completed', false, 'full_day', 28800, 28800)`,
        [u3.id, monday],
      );
      await app.sql.query(
        `INSERT INTO daily_stats (user_id, work_date, session_count, worked_seconds, day_status, day_classification, is_working_day, is_holiday)
         VALUES ($1, $2, 1, 28800, 'checked_out', 'full_day', true, false)`,
        [u3.id, monday],
      );

      const holiday = await createHoliday({ name: 'Founders Day', date: monday }, hr);

      for (const id of [absent1, absent2]) {
        expect(await exceptionRow(id)).to.deep.equal({
          id,
          status: 'dismissed',
          resolution_note: 'auto: holiday Founders Day',
          resolved_by_id: null,
          resolved_at: new Date(NOW),
        });
      }
      expect((await exceptionRow(late1)).status).to.equal('open');
      expect((await exceptionRow(otherDay)).status).to.equal('open');
      expect(await exceptionRow(alreadyResolved)).to.include({ status: 'resolved', resolution_note: 'handled' });

      for (const user of [u1, u2]) {
        expect(await statsRow(user.id, monday)).to.deep.include({
          day_status: 'holiday',
          is_absent: false,
          is_holiday: true,
          is_working_day: false,
          session_count: 0,
          updated_at: new Date(NOW),
        });
      }
      // A session outranks the holiday (02 §4.5); the row still learns that the date is a holiday.
      expect(await statsRow(u3.id, monday)).to.deep.include({
        day_status: 'checked_out',
        is_holiday: true,
        is_working_day: false,
        session_count: 1,
        worked_seconds: 28800,
        day_classification: 'full_day',
      });
      expect(await statsRow(u1.id, '2026-06-23')).to.deep.include({ day_status: 'absent', is_absent: true, is_holiday: false });

      const audits = await auditRows(app, holiday.id, { entityType: 'holiday' });
      expect(audits[0]!.metadata).to.include({ dismissedAbsentExceptions: 2 });
    });

    it('a holiday today recomputes today\'s rows too; a future holiday leaves daily_stats alone', async function () {
      const user = await newEmployee();
      await arrangeAbsentStats(user.id, '2026-06-25', 'scheduled');
      await arrangeAbsentStats(user.id, '2026-07-01', 'scheduled');
      await createHoliday({ date: '2026-06-25' });
      expect(await statsRow(user.id, '2026-06-25')).to.deep.include({ day_status: 'holiday', is_holiday: true, updated_at: new Date(NOW) });
      await createHoliday({ date: '2026-07-01' });
      expect(await statsRow(user.id, '2026-07-01')).to.deep.include({
        day_status: 'scheduled',
        is_holiday: false,
        updated_at: new Date('2026-06-20T00:00:00Z'),
      });
    });

    it('an inactive holiday dismisses nothing and recomputes nothing', async function () {
      const user = await newEmployee();
      const absent = await arrangeException(user.id, '2026-06-19');
      await arrangeAbsentStats(user.id, '2026-06-19');
      await createHoliday({ date: '2026-06-19', isActive: false });
      expect((await exceptionRow(absent)).status).to.equal('open');
      expect((await statsRow(user.id, '2026-06-19')).day_status).to.equal('absent');
    });

    it('PATCH moving a holiday to a new past date applies the effects there; the old date keeps what was done (nothing retroactive)', async function () {
      const user = await newEmployee();
      const first = await arrangeException(user.id, '2026-06-15');
      const second = await arrangeException(user.id, '2026-06-16');
      await arrangeAbsentStats(user.id, '2026-06-15');
      await arrangeAbsentStats(user.id, '2026-06-16');
      const holiday = await createHoliday({ name: 'Moving Day', date: '2026-06-15' });
      expect((await exceptionRow(first)).status).to.equal('dismissed');

      const { data } = await at('2026-06-25T05:00:00.000Z', () =>
        admin.api.PATCH('/holidays/{holidayId}', { params: { path: { holidayId: holiday.id } }, body: { date: '2026-06-16' } }),
      );
      expect(data).to.include({ date: '2026-06-16', isActive: true, updatedAt: '2026-06-25T05:00:00.000Z' });
      expect(await exceptionRow(second)).to.include({ status: 'dismissed', resolution_note: 'auto: holiday Moving Day' });
      expect((await statsRow(user.id, '2026-06-16')).day_status).to.equal('holiday');
      // The old date is not touched: its exception stays dismissed and its stats row stays as computed.
      expect((await exceptionRow(first)).status).to.equal('dismissed');
      expect((await statsRow(user.id, '2026-06-15')).day_status).to.equal('holiday');
      const audits = await auditRows(app, holiday.id, { entityType: 'holiday' });
      expect(audits[1]).to.deep.include({ action: 'holiday.updated', before: { date: '2026-06-15' }, after: { date: '2026-06-16' } });
      expect(audits[1]!.metadata).to.include({ dismissedAbsentExceptions: 1 });
    });

    it('PATCH isActive:true on a deactivated past holiday applies the effects again', async function () {
      const user = await newEmployee();
      const holiday = await createHoliday({ name: 'Return', date: '2026-06-12', isActive: false });
      const absent = await arrangeException(user.id, '2026-06-12');
      await arrangeAbsentStats(user.id, '2026-06-12');
      const { data } = await admin.api.PATCH('/holidays/{holidayId}', { params: { path: { holidayId: holiday.id } }, body: { isActive: true } });
      expect(data!.isActive).to.equal(true);
      expect(await exceptionRow(absent)).to.include({ status: 'dismissed', resolution_note: 'auto: holiday Return' });
      expect((await statsRow(user.id, '2026-06-12')).day_status).to.equal('holiday');
    });
  });

  describe('GET /holidays, /holidays/{holidayId}', function () {
    let ids: Record<string, string>;

    before(async function () {
      ids = {
        mar: (await createHoliday({ date: '2031-03-01' })).id,
        jan: (await createHoliday({ date: '2031-01-15', isActive: false })).id,
        dec: (await createHoliday({ date: '2031-12-31' })).id,
        next: (await createHoliday({ date: '2032-01-01' })).id,
        before: (await createHoliday({ date: '2030-12-31' })).id,
      };
    });

    it('any authenticated user lists holidays sorted by date, filtered by year, isActive and from/to (inclusive), paged', async function () {
      const year = await employee.api.GET('/holidays', { params: { query: { year: 2031 } } });
      expect(year.response.status).to.equal(200);
      expect(year.data!.items.map((h) => h.id)).to.deep.equal([ids.jan, ids.mar, ids.dec]);
      expect(year.data).to.include({ total: 3, limit: 50, offset: 0 });

      const active = await employee.api.GET('/holidays', { params: { query: { year: 2031, isActive: true } } });
      expect(active.data!.items.map((h) => h.id)).to.deep.equal([ids.mar, ids.dec]);
      const inactive = await employee.api.GET('/holidays', { params: { query: { year: 2031, isActive: false } } });
      expect(inactive.data!.items.map((h) => h.id)).to.deep.equal([ids.jan]);

      const range = await employee.api.GET('/holidays', { params: { query: { from: '2031-03-01', to: '2032-01-01' } } });
      expect(range.data!.items.map((h) => h.id)).to.deep.equal([ids.mar, ids.dec, ids.next]);

      const page = await employee.api.GET('/holidays', { params: { query: { from: '2030-12-31', to: '2032-01-01', limit: 2, offset: 2 } } });
      expect(page.data).to.include({ total: 5, limit: 2, offset: 2 });
      expect(page.data!.items.map((h) => h.id)).to.deep.equal([ids.mar, ids.dec]);

      // A span of exactly 366 days is allowed.
      const span = await employee.api.GET('/holidays', { params: { query: { from: '2031-01-01', to: '2032-01-02' } } });
      expect(span.response.status).to.equal(200);
    });

    it('any list limit=0, limit=201, offset=-1, from>to, span > 366 days → 422', async function () {
      const list = (query: Record<string, unknown>) => employee.api.GET('/holidays', { params: { query: query as never } });
      expectError(await list({ limit: 0 }), 422, 'VALIDATION_ERROR', ['query.limit']);
      expectError(await list({ limit: 201 }), 422, 'VALIDATION_ERROR', ['query.limit']);
      expectError(await list({ offset: -1 }), 422, 'VALIDATION_ERROR', ['query.offset']);
      const reversed = expectError(await list({ from: '2031-02-01', to: '2031-01-31' }), 422, 'VALIDATION_ERROR', ['query.to']);
      expect(reversed.details[0]!.message).to.equal('must be on or after from');
      const long = expectError(await list({ from: '2031-01-01', to: '2032-01-03' }), 422, 'VALIDATION_ERROR', ['query.to']);
      expect(long.details[0]!.message).to.equal('must be at most 366 days after from');
      expectError(await list({ from: '2031-02-30' }), 422, 'VALIDATION_ERROR', ['query.from']);
      expectError(await list({ year: 1999 }), 422, 'VALIDATION_ERROR', ['query.year']);
      expectError(await list({ year: 2101 }), 422, 'VALIDATION_ERROR', ['query.year']);
      expectError(await list({ active: true }), 422, 'VALIDATION_ERROR', ['query.active']);
    });

    it('GET /holidays/{holidayId} answers any authenticated user (deactivated too); unknown → 404; malformed → 422; no token → 401', async function () {
      const { data } = await employee.api.GET('/holidays/{holidayId}', { params: { path: { holidayId: ids.jan! } } });
      expect(data).to.include({ id: ids.jan, date: '2031-01-15', isActive: false, description: null });
      expectError(await employee.api.GET('/holidays/{holidayId}', { params: { path: { holidayId: randomUUID() } } }), 404, 'NOT_FOUND');
      expectError(await employee.api.GET('/holidays/{holidayId}', { params: { path: { holidayId: 'abc' } } }), 422, 'VALIDATION_ERROR', ['path.holidayId']);
      expectError(await app.client().GET('/holidays'), 401, 'AUTH_ERROR');
    });
  });

  describe('GET /holidays/upcoming', function () {
    const dates = ['2040-01-01', '2040-01-02', '2040-01-04', '2040-01-05', '2040-01-07', '2040-01-09', '2040-02-01'];
    let byDate: Record<string, string>;

    before(async function () {
      byDate = {};
      // Created out of order; one inactive holiday in between and one just before "today".
      for (const date of [...dates].reverse()) byDate[date] = (await createHoliday({ date })).id;
      byDate['2040-01-03'] = (await createHoliday({ date: '2040-01-03', isActive: false })).id;
      byDate['2039-12-31'] = (await createHoliday({ date: '2039-12-31' })).id;
    });

    it('defaults from to today in ORG_TIMEZONE and limit to 5: active holidays only, ascending; total counts them all', async function () {
      // 20:00 UTC on Dec 31 is already Jan 1 in Asia/Karachi: the Dec 31 holiday is past.
      // A session signed in at that instant (the fixture sessions' tokens would have expired by then).
      const { data, response } = await at('2039-12-31T20:00:00.000Z', async () => (await signIn(app, org.employee2)).api.GET('/holidays/upcoming'));
      expect(response.status).to.equal(200);
      expect(data!.items.map((h) => h.date)).to.deep.equal(dates.slice(0, 5));
      expect(data!.items.map((h) => h.id)).to.deep.equal(dates.slice(0, 5).map((d) => byDate[d]));
      expect(data).to.include({ total: 7, limit: 5, offset: 0 });
    });

    it('from and limit narrow it; limit=50 is accepted', async function () {
      const { data } = await employee.api.GET('/holidays/upcoming', { params: { query: { from: '2040-01-04', limit: 2 } } });
      expect(data!.items.map((h) => h.date)).to.deep.equal(['2040-01-04', '2040-01-05']);
      expect(data).to.include({ total: 5, limit: 2, offset: 0 });
      const all = await employee.api.GET('/holidays/upcoming', { params: { query: { from: '2039-12-31', limit: 50 } } });
      expect(all.data!.items.map((h) => h.date)).to.deep.equal(['2039-12-31', ...dates]);
    });

    it('/holidays/upcoming?limit=0 or limit=51 → 422 (not clamped)', async function () {
      for (const limit of [0, 51]) {
        expectError(await employee.api.GET('/holidays/upcoming', { params: { query: { limit } } }), 422, 'VALIDATION_ERROR', ['query.limit']);
      }
      expectError(await employee.api.GET('/holidays/upcoming', { params: { query: { offset: 1 } as never } }), 422, 'VALIDATION_ERROR', ['query.offset']);
      expectError(await employee.api.GET('/holidays/upcoming', { params: { query: { from: '2040-02-30' } } }), 422, 'VALIDATION_ERROR', ['query.from']);
    });

    it('is its own route, never read as /holidays/{holidayId}', async function () {
      const response = await fetch(`${app.url}/api/v1/holidays/upcoming`, { headers: { authorization: `Bearer ${employee.accessToken}` } });
      expect(response.status).to.equal(200);
      const body = (await response.json()) as { items: unknown[]; total: number };
      expect(body).to.have.keys(['items', 'total', 'limit', 'offset']);
      const patch = await fetch(`${app.url}/api/v1/holidays/upcoming`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${admin.accessToken}`, 'content-type': 'application/json' },
        body: '{"name":"x"}',
      });
      expect(patch.status).to.equal(405);
      expect(patch.headers.get('allow')).to.equal('GET');
    });
  });

  describe('PATCH /holidays/{holidayId}', function () {
    it('changes fields, audits holiday.updated with the changed fields only, publishes holiday.updated; description null clears it', async function () {
      const holiday = await createHoliday({ name: 'Harvest', description: 'Autumn', date: '2027-03-01' });
      const { data, response } = await hr.api.PATCH('/holidays/{holidayId}', {
        params: { path: { holidayId: holiday.id } },
        body: { name: ' Harvest Festival ', description: null, isActive: true },
      });
      expect(response.status).to.equal(200);
      expect(data).to.include({ name: 'Harvest Festival', description: null, date: '2027-03-01', isActive: true });
      const audits = await auditRows(app, holiday.id, { entityType: 'holiday' });
      expect(audits.map((a) => a.action)).to.deep.equal(['holiday.created', 'holiday.updated']);
      expect(audits[1]).to.deep.include({
        actor_user_id: org.hr.id,
        entity_label: 'Harvest Festival',
        before: { name: 'Harvest', description: 'Autumn' },
        after: { name: 'Harvest Festival', description: null },
      });
      const events = await outboxEvents(app, 'holiday.*', 'holidayId', holiday.id);
      expect(events.map((e) => e.event.type)).to.deep.equal(['holiday.created', 'holiday.updated']);
      expect(events[1]!.event.payload).to.deep.equal({ holidayId: holiday.id, name: 'Harvest Festival', date: '2027-03-01', isActive: true });
    });

    it('null for anything but description, an empty body, a bad date → 422; a PATCH that changes nothing → 200 without audit or event', async function () {
      const holiday = await createHoliday({ name: 'Steady', date: '2027-03-02' });
      for (const body of [{ name: null }, { date: null }, { name: '' }, { date: '2027-02-29' }, { date: '2101-01-01' }]) {
        const envelope = expectError(
          await admin.api.PATCH('/holidays/{holidayId}', { params: { path: { holidayId: holiday.id } }, body: body as never }),
          422,
          'VALIDATION_ERROR',
        );
        expect(envelope.details.map((d) => d.field)).to.include(`body.${Object.keys(body)[0]}`);
      }
      expectError(await admin.api.PATCH('/holidays/{holidayId}', { params: { path: { holidayId: holiday.id } }, body: {} }), 422, 'VALIDATION_ERROR');
      const same = await admin.api.PATCH('/holidays/{holidayId}', {
        params: { path: { holidayId: holiday.id } },
        body: { name: ' Steady ', date: '2027-03-02', isActive: true, description: '' },
      });
      expect(same.data).to.deep.equal(holiday);
      expect(await auditRows(app, holiday.id, { entityType: 'holiday' })).to.have.length(1);
      expect(await outboxEvents(app, 'holiday.*', 'holidayId', holiday.id)).to.have.length(1);
    });

    it('a date collision among active holidays → 409 (moving onto it, or re-activating on it); 404 unknown; 403 for a manager', async function () {
      const held = await createHoliday({ date: '2027-04-01' });
      const mover = await createHoliday({ date: '2027-04-02' });
      const dormant = await createHoliday({ date: '2027-04-01', isActive: false });
      const moved = expectError(
        await admin.api.PATCH('/holidays/{holidayId}', { params: { path: { holidayId: mover.id } }, body: { date: '2027-04-01' } }),
        409,
        'CONFLICT',
        ['body.date'],
      );
      expect(moved.message).to.equal('An active holiday already exists on this date.');
      expectError(
        await admin.api.PATCH('/holidays/{holidayId}', { params: { path: { holidayId: dormant.id } }, body: { isActive: true } }),
        409,
        'CONFLICT',
        ['body.isActive'],
      );
      // An inactive holiday may move onto a held date; it stays inactive.
      const quiet = await admin.api.PATCH('/holidays/{holidayId}', { params: { path: { holidayId: dormant.id } }, body: { date: '2027-04-01', name: 'Still dormant' } });
      expect(quiet.data).to.include({ date: '2027-04-01', isActive: false });
      expectError(await admin.api.PATCH('/holidays/{holidayId}', { params: { path: { holidayId: randomUUID() } }, body: { name: 'X' } }), 404, 'NOT_FOUND');
      expectError(await manager.api.PATCH('/holidays/{holidayId}', { params: { path: { holidayId: held.id } }, body: { name: 'X' } }), 403, 'PERMISSION_ERROR');
      const { rows } = await app.sql.query(`SELECT holiday_date::text AS date, is_active FROM holidays WHERE id = ANY($1) ORDER BY holiday_date`, [[held.id, mover.id]]);
      expect(rows).to.deep.equal([
        { date: '2027-04-01', is_active: true },
        { date: '2027-04-02', is_active: true },
      ]);
    });

    it('isActive:false deactivates (audit holiday.deactivated, event holiday.updated)', async function () {
      const holiday = await createHoliday({ date: '2027-05-01' });
      const { data } = await admin.api.PATCH('/holidays/{holidayId}', { params: { path: { holidayId: holiday.id } }, body: { isActive: false } });
      expect(data!.isActive).to.equal(false);
      const audits = await auditRows(app, holiday.id, { entityType: 'holiday' });
      expect(audits[1]).to.deep.include({ action: 'holiday.deactivated', before: { isActive: true }, after: { isActive: false } });
      expect((await outboxEvents(app, 'holiday.*', 'holidayId', holiday.id))[1]!.event.payload).to.include({ isActive: false });
    });
  });

  describe('DELETE /holidays/{holidayId}', function () {
    it('soft and idempotent: 200 isActive=false, audit holiday.deactivated and event holiday.updated once; nothing retroactive', async function () {
      const user = await newEmployee();
      const absent = await arrangeException(user.id, '2026-06-10');
      await arrangeAbsentStats(user.id, '2026-06-10');
      const holiday = await createHoliday({ name: 'Short-lived', date: '2026-06-10' });
      const dismissedBefore = await exceptionRow(absent);
      const statsBefore = await statsRow(user.id, '2026-06-10');
      expect(dismissedBefore.status).to.equal('dismissed');

      const first = await at('2026-06-25T06:00:00.000Z', () => admin.api.DELETE('/holidays/{holidayId}', { params: { path: { holidayId: holiday.id } } }));
      expect(first.response.status).to.equal(200);
      expect(first.data).to.deep.include({ id: holiday.id, isActive: false, date: '2026-06-10', updatedAt: '2026-06-25T06:00:00.000Z' });
      const second = await hr.api.DELETE('/holidays/{holidayId}', { params: { path: { holidayId: holiday.id } } });
      expect(second.response.status).to.equal(200);
      expect(second.data).to.deep.equal(first.data);

      const audits = await auditRows(app, holiday.id, { entityType: 'holiday' });
      expect(audits.map((a) => a.action)).to.deep.equal(['holiday.created', 'holiday.deactivated']);
      expect(audits[1]).to.deep.include({ actor_user_id: org.admin.id, before: { isActive: true }, after: { isActive: false } });
      const events = await outboxEvents(app, 'holiday.*', 'holidayId', holiday.id);
      expect(events.map((e) => e.event.type)).to.deep.equal(['holiday.created', 'holiday.updated']);
      expect(events[1]!.event.payload).to.deep.equal({ holidayId: holiday.id, name: 'Short-lived', date: '2026-06-10', isActive: false });

      expect(await exceptionRow(absent)).to.deep.equal(dismissedBefore);
      expect(await statsRow(user.id, '2026-06-10')).to.deep.equal(statsBefore);
      const { rowCount } = await app.sql.query(`SELECT 1 FROM holidays WHERE id = $1`, [holiday.id]);
      expect(rowCount).to.equal(1);
    });

    it('unknown → 404; a manager → 403; malformed id → 422', async function () {
      const holiday = await createHoliday({ date: '2027-06-01' });
      expectError(await admin.api.DELETE('/holidays/{holidayId}', { params: { path: { holidayId: randomUUID() } } }), 404, 'NOT_FOUND');
      expectError(await manager.api.DELETE('/holidays/{holidayId}', { params: { path: { holidayId: holiday.id } } }), 403, 'PERMISSION_ERROR');
      expectError(await admin.api.DELETE('/holidays/{holidayId}', { params: { path: { holidayId: 'abc' } } }), 422, 'VALIDATION_ERROR', ['path.holidayId']);
      const { data } = await employee.api.GET('/holidays/{holidayId}', { params: { path: { holidayId: holiday.id } } });
      expect(data!.isActive).to.equal(true);
    });
  });
});
