/**
 * Attendance views (02 §3.1 today, §3.2 lists / roster / session detail, §5 list rows): ranges on work dates,
 * filters, sort and paging, scope in SQL (404 outside scope, a foreign `userId` narrows to an empty page), the
 * roster's day statuses computed with a fixed number of statements. ORG_TIMEZONE=Asia/Karachi; today is
 * Thursday 2026-06-25.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createOrg, createUser, type FixtureUser, type Org } from '../helpers/fixtures.ts';
import { FixedClock, type TestApp } from '../helpers/harness.ts';
import { apiAt, assignShift, insertHoliday, insertShift, MINUTE, startKarachiApp } from '../helpers/attendance-sessions.ts';
import { expectError, ok } from '../helpers/expect.ts';

const TODAY_0900 = '2026-06-25T04:00:00.000Z';

describe('attendance views (02 §3.2)', function () {
  const clock = new FixedClock(TODAY_0900);
  let app: TestApp;
  let org: Org;
  /** Session ids of the org's seeded sessions on Monday 2026-06-22, by user id. */
  const seeded = new Map<string, string>();

  const api = (user: FixtureUser, when = TODAY_0900) => apiAt(app, clock, user, when);

  /** A closed session from `inAt` for `minutes` (users without a shift, so no reason is needed). */
  async function session(user: FixtureUser, inAt: string, minutes: number, workMode: 'office' | 'wfh' = 'office'): Promise<string> {
    const s = ok(await (await api(user, inAt)).POST('/attendance/check-in', { body: { workMode } }), 201);
    ok(await (await api(user, new Date(Date.parse(inAt) + minutes * MINUTE).toISOString())).POST('/attendance/check-out', {}));
    return s.id;
  }

  before(async () => {
    app = await startKarachiApp(clock);
    org = await createOrg(app);
    for (const user of [org.manager, org.teamLead, org.employee, org.intern, org.employee2, org.outsider]) {
      seeded.set(user.id, await session(user, '2026-06-22T04:00:00.000Z', 120));
    }
  });
  after(() => app.close());

  const MONDAY = { from: '2026-06-22', to: '2026-06-22' };

  describe('listMySessions', () => {
    it('defaults to the last 7 work dates including today (ORG_TIMEZONE), newest check-in first; items omit breaks and corrections', async () => {
      const user = await createUser(app, { role: 'employee' });
      await session(user, '2026-06-18T05:00:00.000Z', 30); // 7 days before today: outside the default range
      const d19 = await session(user, '2026-06-19T05:00:00.000Z', 30);
      const d24late = await session(user, '2026-06-24T18:50:00.000Z', 30); // 23:50 PKT on Jun 24
      const d25early = await session(user, '2026-06-24T19:30:00.000Z', 30); // 00:30 PKT on Jun 25
      const page = ok(await (await api(user)).GET('/attendance/me'));
      expect(page).to.deep.include({ total: 3, limit: 50, offset: 0 });
      expect(page.items.map((s) => s.id)).to.deep.equal([d25early, d24late, d19]);
      expect(page.items.map((s) => s.workDate)).to.deep.equal(['2026-06-25', '2026-06-24', '2026-06-19']);
      expect(page.items[0]).to.not.have.property('breaks');
      expect(page.items[0]).to.not.have.property('corrections');
    });

    it('filters by status, workMode and classification; sorts by workDate / checkInAt; pages with a stable total', async () => {
      const user = await createUser(app, { role: 'employee' });
      const a = await session(user, '2026-06-23T04:00:00.000Z', 30, 'wfh');
      const b = await session(user, '2026-06-24T04:00:00.000Z', 90);
      const c = await session(user, '2026-06-24T08:00:00.000Z', 30);
      const client = await api(user);
      ok(await client.POST('/attendance/check-in', { body: { workMode: 'office' } }), 201);
      const q = (query: Record<string, unknown>) => client.GET('/attendance/me', { params: { query: { from: '2026-06-20', to: '2026-06-25', ...query } } });
      expect(ok(await q({ status: 'active' })).items.map((s) => s.workDate)).to.deep.equal(['2026-06-25']);
      expect(ok(await q({ workMode: 'wfh' })).items.map((s) => s.id)).to.deep.equal([a]);
      expect(ok(await q({ classification: 'half_day' })).items.map((s) => s.id)).to.deep.equal([b]);
      expect(ok(await q({ classification: 'full_leave', sort: 'checkInAt' })).items.map((s) => s.id)).to.deep.equal([a, c]);
      const byDate = ok(await q({ sort: 'workDate' })).items.map((s) => s.workDate);
      expect(byDate).to.deep.equal(['2026-06-23', '2026-06-24', '2026-06-24', '2026-06-25']);
      expect(ok(await q({ sort: '-workDate' })).items.map((s) => s.workDate)).to.deep.equal(['2026-06-25', '2026-06-24', '2026-06-24', '2026-06-23']);
      const first = ok(await q({ sort: 'checkInAt', limit: 2, offset: 0 }));
      const second = ok(await q({ sort: 'checkInAt', limit: 2, offset: 2 }));
      expect(first).to.deep.include({ total: 4, limit: 2, offset: 0 });
      expect([...first.items, ...second.items].map((s) => s.id).slice(0, 3)).to.deep.equal([a, b, c]);
    });

    it('carries out the lazy close of the caller\'s stale session before listing', async () => {
      const user = await createUser(app, { role: 'employee' });
      ok(await (await api(user, '2026-06-24T04:00:00.000Z')).POST('/attendance/check-in', { body: { workMode: 'office' } }), 201);
      const page = ok(await (await api(user, '2026-06-24T20:00:00.000Z')).GET('/attendance/me'));
      expect(page.items[0]).to.deep.include({ status: 'incomplete', autoClosedReason: 'max_duration', checkOutAt: '2026-06-24T20:00:00.000Z', workedSeconds: 16 * 3600 });
    });
  });

  describe('listTeamSessions', () => {
    it('a manager sees themself and the whole chain below; a team lead themself and direct reports; HR everyone', async () => {
      const ids = async (user: FixtureUser) =>
        new Set(ok(await (await api(user)).GET('/attendance/team', { params: { query: { ...MONDAY, limit: 200 } } })).items.map((s) => s.userId));
      const managerSees = await ids(org.manager);
      expect([...managerSees]).to.have.members([org.manager.id, org.teamLead.id, org.employee.id, org.intern.id, org.employee2.id]);
      expect([...(await ids(org.teamLead))]).to.have.members([org.teamLead.id, org.employee.id, org.intern.id]);
      expect([...(await ids(org.hr))]).to.include.members([org.manager.id, org.outsider.id, org.employee.id]);
    });

    it('items carry userFullName; departmentId filters by the user\'s department', async () => {
      const { rows } = await app.sql.query<{ id: string }>(`INSERT INTO departments (name) VALUES ($1) RETURNING id`, [`Ops ${randomUUID().slice(0, 6)}`]);
      await app.sql.query('UPDATE users SET department_id = $2 WHERE id = $1', [org.employee2.id, rows[0]!.id]);
      const page = ok(await (await api(org.manager)).GET('/attendance/team', { params: { query: { ...MONDAY, departmentId: rows[0]!.id } } }));
      expect(page.total).to.equal(1);
      expect(page.items[0]).to.deep.include({ id: seeded.get(org.employee2.id), userId: org.employee2.id, userFullName: org.employee2.fullName });
    });

    it('a userId outside the caller\'s scope narrows to an empty page (01 §4.3)', async () => {
      const page = ok(await (await api(org.manager)).GET('/attendance/team', { params: { query: { ...MONDAY, userId: org.outsider.id } } }));
      expect(page).to.deep.equal({ items: [], total: 0, limit: 50, offset: 0 });
      const inScope = ok(await (await api(org.manager)).GET('/attendance/team', { params: { query: { ...MONDAY, userId: org.employee.id } } }));
      expect(inScope.items.map((s) => s.id)).to.deep.equal([seeded.get(org.employee.id)]);
    });

    it('403 PERMISSION_ERROR for a caller with neither view_team nor view_org (a denied read, not audited)', async () => {
      const result = await (await api(org.employee)).GET('/attendance/team', { params: { query: MONDAY } });
      expectError(result, 403, 'PERMISSION_ERROR');
      const { rows } = await app.sql.query(`SELECT 1 FROM audit_logs WHERE actor_user_id = $1`, [org.employee.id]);
      expect(rows).to.deep.equal([]);
    });
  });

  describe('listUserSessions and getSession', () => {
    it('own sessions with view_own; team members for a manager; unknown and out-of-scope users are the same 404', async () => {
      const own = ok(await (await api(org.employee)).GET('/attendance/users/{userId}/sessions', { params: { path: { userId: org.employee.id }, query: MONDAY } }));
      expect(own.items.map((s) => s.id)).to.deep.equal([seeded.get(org.employee.id)]);
      const byManager = ok(await (await api(org.manager)).GET('/attendance/users/{userId}/sessions', { params: { path: { userId: org.employee.id }, query: MONDAY } }));
      expect(byManager.total).to.equal(1);
      const foreign = await (await api(org.employee)).GET('/attendance/users/{userId}/sessions', { params: { path: { userId: org.employee2.id } } });
      const outside = await (await api(org.manager)).GET('/attendance/users/{userId}/sessions', { params: { path: { userId: org.outsider.id } } });
      const unknown = await (await api(org.manager)).GET('/attendance/users/{userId}/sessions', { params: { path: { userId: randomUUID() } } });
      const bodies = [foreign, outside, unknown].map((r) => {
        const e = expectError(r, 404, 'NOT_FOUND');
        return [e.message, e.details];
      });
      expect(bodies[0]).to.deep.equal(bodies[2]);
      expect(bodies[1]).to.deep.equal(bodies[2]);
      expectError(await (await api(org.manager)).GET('/attendance/users/{userId}/sessions', { params: { path: { userId: 'nope' } } }), 422, 'VALIDATION_ERROR', [
        'path.userId',
      ]);
    });

    it('getSession includes chronological breaks and newest-first corrections, and flags a pending correction', async () => {
      const user = await createUser(app, { role: 'employee', managerId: org.manager.id });
      ok(await (await api(user, '2026-06-24T04:00:00.000Z')).POST('/attendance/check-in', { body: { workMode: 'office' } }), 201);
      const b1 = ok(await (await api(user, '2026-06-24T05:00:00.000Z')).POST('/attendance/breaks/start', { body: { breakType: 'prayer' } }), 201);
      ok(await (await api(user, '2026-06-24T05:10:00.000Z')).POST('/attendance/breaks/end', {}));
      const b2 = ok(await (await api(user, '2026-06-24T06:00:00.000Z')).POST('/attendance/breaks/start', { body: { breakType: 'dinner' } }), 201);
      const closed = ok(await (await api(user, '2026-06-24T07:00:00.000Z')).POST('/attendance/check-out', {}));
      const { rows } = await app.sql.query<{ id: string }>(
        `INSERT INTO attendance_corrections (session_id, user_id, requested_by_id, original_check_in_at, original_check_out_at, requested_check_in_at, reason, status, reviewer_id, reviewer_comment, resolved_at, created_at, updated_at)
         VALUES ($1, $2, $2, '2026-06-24T04:00:00Z', '2026-06-24T07:00:00Z', '2026-06-24T03:55:00Z', 'badge reader down', 'rejected', $3, 'no evidence', '2026-06-24T08:00:00Z', '2026-06-24T07:30:00Z', '2026-06-24T08:00:00Z'),
                ($1, $2, $2, '2026-06-24T04:00:00Z', '2026-06-24T07:00:00Z', '2026-06-24T03:50:00Z', 'second try with proof', 'pending', NULL, NULL, NULL, '2026-06-24T09:00:00Z', '2026-06-24T09:00:00Z')
         RETURNING id`,
        [closed.id, user.id, org.manager.id],
      );
      const detail = ok(await (await api(org.manager)).GET('/attendance/sessions/{sessionId}', { params: { path: { sessionId: closed.id } } }));
      expect(detail.correctionPending).to.equal(true);
      expect(detail.breaks!.map((b) => [b.id, b.endReason])).to.deep.equal([
        [b1.id, 'manual'],
        [b2.id, 'check_out'],
      ]);
      expect(detail.corrections!.map((c) => c.id)).to.deep.equal([rows[1]!.id, rows[0]!.id]);
      expect(detail.corrections![1]).to.deep.equal({
        id: rows[0]!.id,
        sessionId: closed.id,
        userId: user.id,
        userFullName: user.fullName,
        requestedById: user.id,
        workDate: '2026-06-24',
        originalCheckInAt: '2026-06-24T04:00:00.000Z',
        originalCheckOutAt: '2026-06-24T07:00:00.000Z',
        requestedCheckInAt: '2026-06-24T03:55:00.000Z',
        requestedCheckOutAt: null,
        reason: 'badge reader down',
        status: 'rejected',
        reviewerId: org.manager.id,
        reviewerComment: 'no evidence',
        resolvedAt: '2026-06-24T08:00:00.000Z',
        createdAt: '2026-06-24T07:30:00.000Z',
        updatedAt: '2026-06-24T08:00:00.000Z',
      });
      const { breaks: _b, corrections: _c, ...listed } = detail;
      const listItem = ok(await (await api(user)).GET('/attendance/me', { params: { query: { from: '2026-06-24', to: '2026-06-24' } } })).items[0];
      expect(listItem).to.deep.equal(listed);
    });

    it('getSession: unknown and out-of-scope sessions are the same 404; a malformed id is 422 path.sessionId', async () => {
      const id = seeded.get(org.employee.id)!;
      expect(ok(await (await api(org.teamLead)).GET('/attendance/sessions/{sessionId}', { params: { path: { sessionId: id } } })).id).to.equal(id);
      const outside = await (await api(org.otherManager)).GET('/attendance/sessions/{sessionId}', { params: { path: { sessionId: id } } });
      const peer = await (await api(org.intern)).GET('/attendance/sessions/{sessionId}', { params: { path: { sessionId: id } } });
      const unknown = await (await api(org.otherManager)).GET('/attendance/sessions/{sessionId}', { params: { path: { sessionId: randomUUID() } } });
      const [a, b, c] = [outside, peer, unknown].map((r) => {
        const e = expectError(r, 404, 'NOT_FOUND');
        return [e.message, e.details];
      });
      expect(a).to.deep.equal(c);
      expect(b).to.deep.equal(c);
      expectError(await (await api(org.hr)).GET('/attendance/sessions/{sessionId}', { params: { path: { sessionId: 'not-a-uuid' } } }), 422, 'VALIDATION_ERROR', [
        'path.sessionId',
      ]);
    });
  });

  describe('getMyToday', () => {
    it('returns the DayStatus of the caller\'s work date with that date\'s sessions (oldest first) and the open break', async () => {
      const shift = await insertShift(app, { start: '09:00', end: '17:00', timezone: 'Asia/Karachi', grace: 10 });
      const user = await createUser(app, { role: 'employee' });
      await assignShift(app, user.id, shift);
      let today = ok(await (await api(user, '2026-06-25T04:05:00.000Z')).GET('/attendance/me/today'));
      expect(today).to.deep.include({
        userId: user.id,
        workDate: '2026-06-25',
        dayStatus: 'scheduled',
        isLate: false,
        isWorkingDay: true,
        holiday: null,
        leave: null,
        expectedShiftStartAt: '2026-06-25T04:00:00.000Z',
        expectedShiftEndAt: '2026-06-25T12:00:00.000Z',
        lateAfterAt: '2026-06-25T04:10:00.000Z',
        firstCheckInAt: null,
        sessions: [],
        activeBreak: null,
        activeSessionId: null,
        dayClassification: null,
      });
      expect(today.shift).to.deep.equal({ id: shift, name: today.shift!.name, startTime: '09:00', endTime: '17:00', timezone: 'Asia/Karachi', gracePeriodMinutes: 10 });
      const first = ok(await (await api(user, '2026-06-25T04:20:00.000Z')).POST('/attendance/check-in', { body: { workMode: 'office' } }), 201);
      ok(await (await api(user, '2026-06-25T06:00:00.000Z')).POST('/attendance/check-out', { body: { earlyCheckoutReason: 'errand run' } }));
      const second = ok(await (await api(user, '2026-06-25T07:00:00.000Z')).POST('/attendance/check-in', { body: { workMode: 'wfh' } }), 201);
      const open = ok(await (await api(user, '2026-06-25T07:30:00.000Z')).POST('/attendance/breaks/start', { body: { breakType: 'prayer' } }), 201);
      today = ok(await (await api(user, '2026-06-25T07:35:00.000Z')).GET('/attendance/me/today'));
      expect(today).to.deep.include({
        dayStatus: 'wfh',
        isLate: true,
        firstCheckInAt: '2026-06-25T04:20:00.000Z',
        lastCheckOutAt: '2026-06-25T06:00:00.000Z',
        workedSeconds: 100 * 60,
        activeSessionId: second.id,
        dayClassification: null,
        activeBreak: open,
      });
      expect(today.sessions.map((s) => s.id)).to.deep.equal([first.id, second.id]);
    });
  });

  describe('listAttendanceRoster', () => {
    let dept: string;
    const people: Record<string, FixtureUser> = {};

    before(async () => {
      const { rows } = await app.sql.query<{ id: string }>(`INSERT INTO departments (name) VALUES ($1) RETURNING id`, [`Roster ${randomUUID().slice(0, 6)}`]);
      dept = rows[0]!.id;
      const shift = await insertShift(app, { start: '09:00', end: '17:00', timezone: 'Asia/Karachi', grace: 15 });
      const weekendShift = await insertShift(app, { start: '09:00', end: '17:00', timezone: 'Asia/Karachi', workingDays: [6, 7] });
      const names = ['Ada present', 'Bo wfh', 'Cy checked out', 'Di waiting', 'Ed weekend', 'Fa 100% sure', 'Gi nobody'];
      for (const name of names) {
        people[name] = await createUser(app, { role: 'employee', departmentId: dept, managerId: org.manager.id, fullName: name });
        await assignShift(app, people[name]!.id, name === 'Ed weekend' ? weekendShift : shift);
      }
      await createUser(app, { role: 'employee', departmentId: dept, fullName: 'Zz suspended', status: 'suspended' });
      ok(await (await api(people['Ada present']!, '2026-06-25T04:30:00.000Z')).POST('/attendance/check-in', { body: { workMode: 'office' } }), 201);
      ok(await (await api(people['Bo wfh']!, '2026-06-25T04:00:00.000Z')).POST('/attendance/check-in', { body: { workMode: 'wfh' } }), 201);
      ok(await (await api(people['Cy checked out']!, '2026-06-25T04:00:00.000Z')).POST('/attendance/check-in', { body: { workMode: 'office' } }), 201);
      ok(await (await api(people['Cy checked out']!, '2026-06-25T04:05:00.000Z')).POST('/attendance/check-out', { body: { earlyCheckoutReason: 'gone home' } }));
    });

    const roster = async (viewer: FixtureUser, when: string, query: Record<string, unknown> = {}) =>
      ok(await (await api(viewer, when)).GET('/attendance/roster', { params: { query: { departmentId: dept, ...query } } }));

    it('one DayStatus per active user in scope, sorted by name; statuses by §4.5 precedence with isLate beside them', async () => {
      const page = await roster(org.manager, '2026-06-25T04:10:00.000Z');
      expect(page.total).to.equal(7);
      expect(page.items.map((d) => [d.userFullName, d.dayStatus, d.isLate])).to.deep.equal([
        ['Ada present', 'present', true],
        ['Bo wfh', 'wfh', false],
        ['Cy checked out', 'checked_out', false],
        ['Di waiting', 'scheduled', false],
        ['Ed weekend', 'off_day', false],
        ['Fa 100% sure', 'scheduled', false],
        ['Gi nobody', 'scheduled', false],
      ]);
      const ada = page.items[0]!;
      expect(ada).to.deep.include({ workDate: '2026-06-25', departmentId: dept, isWorkingDay: true, firstCheckInAt: '2026-06-25T04:30:00.000Z' });
      expect(ada.activeSessionId).to.be.a('string');
      expect(page.items[2]).to.deep.include({ dayClassification: 'full_leave', workedSeconds: 300, lastCheckOutAt: '2026-06-25T04:05:00.000Z' });
      // After start + grace (09:15 PKT) nobody who is expected and absent is still "scheduled".
      const later = await roster(org.manager, '2026-06-25T04:16:00.000Z', { dayStatus: 'absent' });
      expect(later.items.map((d) => d.userFullName)).to.deep.equal(['Di waiting', 'Fa 100% sure', 'Gi nobody']);
    });

    it('a holiday on the date shows `holiday` for everyone without a session', async () => {
      await insertHoliday(app, '2026-06-26', 'Roster day off');
      const page = await roster(org.manager, '2026-06-25T04:10:00.000Z', { date: '2026-06-26' });
      expect(new Set(page.items.map((d) => d.dayStatus))).to.deep.equal(new Set(['holiday']));
      expect(page.items[0]!.holiday).to.deep.include({ name: 'Roster day off' });
      expect(page.items[0]).to.deep.include({ isWorkingDay: false, expectedShiftStartAt: null, lateAfterAt: null });
    });

    it('filters by dayStatus and pages after filtering; search matches name or email literally (`%`)', async () => {
      const page = await roster(org.manager, '2026-06-25T04:10:00.000Z', { dayStatus: 'scheduled', limit: 2, offset: 1 });
      expect(page).to.deep.include({ total: 3, limit: 2, offset: 1 });
      expect(page.items.map((d) => d.userFullName)).to.deep.equal(['Fa 100% sure', 'Gi nobody']);
      const literal = await roster(org.manager, '2026-06-25T04:10:00.000Z', { search: '%' });
      expect(literal.items.map((d) => d.userFullName)).to.deep.equal(['Fa 100% sure']);
      const byEmail = await roster(org.manager, '2026-06-25T04:10:00.000Z', { search: people['Bo wfh']!.email.toUpperCase() });
      expect(byEmail.items.map((d) => d.userFullName)).to.deep.equal(['Bo wfh']);
    });

    it('is scoped in SQL: a team lead without these reports sees none of them', async () => {
      const page = await roster(org.teamLead, '2026-06-25T04:10:00.000Z');
      expect(page).to.deep.equal({ items: [], total: 0, limit: 50, offset: 0 });
    });

    it('uses a fixed number of statements whatever the number of users (no query per user)', async () => {
      const { db } = app.running;
      const counted = db as unknown as Record<string, (...args: unknown[]) => unknown>;
      const methods = ['any', 'one', 'maybeOne', 'oneFirst', 'maybeOneFirst', 'many', 'query'];
      const originals = new Map(methods.map((m) => [m, counted[m]!]));
      let statements = 0;
      for (const m of methods) {
        counted[m] = (...args: unknown[]) => {
          statements++;
          return originals.get(m)!.apply(db, args);
        };
      }
      const client = await api(org.hr, '2026-06-25T04:10:00.000Z');
      const measure = async (query: Record<string, unknown>) => {
        statements = 0;
        ok(await client.GET('/attendance/roster', { params: { query } }));
        return statements;
      };
      try {
        const small = await measure({ departmentId: dept, limit: 2 });
        const large = await measure({ limit: 200 });
        const filteredSmall = await measure({ departmentId: dept, dayStatus: 'present' });
        const filteredLarge = await measure({ dayStatus: 'present' });
        expect(small, 'statements were counted').to.be.greaterThan(2);
        expect(large).to.equal(small);
        expect(filteredLarge).to.equal(filteredSmall);
        expect(large).to.be.at.most(8);
      } finally {
        for (const m of methods) counted[m] = originals.get(m)!;
      }
    });

    it('rejects a date more than 366 days from today (422 query.date) and an unknown dayStatus', async () => {
      const client = await api(org.manager, TODAY_0900);
      expectError(await client.GET('/attendance/roster', { params: { query: { date: '2027-06-27' } } }), 422, 'VALIDATION_ERROR', ['query.date']);
      expectError(await client.GET('/attendance/roster', { params: { query: { date: '2025-06-23' } } }), 422, 'VALIDATION_ERROR', ['query.date']);
      expectError(await client.GET('/attendance/roster', { params: { query: { dayStatus: 'late' as never } } }), 422, 'VALIDATION_ERROR', ['query.dayStatus']);
      ok(await client.GET('/attendance/roster', { params: { query: { date: '2027-06-26', limit: 1 } } }));
    });
  });

  describe('§5 bad input and abuse (lists)', () => {
    it('§5: any list limit=0, limit=201, offset=-1, from>to, span > 366 days → 422', async () => {
      const client = await api(org.hr);
      const lists = [
        (query: Record<string, unknown>) => client.GET('/attendance/me', { params: { query } }),
        (query: Record<string, unknown>) => client.GET('/attendance/team', { params: { query } }),
        (query: Record<string, unknown>) => client.GET('/attendance/users/{userId}/sessions', { params: { path: { userId: org.employee.id }, query } }),
      ];
      for (const list of lists) {
        expectError(await list({ limit: 0 }), 422, 'VALIDATION_ERROR', ['query.limit']);
        expectError(await list({ limit: 201 }), 422, 'VALIDATION_ERROR', ['query.limit']);
        expectError(await list({ offset: -1 }), 422, 'VALIDATION_ERROR', ['query.offset']);
        expectError(await list({ from: '2026-06-25', to: '2026-06-24' }), 422, 'VALIDATION_ERROR', ['query.to']);
        expectError(await list({ from: '2025-06-24', to: '2026-06-25' }), 422, 'VALIDATION_ERROR', ['query.to']);
        expectError(await list({ from: '1999-12-31', to: '2000-01-05' }), 422, 'VALIDATION_ERROR', ['query.from']);
        expectError(await list({ from: '2027-06-20', to: '2027-06-27' }), 422, 'VALIDATION_ERROR', ['query.to']);
        expectError(await list({ from: '2026-02-30' }), 422, 'VALIDATION_ERROR', ['query.from']);
        ok(await list({ from: '2025-06-25', to: '2026-06-25' }));
      }
      for (const query of [{ limit: 0 }, { limit: 201 }, { offset: -1 }]) {
        expectError(await client.GET('/attendance/roster', { params: { query } }), 422, 'VALIDATION_ERROR', [`query.${Object.keys(query)[0]}`]);
        expectError(
          await client.GET('/attendance/sessions/{sessionId}/breaks', { params: { path: { sessionId: seeded.get(org.employee.id)! }, query } }),
          422,
          'VALIDATION_ERROR',
          [`query.${Object.keys(query)[0]}`],
        );
      }
    });
  });

});
