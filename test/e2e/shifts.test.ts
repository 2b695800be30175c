/**
 * Shifts (02 §2.5, §3.6, §5): CRUD with soft deactivation, the single default shift, derived fields, the member list
 * and assignment, with their audit rows and realtime events, through the generated SDK against the real app.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createOrg, createUser, signInOrg, uniqueName, type Org, type Session } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';
import { expectError, ok } from '../helpers/expect.ts';
import { auditRows, outboxEvents } from '../helpers/rows.ts';

type ShiftBody = {
  name: string;
  description?: string | null;
  startTime: string;
  endTime: string;
  timezone?: string;
  gracePeriodMinutes?: number;
  workingDays?: number[];
  isActive?: boolean;
  isDefault?: boolean;
};

const NOW = '2026-06-25T04:00:00.000Z';

describe('shifts (02 §3.6)', function () {
  let app: TestApp;
  let org: Org;
  let admin: Session;
  let hr: Session;
  let manager: Session;
  let employee: Session;
  async function createShift(body: Partial<ShiftBody> & { name?: string }, as: Session = admin) {
    return ok(await as.api.POST('/shifts', { body: { name: uniqueName('Shift'), startTime: '09:00', endTime: '17:00', ...body } }), 201);
  }

  async function defaultShiftIds(): Promise<string[]> {
    const { rows } = await app.sql.query<{ id: string }>(`SELECT id FROM shifts WHERE is_default`);
    return rows.map((r) => r.id);
  }

  async function userShiftId(userId: string): Promise<string | null> {
    const { rows } = await app.sql.query<{ shift_id: string | null }>(`SELECT shift_id FROM users WHERE id = $1`, [userId]);
    return rows[0]!.shift_id;
  }

  /** Clears the org default through the API, so tests that need "no default" do not depend on order. */
  async function clearDefault(): Promise<void> {
    for (const shiftId of await defaultShiftIds()) {
      const { response } = await admin.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId } }, body: { isDefault: false } });
      expect(response.status).to.equal(200);
    }
  }

  const assign = (as: Session, userId: string, body: unknown) =>
    as.api.PUT('/shifts/assignments/{userId}', { params: { path: { userId } }, body: body as never });

  before(async function () {
    app = await startTestApp({ clock: new FixedClock(NOW), env: { ORG_TIMEZONE: 'Asia/Karachi' } });
    org = await createOrg(app);
    ({ admin, hr, manager, employee } = await signInOrg(app, org));
  });

  after(async function () {
    await app?.close();
  });

  describe('POST /shifts', function () {
    it('creates a shift (201) with the defaults, derived fields, audit shift.created and the org event shift.created', async function () {
      const name = uniqueName('Day');
      const { data, response } = await admin.api.POST('/shifts', {
        body: { name: `  ${name}  `, description: '  Office hours  ', startTime: '09:00', endTime: '17:00' },
        headers: { 'X-Request-Id': 'shift-create-1' },
      });
      expect(response.status).to.equal(201);
      expect(data).to.deep.include({
        name,
        description: 'Office hours',
        startTime: '09:00',
        endTime: '17:00',
        timezone: 'Asia/Karachi',
        gracePeriodMinutes: 15,
        workingDays: [1, 2, 3, 4, 5],
        isActive: true,
        isDefault: false,
        isOvernight: false,
        durationMinutes: 480,
        createdAt: NOW,
        updatedAt: NOW,
      });

      const audits = await auditRows(app, data!.id, { entityType: 'shift' });
      expect(audits).to.have.length(1);
      expect(audits[0]).to.include({ action: 'shift.created', actor_user_id: org.admin.id, entity_label: name, outcome: 'success' });
      expect(audits[0]!.before).to.equal(null);
      expect(audits[0]!.after).to.deep.equal({
        name,
        description: 'Office hours',
        startTime: '09:00',
        endTime: '17:00',
        timezone: 'Asia/Karachi',
        gracePeriodMinutes: 15,
        workingDays: [1, 2, 3, 4, 5],
        isActive: true,
        isDefault: false,
      });
      expect(audits[0]!.metadata).to.include({ requestId: 'shift-create-1' });

      const events = await outboxEvents(app, 'shift.*', 'shiftId', data!.id);
      expect(events).to.have.length(1);
      expect(events[0]!.audience_kind).to.equal('org');
      expect(events[0]!.event.type).to.equal('shift.created');
      expect(events[0]!.event.payload).to.deep.equal({ shiftId: data!.id, name, isActive: true, isDefault: false });
    });

    it('an overnight shift (17:00–02:00) is isOvernight with durationMinutes 540; workingDays come back ascending', async function () {
      const shift = await createShift({ startTime: '17:00', endTime: '02:00', workingDays: [5, 1, 3], gracePeriodMinutes: 0, timezone: 'UTC' });
      expect(shift).to.deep.include({ isOvernight: true, durationMinutes: 540, workingDays: [1, 3, 5], gracePeriodMinutes: 0, timezone: 'UTC' });
      const { rows } = await app.sql.query(`SELECT start_time::text, end_time::text, working_days FROM shifts WHERE id = $1`, [shift.id]);
      expect(rows[0]).to.deep.equal({ start_time: '17:00:00', end_time: '02:00:00', working_days: [1, 3, 5] });
    });

    it('duration bounds: exactly 60 and exactly 960 minutes (across midnight) are accepted; 59 and 961 are 422 on body.endTime', async function () {
      expect((await createShift({ startTime: '09:00', endTime: '10:00' })).durationMinutes).to.equal(60);
      expect(await createShift({ startTime: '08:00', endTime: '00:00' })).to.deep.include({ durationMinutes: 960, isOvernight: true });
      expect(await createShift({ startTime: '22:00', endTime: '14:00' })).to.deep.include({ durationMinutes: 960, isOvernight: true });
      for (const [startTime, endTime] of [['09:00', '09:59'], ['08:00', '00:01'], ['23:30', '00:29']] as const) {
        const envelope = expectError(
          await admin.api.POST('/shifts', { body: { name: uniqueName('Bound'), startTime, endTime } }),
          422,
          'VALIDATION_ERROR',
          ['body.endTime'],
        );
        expect(envelope.details[0]!.message).to.match(/60 to 960 minutes/);
      }
    });

    it('HR (shifts.manage) creates a shift; a manager and an employee get 403 PERMISSION_ERROR and nothing is written', async function () {
      await createShift({ name: uniqueName('HR made') }, hr);
      const name = uniqueName('Nope');
      expectError(await manager.api.POST('/shifts', { body: { name, startTime: '09:00', endTime: '17:00' } }), 403, 'PERMISSION_ERROR');
      expectError(await employee.api.POST('/shifts', { body: { name, startTime: '09:00', endTime: '17:00' } }), 403, 'PERMISSION_ERROR');
      const { rowCount } = await app.sql.query(`SELECT 1 FROM shifts WHERE name = $1`, [name]);
      expect(rowCount).to.equal(0);
    });

    it('shift startTime:"25:00", "9:00", "09:00:00"; start = end; 20 h long → 422', async function () {
      for (const startTime of ['25:00', '9:00', '09:00:00', '12:60']) {
        expectError(
          await admin.api.POST('/shifts', { body: { name: uniqueName('Bad'), startTime, endTime: '17:00' } }),
          422,
          'VALIDATION_ERROR',
          ['body.startTime'],
        );
      }
      const same = expectError(
        await admin.api.POST('/shifts', { body: { name: uniqueName('Same'), startTime: '09:00', endTime: '09:00' } }),
        422,
        'VALIDATION_ERROR',
        ['body.endTime'],
      );
      expect(same.details[0]!.message).to.match(/must differ from startTime/);
      const long = expectError(
        await admin.api.POST('/shifts', { body: { name: uniqueName('Long'), startTime: '06:00', endTime: '02:00' } }),
        422,
        'VALIDATION_ERROR',
        ['body.endTime'],
      );
      expect(long.details[0]!.message).to.match(/it lasts 1200/);
    });

    it('shift gracePeriodMinutes:-5 or 121; timezone:"Mars/Base"; workingDays:[], [0], [1,1], "1,2,3" → 422', async function () {
      const base = { startTime: '09:00', endTime: '17:00' };
      for (const gracePeriodMinutes of [-5, 121]) {
        expectError(await admin.api.POST('/shifts', { body: { name: uniqueName('G'), ...base, gracePeriodMinutes } }), 422, 'VALIDATION_ERROR', [
          'body.gracePeriodMinutes',
        ]);
      }
      const tz = expectError(await admin.api.POST('/shifts', { body: { name: uniqueName('TZ'), ...base, timezone: 'Mars/Base' } }), 422, 'VALIDATION_ERROR', [
        'body.timezone',
      ]);
      expect(tz.details[0]!.message).to.equal('must be a valid IANA time zone name');
      for (const workingDays of [[], [0], [8], [1, 1]]) {
        const envelope = expectError(await admin.api.POST('/shifts', { body: { name: uniqueName('W'), ...base, workingDays } }), 422, 'VALIDATION_ERROR');
        expect(envelope.details.map((d) => d.field)[0]).to.match(/^body\.workingDays/);
      }
      expectError(
        await admin.api.POST('/shifts', { body: { name: uniqueName('W'), ...base, workingDays: '1,2,3' } as never }),
        422,
        'VALIDATION_ERROR',
        ['body.workingDays'],
      );
      const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM shifts WHERE name LIKE 'G %' OR name LIKE 'TZ %' OR name LIKE 'W %'`);
      expect(rows[0].n).to.equal(0);
    });

    it('name "night" vs "Night" → 409 CONFLICT on body.name', async function () {
      await createShift({ name: 'Night', startTime: '21:00', endTime: '05:00' });
      const envelope = expectError(
        await admin.api.POST('/shifts', { body: { name: ' night ', startTime: '21:00', endTime: '05:00' } }),
        409,
        'CONFLICT',
        ['body.name'],
      );
      expect(envelope.message).to.equal('A shift with this name already exists.');
      const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM shifts WHERE lower(name) = 'night'`);
      expect(rows[0].n).to.equal(1);
    });

    it('concurrent creates of one name in different cases: one 201, the others 409 (the shifts_name_key race never becomes a 500)', async function () {
      const name = uniqueName('Race');
      const variants = [name, name.toUpperCase(), name.toLowerCase(), ` ${name} `];
      const results = await Promise.all(variants.map((n) => admin.api.POST('/shifts', { body: { name: n, startTime: '09:00', endTime: '17:00' } })));
      expect(results.map((r) => r.response.status).sort()).to.deep.equal([201, 409, 409, 409]);
      for (const result of results.filter((r) => r.response.status === 409)) expectError(result, 409, 'CONFLICT', ['body.name']);
    });

    it('a blank name, a 101-character name, a 256-character description and an unknown property → 422', async function () {
      const base = { startTime: '09:00', endTime: '17:00' };
      const blank = expectError(await admin.api.POST('/shifts', { body: { name: '   ', ...base } }), 422, 'VALIDATION_ERROR', ['body.name']);
      expect(blank.details[0]!.message).to.equal('must not be blank');
      expectError(await admin.api.POST('/shifts', { body: { name: 'x'.repeat(101), ...base } }), 422, 'VALIDATION_ERROR', ['body.name']);
      expectError(await admin.api.POST('/shifts', { body: { name: uniqueName('D'), ...base, description: 'd'.repeat(256) } }), 422, 'VALIDATION_ERROR', [
        'body.description',
      ]);
      expectError(await admin.api.POST('/shifts', { body: { name: uniqueName('U'), ...base, start_time: '09:00' } as never }), 422, 'VALIDATION_ERROR', [
        'body.start_time',
      ]);
    });

    it('isDefault without isActive → 422 on body.isDefault', async function () {
      const envelope = expectError(
        await admin.api.POST('/shifts', { body: { name: uniqueName('Dormant default'), startTime: '09:00', endTime: '17:00', isActive: false, isDefault: true } }),
        422,
        'VALIDATION_ERROR',
        ['body.isDefault'],
      );
      expect(envelope.details[0]!.message).to.equal('the default shift must be active');
    });
  });

  describe('the default shift', function () {
    it('creating a default clears the previous default in the same transaction, audited and announced for both shifts', async function () {
      const first = await createShift({ name: uniqueName('Default A'), isDefault: true });
      expect(await defaultShiftIds()).to.deep.equal([first.id]);
      const second = await createShift({ name: uniqueName('Default B'), isDefault: true });
      expect(second.isDefault).to.equal(true);
      expect(await defaultShiftIds()).to.deep.equal([second.id]);

      const { data: firstNow } = await employee.api.GET('/shifts/{shiftId}', { params: { path: { shiftId: first.id } } });
      expect(firstNow).to.include({ isDefault: false, isActive: true });

      const firstAudits = await auditRows(app, first.id, { entityType: 'shift' });
      expect(firstAudits.map((a) => a.action)).to.deep.equal(['shift.created', 'shift.updated']);
      expect(firstAudits[1]!.before).to.deep.equal({ isDefault: true });
      expect(firstAudits[1]!.after).to.deep.equal({ isDefault: false });
      const firstEvents = await outboxEvents(app, 'shift.*', 'shiftId', first.id);
      expect(firstEvents.map((e) => e.event.type)).to.deep.equal(['shift.created', 'shift.updated']);
      expect(firstEvents[1]!.event.payload).to.deep.equal({ shiftId: first.id, name: first.name, isActive: true, isDefault: false });
    });

    it('PATCH isDefault:true moves the default here; isDefault:false clears it', async function () {
      const current = await createShift({ name: uniqueName('Default C'), isDefault: true });
      const target = await createShift({ name: uniqueName('Default D') });
      const { data, response } = await hr.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: target.id } }, body: { isDefault: true } });
      expect(response.status).to.equal(200);
      expect(data).to.include({ id: target.id, isDefault: true });
      expect(await defaultShiftIds()).to.deep.equal([target.id]);
      expect((await auditRows(app, current.id, { entityType: 'shift' })).map((a) => a.action)).to.deep.equal(['shift.created', 'shift.updated']);
      const targetAudits = await auditRows(app, target.id, { entityType: 'shift' });
      expect(targetAudits[1]).to.deep.include({ action: 'shift.updated', before: { isDefault: false }, after: { isDefault: true } });

      const cleared = await hr.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: target.id } }, body: { isDefault: false } });
      expect(cleared.data!.isDefault).to.equal(false);
      expect(await defaultShiftIds()).to.deep.equal([]);
    });

    it('PATCH isDefault:true on an inactive shift → 422 on body.isDefault; the default does not move', async function () {
      const current = await createShift({ name: uniqueName('Default E'), isDefault: true });
      const inactive = await createShift({ name: uniqueName('Dormant'), isActive: false });
      expectError(
        await admin.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: inactive.id } }, body: { isDefault: true } }),
        422,
        'VALIDATION_ERROR',
        ['body.isDefault'],
      );
      expect(await defaultShiftIds()).to.deep.equal([current.id]);
    });

    it('concurrent moves of the default: only 200 or 409 (the shifts_one_default race is a 409, never a 500) and exactly one default remains', async function () {
      const targets = await Promise.all([1, 2, 3, 4].map(() => createShift({ name: uniqueName('Contender') })));
      const results = await Promise.all(
        targets.map((t) => admin.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: t.id } }, body: { isDefault: true } })),
      );
      const statuses = results.map((r) => r.response.status);
      expect(statuses.every((s) => s === 200 || s === 409), JSON.stringify(statuses)).to.equal(true);
      expect(statuses).to.include(200);
      for (const result of results.filter((r) => r.response.status === 409)) expectError(result, 409, 'CONFLICT');
      const defaults = await defaultShiftIds();
      expect(defaults).to.have.length(1);
      expect(targets.map((t) => t.id)).to.include(defaults[0]);
    });
  });

  describe('GET /shifts and /shifts/{shiftId}', function () {
    const tag = `zq${randomUUID().slice(0, 6)}`;
    let alpha: { id: string };
    let beta: { id: string };
    let gamma: { id: string };

    before(async function () {
      beta = await createShift({ name: `${tag} beta` });
      gamma = await createShift({ name: `${tag} Gamma`, isActive: false });
      alpha = await createShift({ name: `${tag} Alpha` });
    });

    it('any authenticated user lists shifts sorted by name (case-insensitive), filtered by isActive, paged with a stable total', async function () {
      const { data, response } = await employee.api.GET('/shifts', { params: { query: { limit: 200 } } });
      expect(response.status).to.equal(200);
      const mine = data!.items.filter((s) => s.name.startsWith(tag)).map((s) => s.id);
      expect(mine).to.deep.equal([alpha.id, beta.id, gamma.id]);

      const inactive = await employee.api.GET('/shifts', { params: { query: { isActive: false, limit: 200 } } });
      expect(inactive.data!.items.every((s) => !s.isActive)).to.equal(true);
      expect(inactive.data!.items.map((s) => s.id)).to.include(gamma.id);
      const active = await employee.api.GET('/shifts', { params: { query: { isActive: true, limit: 200 } } });
      expect(active.data!.items.map((s) => s.id)).to.not.include(gamma.id);
      expect(active.data!.total + inactive.data!.total).to.equal(data!.total);

      const page = await employee.api.GET('/shifts', { params: { query: { limit: 2, offset: 1 } } });
      expect(page.data).to.include({ limit: 2, offset: 1, total: data!.total });
      expect(page.data!.items.map((s) => s.id)).to.deep.equal(data!.items.slice(1, 3).map((s) => s.id));
    });

    it('any list limit=0, limit=201, offset=-1 → 422', async function () {
      expectError(await employee.api.GET('/shifts', { params: { query: { limit: 0 } } }), 422, 'VALIDATION_ERROR', ['query.limit']);
      expectError(await employee.api.GET('/shifts', { params: { query: { limit: 201 } } }), 422, 'VALIDATION_ERROR', ['query.limit']);
      expectError(await employee.api.GET('/shifts', { params: { query: { offset: -1 } } }), 422, 'VALIDATION_ERROR', ['query.offset']);
      const employees = (query: Record<string, number>) =>
        admin.api.GET('/shifts/{shiftId}/employees', { params: { path: { shiftId: alpha.id }, query } });
      expectError(await employees({ limit: 0 }), 422, 'VALIDATION_ERROR', ['query.limit']);
      expectError(await employees({ limit: 201 }), 422, 'VALIDATION_ERROR', ['query.limit']);
      expectError(await employees({ offset: -1 }), 422, 'VALIDATION_ERROR', ['query.offset']);
    });

    it('GET /shifts/{shiftId} answers any authenticated user (inactive too); unknown → 404; malformed → 422 path.shiftId; no token → 401', async function () {
      const { data } = await employee.api.GET('/shifts/{shiftId}', { params: { path: { shiftId: gamma.id } } });
      expect(data).to.include({ id: gamma.id, isActive: false });
      expectError(await employee.api.GET('/shifts/{shiftId}', { params: { path: { shiftId: randomUUID() } } }), 404, 'NOT_FOUND');
      expectError(await employee.api.GET('/shifts/{shiftId}', { params: { path: { shiftId: 'abc' } } }), 422, 'VALIDATION_ERROR', ['path.shiftId']);
      expectError(await app.client().GET('/shifts'), 401, 'AUTH_ERROR');
    });
  });

  describe('PATCH /shifts/{shiftId}', function () {
    it('changes fields, re-derives overnight/duration, audits shift.updated with only the changed fields and publishes shift.updated', async function () {
      const shift = await createShift({ name: uniqueName('Evening'), description: 'Late', startTime: '13:00', endTime: '21:00' });
      const { data, response } = await admin.api.PATCH('/shifts/{shiftId}', {
        params: { path: { shiftId: shift.id } },
        body: { startTime: '18:00', endTime: '03:00', workingDays: [6, 1], description: 'Late', gracePeriodMinutes: 30 },
      });
      expect(response.status).to.equal(200);
      expect(data).to.deep.include({ startTime: '18:00', endTime: '03:00', isOvernight: true, durationMinutes: 540, workingDays: [1, 6], gracePeriodMinutes: 30 });
      const audits = await auditRows(app, shift.id, { entityType: 'shift' });
      expect(audits.map((a) => a.action)).to.deep.equal(['shift.created', 'shift.updated']);
      expect(audits[1]!.before).to.deep.equal({ startTime: '13:00', endTime: '21:00', gracePeriodMinutes: 15, workingDays: [1, 2, 3, 4, 5] });
      expect(audits[1]!.after).to.deep.equal({ startTime: '18:00', endTime: '03:00', gracePeriodMinutes: 30, workingDays: [1, 6] });
      const events = await outboxEvents(app, 'shift.*', 'shiftId', shift.id);
      expect(events.map((e) => e.event.type)).to.deep.equal(['shift.created', 'shift.updated']);
      expect(events[1]!.event.payload).to.deep.equal({ shiftId: shift.id, name: shift.name, isActive: true, isDefault: false });
    });

    it('re-validates the merged result: an endTime equal to the stored start → 422 body.endTime; a startTime making it 23.5 h → 422 body.startTime', async function () {
      const shift = await createShift({ name: uniqueName('Merge'), startTime: '09:00', endTime: '17:00' });
      expectError(await admin.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } }, body: { endTime: '09:00' } }), 422, 'VALIDATION_ERROR', [
        'body.endTime',
      ]);
      expectError(await admin.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } }, body: { startTime: '17:30' } }), 422, 'VALIDATION_ERROR', [
        'body.startTime',
      ]);
      const ok = await admin.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } }, body: { startTime: '01:00' } });
      expect(ok.data).to.include({ startTime: '01:00', endTime: '17:00', durationMinutes: 960 });
    });

    it('shift PATCH {"name":null} / {"startTime":null} → 422 (never 500)', async function () {
      const shift = await createShift({ name: uniqueName('Nulls') });
      for (const body of [{ name: null }, { startTime: null }, { endTime: null }, { timezone: null }, { workingDays: null }, { isActive: null }, { gracePeriodMinutes: null }, { isDefault: null }]) {
        const result = await admin.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } }, body: body as never });
        const field = `body.${Object.keys(body)[0]}`;
        const envelope = expectError(result, 422, 'VALIDATION_ERROR');
        expect(envelope.details.map((d) => d.field)).to.include(field);
      }
      const { data } = await admin.api.GET('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } } });
      expect(data).to.deep.equal(shift);
    });

    it('description null clears it; an empty body → 422; a PATCH that changes nothing → 200 without audit or event', async function () {
      const shift = await createShift({ name: uniqueName('Quiet'), description: 'Something' });
      const cleared = await admin.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } }, body: { description: null } });
      expect(cleared.data!.description).to.equal(null);
      expectError(await admin.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } }, body: {} }), 422, 'VALIDATION_ERROR');
      const same = await admin.api.PATCH('/shifts/{shiftId}', {
        params: { path: { shiftId: shift.id } },
        body: { name: shift.name, startTime: '09:00', workingDays: [5, 4, 3, 2, 1], isActive: true },
      });
      expect(same.response.status).to.equal(200);
      expect((await auditRows(app, shift.id, { entityType: 'shift' })).map((a) => a.action)).to.deep.equal(['shift.created', 'shift.updated']);
      expect(await outboxEvents(app, 'shift.*', 'shiftId', shift.id)).to.have.length(2);
    });

    it('renaming to another shift\'s name in another case → 409 on body.name; unknown shift → 404; employee → 403', async function () {
      const taken = await createShift({ name: uniqueName('Taken') });
      const other = await createShift({ name: uniqueName('Other') });
      expectError(
        await admin.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: other.id } }, body: { name: taken.name.toUpperCase() } }),
        409,
        'CONFLICT',
        ['body.name'],
      );
      expectError(await admin.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: randomUUID() } }, body: { name: 'X' } }), 404, 'NOT_FOUND');
      expectError(await employee.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: other.id } }, body: { name: 'X' } }), 403, 'PERMISSION_ERROR');
    });

    it('isActive:false with no blocking users deactivates: audit shift.deactivated, event shift.updated; isActive:true reactivates as shift.updated', async function () {
      const shift = await createShift({ name: uniqueName('Seasonal') });
      const { data } = await admin.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } }, body: { isActive: false } });
      expect(data!.isActive).to.equal(false);
      const back = await admin.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } }, body: { isActive: true } });
      expect(back.data!.isActive).to.equal(true);
      const audits = await auditRows(app, shift.id, { entityType: 'shift' });
      expect(audits.map((a) => [a.action, a.before, a.after])).to.deep.equal([
        ['shift.created', null, audits[0]!.after],
        ['shift.deactivated', { isActive: true }, { isActive: false }],
        ['shift.updated', { isActive: false }, { isActive: true }],
      ]);
      const events = await outboxEvents(app, 'shift.*', 'shiftId', shift.id);
      expect(events.map((e) => [e.event.type, e.event.payload.isActive])).to.deep.equal([
        ['shift.created', true],
        ['shift.updated', false],
        ['shift.updated', true],
      ]);
    });
  });

  describe('deactivation (PATCH isActive:false and DELETE)', function () {
    it('shift PATCH isActive:false or DELETE while users are assigned; DELETE the default → 409', async function () {
      const shift = await createShift({ name: uniqueName('Staffed') });
      const a = await createUser(app, { role: 'employee', managerId: org.manager.id });
      const b = await createUser(app, { role: 'employee', status: 'suspended', managerId: org.manager.id });
      const c = await createUser(app, { role: 'intern', status: 'invited', managerId: org.manager.id });
      const gone = await createUser(app, { role: 'employee', status: 'inactive', managerId: org.manager.id });
      for (const user of [a, b, c, gone]) expect((await assign(admin, user.id, { shiftId: shift.id })).response.status).to.equal(200);

      const patch = expectError(
        await admin.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } }, body: { isActive: false } }),
        409,
        'CONFLICT',
        ['body.isActive'],
      );
      expect(patch.message).to.equal('The shift still has 3 assigned users whose status is not inactive; reassign them first.');
      const del = expectError(await admin.api.DELETE('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } } }), 409, 'CONFLICT', ['path.shiftId']);
      expect(del.message).to.match(/3 assigned users/);

      // Inactive users never block; once only they remain, deactivation succeeds.
      for (const user of [a, b]) await assign(admin, user.id, { shiftId: null });
      const one = expectError(await admin.api.DELETE('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } } }), 409, 'CONFLICT');
      expect(one.message).to.equal('The shift still has 1 assigned user whose status is not inactive; reassign them first.');
      await assign(admin, c.id, { shiftId: null });
      const { data, response } = await admin.api.DELETE('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } } });
      expect(response.status).to.equal(200);
      expect(data!.isActive).to.equal(false);
      expect(await userShiftId(gone.id)).to.equal(shift.id);

      const theDefault = await createShift({ name: uniqueName('The default'), isDefault: true });
      const defaultDelete = expectError(await admin.api.DELETE('/shifts/{shiftId}', { params: { path: { shiftId: theDefault.id } } }), 409, 'CONFLICT', [
        'path.shiftId',
      ]);
      expect(defaultDelete.message).to.match(/default shift cannot be deactivated/);
      const defaultPatch = expectError(
        await admin.api.PATCH('/shifts/{shiftId}', { params: { path: { shiftId: theDefault.id } }, body: { isActive: false } }),
        409,
        'CONFLICT',
        ['body.isActive'],
      );
      expect(defaultPatch.message).to.match(/default shift cannot be deactivated/);
      const { rows } = await app.sql.query(`SELECT is_active, is_default FROM shifts WHERE id = $1`, [theDefault.id]);
      expect(rows[0]).to.deep.equal({ is_active: true, is_default: true });
    });

    it('DELETE deactivates softly (audit shift.deactivated, event shift.updated); DELETE of an inactive shift → 200 unchanged, no audit, no event', async function () {
      const shift = await createShift({ name: uniqueName('Retired') });
      const first = await hr.api.DELETE('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } } });
      expect(first.response.status).to.equal(200);
      expect(first.data).to.include({ id: shift.id, isActive: false });
      const second = await hr.api.DELETE('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } } });
      expect(second.response.status).to.equal(200);
      expect(second.data).to.deep.equal(first.data);
      const audits = await auditRows(app, shift.id, { entityType: 'shift' });
      expect(audits.map((a) => a.action)).to.deep.equal(['shift.created', 'shift.deactivated']);
      expect(audits[1]).to.deep.include({ actor_user_id: org.hr.id, before: { isActive: true }, after: { isActive: false } });
      const events = await outboxEvents(app, 'shift.*', 'shiftId', shift.id);
      expect(events.map((e) => e.event.type)).to.deep.equal(['shift.created', 'shift.updated']);
      expect(events[1]!.event.payload).to.deep.equal({ shiftId: shift.id, name: shift.name, isActive: false, isDefault: false });
      const { rowCount } = await app.sql.query(`SELECT 1 FROM shifts WHERE id = $1`, [shift.id]);
      expect(rowCount).to.equal(1);
      expectError(await hr.api.DELETE('/shifts/{shiftId}', { params: { path: { shiftId: randomUUID() } } }), 404, 'NOT_FOUND');
      expectError(await manager.api.DELETE('/shifts/{shiftId}', { params: { path: { shiftId: shift.id } } }), 403, 'PERMISSION_ERROR');
    });
  });

  describe('GET /shifts/{shiftId}/employees', function () {
    it('lists the assigned users (any status, or filtered) sorted by fullName then id, with department; 404 unknown; 403 without the keys', async function () {
      const shift = await createShift({ name: uniqueName('Roster') });
      const { rows: dept } = await app.sql.query<{ id: string }>(`INSERT INTO departments (name) VALUES ($1) RETURNING id`, [uniqueName('Dept')]);
      const departmentId = dept[0]!.id;
      const zed = await createUser(app, { role: 'employee', fullName: 'Zed Worker', departmentId, managerId: org.manager.id });
      const amy = await createUser(app, { role: 'team_lead', fullName: 'amy Lead', managerId: org.manager.id });
      const bob = await createUser(app, { role: 'employee', fullName: 'Bob Gone', status: 'inactive', managerId: org.manager.id });
      await createUser(app, { role: 'employee', fullName: 'Aaron Elsewhere', managerId: org.manager.id });
      for (const user of [zed, amy, bob]) await assign(admin, user.id, { shiftId: shift.id });

      const { data, response } = await hr.api.GET('/shifts/{shiftId}/employees', { params: { path: { shiftId: shift.id } } });
      expect(response.status).to.equal(200);
      expect(data).to.include({ total: 3, limit: 50, offset: 0 });
      expect(data!.items).to.deep.equal([
        { id: amy.id, fullName: 'amy Lead', email: amy.email, role: 'team_lead', status: 'active', departmentId: null, departmentName: null },
        { id: bob.id, fullName: 'Bob Gone', email: bob.email, role: 'employee', status: 'inactive', departmentId: null, departmentName: null },
        { id: zed.id, fullName: 'Zed Worker', email: zed.email, role: 'employee', status: 'active', departmentId, departmentName: data!.items[2]!.departmentName },
      ]);
      expect(data!.items[2]!.departmentName).to.match(/^Dept /);

      const active = await admin.api.GET('/shifts/{shiftId}/employees', { params: { path: { shiftId: shift.id }, query: { status: 'active', limit: 1, offset: 1 } } });
      expect(active.data).to.include({ total: 2, limit: 1, offset: 1 });
      expect(active.data!.items.map((i) => i.id)).to.deep.equal([zed.id]);
      expectError(
        await admin.api.GET('/shifts/{shiftId}/employees', { params: { path: { shiftId: shift.id }, query: { status: 'retired' as never } } }),
        422,
        'VALIDATION_ERROR',
        ['query.status'],
      );

      expectError(await hr.api.GET('/shifts/{shiftId}/employees', { params: { path: { shiftId: randomUUID() } } }), 404, 'NOT_FOUND');
      expectError(await manager.api.GET('/shifts/{shiftId}/employees', { params: { path: { shiftId: shift.id } } }), 403, 'PERMISSION_ERROR');
      expectError(await employee.api.GET('/shifts/{shiftId}/employees', { params: { path: { shiftId: shift.id } } }), 403, 'PERMISSION_ERROR');
    });
  });

  describe('PUT /shifts/assignments/{userId}', function () {
    it('assigns a shift: 200 {userId, shiftId, effectiveShiftId}, audit user.shift_changed, event shift.assigned to the user only', async function () {
      await clearDefault();
      const shift = await createShift({ name: uniqueName('Assigned') });
      const user = await createUser(app, { role: 'employee', managerId: org.manager.id });
      const { data, response } = await hr.api.PUT('/shifts/assignments/{userId}', {
        params: { path: { userId: user.id } },
        body: { shiftId: shift.id },
        headers: { 'X-Request-Id': 'assign-1' },
      });
      expect(response.status).to.equal(200);
      expect(data).to.deep.equal({ userId: user.id, shiftId: shift.id, effectiveShiftId: shift.id });
      expect(await userShiftId(user.id)).to.equal(shift.id);

      const audits = await auditRows(app, user.id, { entityType: 'user' });
      expect(audits).to.have.length(1);
      expect(audits[0]).to.deep.include({
        action: 'user.shift_changed',
        actor_user_id: org.hr.id,
        entity_label: user.fullName,
        before: { shiftId: null },
        after: { shiftId: shift.id },
      });
      expect(audits[0]!.metadata).to.include({ requestId: 'assign-1' });
      const events = await outboxEvents(app, 'shift.assigned', 'userId', user.id);
      expect(events).to.have.length(1);
      expect(events[0]!.audience_kind).to.equal('user');
      expect(events[0]!.audience_user_ids).to.deep.equal([user.id]);
      expect(events[0]!.event.payload).to.deep.equal({ userId: user.id, shiftId: shift.id, effectiveShiftId: shift.id });

      // The same assignment again changes nothing: 200, no second audit or event.
      const again = await assign(hr, user.id, { shiftId: shift.id });
      expect(again.data).to.deep.equal(data);
      expect(await auditRows(app, user.id, { entityType: 'user' })).to.have.length(1);
      expect(await outboxEvents(app, 'shift.assigned', 'userId', user.id)).to.have.length(1);
    });

    it('shiftId null unassigns; the effective shift falls back to the default shift, or null when there is none', async function () {
      await clearDefault();
      const own = await createShift({ name: uniqueName('Own') });
      const user = await createUser(app, { role: 'employee', managerId: org.manager.id });
      await assign(admin, user.id, { shiftId: own.id });

      const noDefault = await assign(admin, user.id, { shiftId: null });
      expect(noDefault.data).to.deep.equal({ userId: user.id, shiftId: null, effectiveShiftId: null });
      expect(await userShiftId(user.id)).to.equal(null);

      const fallback = await createShift({ name: uniqueName('Org default'), isDefault: true });
      const reassigned = await assign(admin, user.id, { shiftId: own.id });
      expect(reassigned.data).to.deep.equal({ userId: user.id, shiftId: own.id, effectiveShiftId: own.id });
      const unassigned = await assign(admin, user.id, { shiftId: null });
      expect(unassigned.data).to.deep.equal({ userId: user.id, shiftId: null, effectiveShiftId: fallback.id });

      const audits = await auditRows(app, user.id, { entityType: 'user' });
      expect(audits.map((a) => [a.before, a.after])).to.deep.equal([
        [{ shiftId: null }, { shiftId: own.id }],
        [{ shiftId: own.id }, { shiftId: null }],
        [{ shiftId: null }, { shiftId: own.id }],
        [{ shiftId: own.id }, { shiftId: null }],
      ]);
      const events = await outboxEvents(app, 'shift.assigned', 'userId', user.id);
      expect(events.map((e) => e.event.payload.effectiveShiftId)).to.deep.equal([own.id, null, own.id, fallback.id]);
    });

    it('PUT /shifts/assignments/{id} with {} or {"shift_id":…} → 422 (never silently unassigns)', async function () {
      const shift = await createShift({ name: uniqueName('Kept') });
      const user = await createUser(app, { role: 'employee', managerId: org.manager.id });
      await assign(admin, user.id, { shiftId: shift.id });
      const empty = expectError(await assign(admin, user.id, {}), 422, 'VALIDATION_ERROR', ['body.shiftId']);
      expect(empty.details[0]!.message).to.match(/required/);
      // The validator reports the first problem: the missing `shiftId` (the unknown `shift_id` is refused either way).
      expectError(await assign(admin, user.id, { shift_id: randomUUID() }), 422, 'VALIDATION_ERROR', ['body.shiftId']);
      expectError(await assign(admin, user.id, { shiftId: shift.id, shift_id: randomUUID() }), 422, 'VALIDATION_ERROR', ['body.shift_id']);
      expectError(await assign(admin, user.id, { shiftId: 'not-a-uuid' }), 422, 'VALIDATION_ERROR', ['body.shiftId']);
      expect(await userShiftId(user.id)).to.equal(shift.id);
      expect(await auditRows(app, user.id, { entityType: 'user' })).to.have.length(1);
    });

    it('assign an inactive or unknown shift → 422 body.shiftId; unknown user → 404', async function () {
      const inactive = await createShift({ name: uniqueName('Off'), isActive: false });
      const user = await createUser(app, { role: 'employee', managerId: org.manager.id });
      const off = expectError(await assign(admin, user.id, { shiftId: inactive.id }), 422, 'VALIDATION_ERROR', ['body.shiftId']);
      expect(off.details[0]!.message).to.equal('must be an active shift');
      const unknown = expectError(await assign(admin, user.id, { shiftId: randomUUID() }), 422, 'VALIDATION_ERROR', ['body.shiftId']);
      expect(unknown.details[0]!.message).to.equal('must be an existing shift');
      expectError(await assign(admin, randomUUID(), { shiftId: null }), 404, 'NOT_FOUND');
      expectError(await assign(admin, 'abc', { shiftId: null }), 422, 'VALIDATION_ERROR', ['path.userId']);
      expect(await userShiftId(user.id)).to.equal(null);
      expect(await auditRows(app, user.id, { entityType: 'user' })).to.have.length(0);
    });

    it('a manager or an employee → 403 PERMISSION_ERROR; the assignment is unchanged', async function () {
      const shift = await createShift({ name: uniqueName('Guarded') });
      expectError(await assign(manager, org.employee.id, { shiftId: shift.id }), 403, 'PERMISSION_ERROR');
      expectError(await assign(employee, org.employee.id, { shiftId: shift.id }), 403, 'PERMISSION_ERROR');
      expect(await userShiftId(org.employee.id)).to.not.equal(shift.id);
    });

    it('the user\'s active attendance session is not touched (it keeps its stored shift and expected window)', async function () {
      const before = await createShift({ name: uniqueName('Before'), startTime: '08:00', endTime: '16:00' });
      const after = await createShift({ name: uniqueName('After'), startTime: '12:00', endTime: '20:00' });
      const user = await createUser(app, { role: 'employee', managerId: org.manager.id });
      await assign(admin, user.id, { shiftId: before.id });
      const { rows } = await app.sql.query<{ id: string }>(
        `INSERT INTO attendance_sessions (user_id, work_date, check_in_at, work_mode, status, shift_id, is_scheduled_day,
           expected_shift_start_at, expected_shift_end_at, classification)
         VALUES ($1, '2026-06-25', '2026-06-25T03:05:00Z', 'office', 'active', $2, true, '2026-06-25T03:00:00Z', '2026-06-25T11:00:00Z', 'active')
         RETURNING id`,
        [user.id, before.id],
      );
      const sessionBefore = await app.sql.query(`SELECT * FROM attendance_sessions WHERE id = $1`, [rows[0]!.id]);

      const { data } = await assign(admin, user.id, { shiftId: after.id });
      expect(data).to.deep.equal({ userId: user.id, shiftId: after.id, effectiveShiftId: after.id });
      const sessionAfter = await app.sql.query(`SELECT * FROM attendance_sessions WHERE id = $1`, [rows[0]!.id]);
      expect(sessionAfter.rows[0]).to.deep.equal(sessionBefore.rows[0]);
      expect(sessionAfter.rows[0]).to.include({ status: 'active', shift_id: before.id });
    });
  });
});
