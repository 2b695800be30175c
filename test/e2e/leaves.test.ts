/**
 * Leaves & WFH (03 §3.1 L1–L9, §4.1–§4.4, §4.10): the lifecycle through the generated SDK against the real app —
 * submit with working-day count, lists and visibility, amendment, decisions, cancellation, the timeline, audit rows
 * and events, races (parallel overlapping submissions, two approvers), the exclusion-constraint backstop, and the
 * effects on attendance (day status, daily_stats, absences, `wfhApproved`).
 *
 * Time: the clock stands at 2026-11-25T04:00Z, Wednesday 09:00 in Asia/Karachi; today is 2026-11-25.
 * 2026-11-27 is a Friday, 2026-11-28/29 a weekend, 2026-11-30 a Monday (made a holiday in one case).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { mapDatabaseError } from '../../src/db/constraints.ts';
import type { Db } from '../../src/db/pool.ts';
import { seedLeaveRequests } from '../../src/seed/leaves.ts';
import { seedOrganization } from '../../src/seed/organization.ts';
import { createOrg, createUser, openBareDatabase, signIn, signInOrg, type BareDatabase, type Org, type Session } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';
import { insertException, insertSession } from '../helpers/correction-fixtures.ts';
import { expectError } from '../helpers/expect.ts';
import {
  amendLeave,
  cancelLeave,
  getLeave,
  leaveTimeline,
  resolveLeave,
  resolveOk,
  submitLeave,
  submitOk,
  timelineRows,
} from '../helpers/leave-fixtures.ts';
import { auditRows, outboxEvents } from '../helpers/rows.ts';

const NOW = '2026-11-25T04:00:00.000Z';
const TODAY = '2026-11-25';

describe('leaves & WFH (03 §3.1)', function () {
  let app: TestApp;
  let clock: FixedClock;
  let org: Org;
  let admin: Session;
  let hr: Session;
  let manager: Session;
  let teamLead: Session;
  let employee: Session;
  let employee2: Session;
  let otherManager: Session;
  let outsider: Session;

  before(async function () {
    clock = new FixedClock(NOW);
    app = await startTestApp({ clock, env: { ORG_TIMEZONE: 'Asia/Karachi' } });
    org = await createOrg(app);
    ({ admin, hr, manager, teamLead, employee, employee2, otherManager, outsider } = await signInOrg(app, org));
  });

  after(async function () {
    await app?.close();
  });

  afterEach(function () {
    clock.set(NOW);
  });

  /** A fresh employee under the team lead (routed to the manager), signed in. */
  async function newEmployee(managerId: string = org.teamLead.id): Promise<Session> {
    return signIn(app, await createUser(app, { role: 'employee', managerId, fullName: `Sara Khan ${randomUUID().slice(0, 4)}` }));
  }

  describe('submit (L1)', function () {
    it('creates a pending request routed to the manager above the team lead, counting working days over a weekend', async function () {
      const me = await newEmployee();
      const leave = await submitOk(me, { leaveType: 'annual', startDate: '2026-11-27', endDate: '2026-12-01', reason: '  Family wedding  ' });
      expect(leave).to.deep.include({
        userId: me.user.id,
        userFullName: me.user.fullName,
        leaveType: 'annual',
        isHalfDay: false,
        halfDayPeriod: null,
        startDate: '2026-11-27',
        endDate: '2026-12-01',
        workingDays: 3,
        reason: 'Family wedding',
        status: 'pending',
        currentApproverId: org.manager.id,
        currentApproverName: org.manager.fullName,
        awaitingSince: NOW,
        decidedById: null,
        decidedAt: null,
        decisionComment: null,
        escalatedFromId: null,
        escalatedAt: null,
        escalationCount: 0,
        cancelledById: null,
        cancelledAt: null,
        createdAt: NOW,
        updatedAt: NOW,
      });
      expect(await timelineRows(app, leave.id)).to.deep.equal([{ action: 'created', actor_id: me.user.id, comment: null }]);
      const [audit] = await auditRows(app, leave.id);
      expect(audit).to.deep.include({ action: 'leave.submitted', actor_user_id: me.user.id, outcome: 'success', before: null });
      expect(audit!.after).to.deep.include({ status: 'pending', currentApproverId: org.manager.id, workingDays: 3, startDate: '2026-11-27' });
      const events = await outboxEvents(app, 'leave.submitted', 'leaveId', leave.id);
      expect(events).to.have.length(1);
      expect(events[0]!.audience_user_ids).to.deep.equal([org.manager.id]);
      expect(events[0]!.event.payload).to.deep.equal({
        leaveId: leave.id,
        userId: me.user.id,
        leaveType: 'annual',
        startDate: '2026-11-27',
        endDate: '2026-12-01',
        status: 'pending',
        currentApproverId: org.manager.id,
      });
      const { rows } = await app.sql.query(
        `SELECT audience_user_ids FROM realtime_outbox WHERE event->>'type' = 'dashboard.changed' AND event->'payload'->>'scope' = 'approvals' AND $1 = ANY(audience_user_ids) ORDER BY seq DESC LIMIT 1`,
        [org.manager.id],
      );
      expect(rows).to.have.length(1);
    });

    it('does not count an active holiday (but counts a deactivated one) inside the range', async function () {
      const { rows } = await app.sql.query(`INSERT INTO holidays (name, holiday_date) VALUES ('Founders Day', '2026-12-07') RETURNING id`);
      await app.sql.query(`INSERT INTO holidays (name, holiday_date, is_active) VALUES ('Old Day', '2026-12-08', false)`);
      const me = await newEmployee();
      // Fri 12-04, weekend, Mon 12-07 (holiday), Tue 12-08 (inactive holiday), Wed 12-09.
      expect((await submitOk(me, { startDate: '2026-12-04', endDate: '2026-12-09' })).workingDays).to.equal(3);
      await app.sql.query(`UPDATE holidays SET is_active = false WHERE id = $1`, [rows[0].id]);
    });

    it('replays the first response for a repeated Idempotency-Key; without a key the repeat is an overlap (409)', async function () {
      const me = await newEmployee();
      const key = randomUUID();
      const body = { startDate: '2026-12-10', endDate: '2026-12-11' };
      const first = await submitLeave(me, body, key);
      const again = await submitLeave(me, body, key);
      expect(first.response.status).to.equal(201);
      expect(again.response.status).to.equal(201);
      expect(again.response.headers.get('idempotent-replayed')).to.equal('true');
      expect(again.data).to.deep.equal(first.data);
      expectError(await submitLeave(me, body), 409, 'CONFLICT', ['conflictingLeaveId']);
      const { rows } = await app.sql.query(`SELECT count(*)::int AS n FROM leave_requests WHERE user_id = $1`, [me.user.id]);
      expect(rows[0].n).to.equal(1);
    });

    it('two parallel overlapping submissions → exactly one 201 and one 409', async function () {
      const me = await newEmployee();
      const results = await Promise.all([
        submitLeave(me, { startDate: '2026-12-14', endDate: '2026-12-16' }),
        submitLeave(me, { leaveType: 'wfh', startDate: '2026-12-16', endDate: '2026-12-17' }),
      ]);
      expect(results.map((r) => r.response.status).sort()).to.deep.equal([201, 409]);
      const winner = results.find((r) => r.response.status === 201)!.data!;
      const loser = results.find((r) => r.response.status === 409)!;
      expect(expectError(loser, 409, 'CONFLICT', ['conflictingLeaveId']).details[0]!.message).to.equal(winner.id);
      const { rows } = await app.sql.query(`SELECT id FROM leave_requests WHERE user_id = $1`, [me.user.id]);
      expect(rows.map((r) => r.id)).to.deep.equal([winner.id]);
    });

    it('the exclusion constraint refuses an overlap the service did not check, and maps to the same 409', async function () {
      const me = await newEmployee();
      await submitOk(me, { leaveType: 'half_day', halfDayPeriod: 'second_half', startDate: '2026-12-18', endDate: '2026-12-18' });
      const error = await app.sql
        .query(
          `INSERT INTO leave_requests (user_id, leave_type, start_date, end_date, working_days, reason, status, awaiting_since)
           VALUES ($1, 'sick', '2026-12-18', '2026-12-18', 1, 'raw', 'pending', now())`,
          [me.user.id],
        )
        .then(() => null, (e: { code: string; constraint: string }) => e);
      expect(error).to.include({ code: '23P01', constraint: 'leave_requests_no_overlap' });
      const mapped = mapDatabaseError(error);
      expect(mapped).to.include({ status: 409, code: 'CONFLICT', message: 'The dates overlap an active leave or WFH request.' });
      // A cancelled or rejected row holds no slots.
      await app.sql.query(
        `INSERT INTO leave_requests (user_id, leave_type, start_date, end_date, working_days, reason, status, awaiting_since, cancelled_by_id, cancelled_at)
         VALUES ($1, 'sick', '2026-12-18', '2026-12-18', 1, 'raw', 'cancelled', now(), $1, now())`,
        [me.user.id],
      );
    });
  });

  describe('lists and visibility (L2–L5)', function () {
    let mine: Session;
    const ids: Record<string, string> = {};

    before(async function () {
      mine = await newEmployee();
      ids.a = (await submitOk(mine, { startDate: '2026-12-21', endDate: '2026-12-22' })).id;
      clock.advance(60_000);
      ids.b = (await submitOk(mine, { leaveType: 'wfh', startDate: '2026-12-01', endDate: '2026-12-01' })).id;
      clock.advance(60_000);
      ids.c = (await submitOk(mine, { leaveType: 'sick', startDate: '2026-12-10', endDate: '2026-12-10' })).id;
      await resolveOk(manager, ids.c, 'rejected', 'Not enough cover');
      clock.set(NOW);
    });

    it('L2 lists the caller\'s own requests, newest first by default, with status / type / range filters and sorts', async function () {
      const all = await mine.api.GET('/leaves/me', {});
      expect(all.data!.items.map((l) => l.id)).to.deep.equal([ids.c, ids.b, ids.a]);
      expect(all.data).to.include({ total: 3, limit: 50, offset: 0 });
      const byStart = await mine.api.GET('/leaves/me', { params: { query: { sort: 'startDate' } } });
      expect(byStart.data!.items.map((l) => l.id)).to.deep.equal([ids.b, ids.c, ids.a]);
      const rejected = await mine.api.GET('/leaves/me', { params: { query: { status: 'rejected' } } });
      expect(rejected.data!.items.map((l) => l.id)).to.deep.equal([ids.c]);
      const wfh = await mine.api.GET('/leaves/me', { params: { query: { leaveType: 'wfh' } } });
      expect(wfh.data!.items.map((l) => l.id)).to.deep.equal([ids.b]);
      const range = await mine.api.GET('/leaves/me', { params: { query: { from: '2026-12-22', to: '2026-12-31' } } });
      expect(range.data!.items.map((l) => l.id)).to.deep.equal([ids.a]);
      const paged = await mine.api.GET('/leaves/me', { params: { query: { limit: 1, offset: 1 } } });
      expect(paged.data).to.deep.include({ total: 3, limit: 1, offset: 1 });
      expect(paged.data!.items.map((l) => l.id)).to.deep.equal([ids.b]);
      expectError(await mine.api.GET('/leaves/me', { params: { query: { from: '2026-12-31', to: '2026-12-01' } } }), 422, 'VALIDATION_ERROR', ['query.to']);
      // Nobody else's requests.
      expect((await employee2.api.GET('/leaves/me', {})).data!.items.map((l) => l.id)).to.not.include.members([ids.a]);
    });

    it('L3 lists awaiting requests the caller may resolve, oldest awaiting first; 403 without leave.approve', async function () {
      const pending = await manager.api.GET('/leaves/pending', { params: { query: { userId: mine.user.id } } });
      expect(pending.data!.items.map((l) => l.id)).to.deep.equal([ids.a, ids.b]);
      const wfh = await manager.api.GET('/leaves/pending', { params: { query: { userId: mine.user.id, leaveType: 'wfh' } } });
      expect(wfh.data!.items.map((l) => l.id)).to.deep.equal([ids.b]);
      const hrView = await hr.api.GET('/leaves/pending', { params: { query: { userId: mine.user.id } } });
      expect(hrView.data!.total).to.equal(2);
      expect((await otherManager.api.GET('/leaves/pending', { params: { query: { userId: mine.user.id } } })).data!.total).to.equal(0);
      expectError(await teamLead.api.GET('/leaves/pending', {}), 403, 'PERMISSION_ERROR');
      expectError(await manager.api.GET('/leaves/pending', { params: { query: { status: 'approved' as never } } }), 422, 'VALIDATION_ERROR', ['query.status']);
    });

    it('L4 lists team requests for leave.view_team (team lead: direct reports), all for leave.view_org; outside userId → empty', async function () {
      const lead = await teamLead.api.GET('/leaves', { params: { query: { userId: mine.user.id } } });
      expect(lead.data!.items.map((l) => l.id)).to.deep.equal([ids.a, ids.c, ids.b]);
      const status = await teamLead.api.GET('/leaves', { params: { query: { userId: mine.user.id, status: 'pending', sort: 'createdAt' } } });
      expect(status.data!.items.map((l) => l.id)).to.deep.equal([ids.a, ids.b]);
      const e2 = await submitOk(employee2, { startDate: '2027-01-11', endDate: '2027-01-11' });
      expect((await teamLead.api.GET('/leaves', { params: { query: { userId: org.employee2.id } } })).data).to.include({ total: 0 });
      expect((await manager.api.GET('/leaves', { params: { query: { userId: org.employee2.id } } })).data!.items.map((l) => l.id)).to.deep.equal([e2.id]);
      expect((await otherManager.api.GET('/leaves', { params: { query: { userId: org.employee2.id } } })).data!.total).to.equal(0);
      expect((await hr.api.GET('/leaves', { params: { query: { userId: org.employee2.id } } })).data!.total).to.equal(1);
      expectError(await employee.api.GET('/leaves', {}), 403, 'PERMISSION_ERROR');
      await cancelLeave(employee2, e2.id);
    });

    it('L5 is visible to the requester, approvers, team viewers and org viewers; 404 to everyone else', async function () {
      for (const who of [mine, manager, teamLead, hr, admin]) {
        const result = await getLeave(who, ids.a);
        expect(result.response.status, who.user.role).to.equal(200);
        expect(result.data!.id).to.equal(ids.a);
      }
      for (const who of [employee, employee2, otherManager, outsider]) expectError(await getLeave(who, ids.a), 404, 'NOT_FOUND');
      expectError(await getLeave(mine, randomUUID()), 404, 'NOT_FOUND');
      expectError(await mine.api.GET('/leaves/{leaveId}', { params: { path: { leaveId: 'not-a-uuid' } } }), 422, 'VALIDATION_ERROR');
    });
  });

  describe('decisions, amendment and the timeline (L6, L7, L9)', function () {
    it('clarify → amend (back to pending, recounted, awaitingSince now) → approve; the timeline records every step', async function () {
      const me = await newEmployee();
      const leave = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-01', reason: 'Trip' });
      clock.advance(3_600_000);
      const asked = await resolveOk(manager, leave.id, 'clarified', 'Which days exactly?');
      expect(asked).to.include({ status: 'needs_clarification', decidedById: org.manager.id, decisionComment: 'Which days exactly?' });
      expect(asked.decidedAt).to.equal('2026-11-25T05:00:00.000Z');

      clock.advance(3_600_000);
      expectError(await amendLeave(manager, leave.id, { reason: 'mine now' }), 403, 'PERMISSION_ERROR');
      expectError(await amendLeave(outsider, leave.id, { reason: 'mine now' }), 404, 'NOT_FOUND');
      expectError(await amendLeave(me, leave.id, {}), 422, 'VALIDATION_ERROR');
      expectError(await amendLeave(me, leave.id, { endDate: '2026-11-30' }), 422, 'VALIDATION_ERROR', ['body.endDate']);
      const amended = await amendLeave(me, leave.id, { endDate: '2026-12-03', reason: 'Trip, Tuesday to Thursday' });
      expect(amended.data).to.include({ status: 'pending', workingDays: 3, endDate: '2026-12-03', reason: 'Trip, Tuesday to Thursday', awaitingSince: '2026-11-25T06:00:00.000Z' });
      const events = await outboxEvents(app, 'leave.amended', 'leaveId', leave.id);
      expect(events.map((e) => e.audience_user_ids)).to.deep.equal([[org.manager.id]]);

      clock.advance(3_600_000);
      const approved = await resolveOk(manager, leave.id, 'approved', '  Enjoy  ');
      expect(approved).to.include({ status: 'approved', decidedById: org.manager.id, decidedAt: '2026-11-25T07:00:00.000Z', decisionComment: 'Enjoy' });
      expectError(await amendLeave(me, leave.id, { reason: 'too late' }), 409, 'CONFLICT', ['status']);

      const timeline = await leaveTimeline(me, leave.id);
      expect(timeline.data!.items.map((e) => [e.action, e.actorId, e.actorName, e.comment])).to.deep.equal([
        ['created', me.user.id, me.user.fullName, null],
        ['clarified', org.manager.id, org.manager.fullName, 'Which days exactly?'],
        ['amended', me.user.id, me.user.fullName, null],
        ['approved', org.manager.id, org.manager.fullName, 'Enjoy'],
      ]);
      expect(timeline.data!.total).to.equal(4);
      expect((await leaveTimeline(teamLead, leave.id)).data!.total).to.equal(4);

      const audit = await auditRows(app, leave.id);
      expect(audit.map((r) => r.action)).to.deep.equal(['leave.submitted', 'leave.clarification_requested', 'leave.amended', 'leave.approved']);
      expect(audit[1]!.before).to.deep.equal({ status: 'pending', currentApproverId: org.manager.id });
      expect(audit[1]!.after).to.deep.equal({ status: 'needs_clarification', comment: 'Which days exactly?', currentApproverId: org.manager.id });
      expect(audit[2]!.before).to.deep.include({ status: 'needs_clarification', endDate: '2026-12-01', workingDays: 1, reason: 'Trip' });
      expect(audit[2]!.after).to.deep.include({ status: 'pending', endDate: '2026-12-03', workingDays: 3 });
      expect(audit[3]!.after).to.deep.equal({ status: 'approved', comment: 'Enjoy', currentApproverId: org.manager.id });
      const resolved = await outboxEvents(app, 'leave.resolved', 'leaveId', leave.id);
      expect(resolved.map((e) => e.event.payload)).to.deep.equal([
        { leaveId: leave.id, userId: me.user.id, action: 'clarified', status: 'needs_clarification' },
        { leaveId: leave.id, userId: me.user.id, action: 'approved', status: 'approved' },
      ]);
      expect(resolved[1]!.audience_user_ids).to.deep.equal([me.user.id]);
    });

    it('amending a pending request keeps its status and awaitingSince; the overlap check ignores the request itself', async function () {
      const me = await newEmployee();
      const leave = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-02' });
      const other = await submitOk(me, { startDate: '2026-12-07', endDate: '2026-12-07' });
      clock.advance(3_600_000);
      const moved = await amendLeave(me, leave.id, { startDate: '2026-12-02', endDate: '2026-12-03' });
      expect(moved.data).to.include({ status: 'pending', awaitingSince: NOW, workingDays: 2 });
      const clash = await amendLeave(me, leave.id, { endDate: '2026-12-07' });
      expect(expectError(clash, 409, 'CONFLICT', ['conflictingLeaveId']).details[0]!.message).to.equal(other.id);
      // Half day → the period is cleared when turning it back into a full day.
      const half = await amendLeave(me, leave.id, { leaveType: 'half_day', halfDayPeriod: 'second_half', endDate: '2026-12-02' });
      expect(half.data).to.include({ isHalfDay: true, halfDayPeriod: 'second_half', workingDays: 0.5 });
      const full = await amendLeave(me, leave.id, { leaveType: 'annual', isHalfDay: false });
      expect(full.data).to.include({ isHalfDay: false, halfDayPeriod: null, workingDays: 1 });
    });

    it('two approvers racing on one request → one 200, one 409; the decision is recorded once', async function () {
      const me = await newEmployee();
      const leave = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-01' });
      const results = await Promise.all([resolveLeave(manager, leave.id, 'approved'), resolveLeave(hr, leave.id, 'rejected', 'No cover')]);
      expect(results.map((r) => r.response.status).sort()).to.deep.equal([200, 409]);
      const loser = results.find((r) => r.response.status === 409)!;
      expectError(loser, 409, 'CONFLICT', ['status']);
      const decisions = (await timelineRows(app, leave.id)).filter((t) => t.action !== 'created');
      expect(decisions).to.have.length(1);
      const audits = (await auditRows(app, leave.id)).filter((r) => r.action === 'leave.approved' || r.action === 'leave.rejected');
      expect(audits).to.have.length(1);
    });

    it('resolve accepts an Idempotency-Key: the repeat replays the 200; without it the repeat is a 409', async function () {
      const me = await newEmployee();
      const leave = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-01' });
      const key = randomUUID();
      const first = await resolveLeave(manager, leave.id, 'approved', undefined, key);
      const again = await resolveLeave(manager, leave.id, 'approved', undefined, key);
      expect([first.response.status, again.response.status]).to.deep.equal([200, 200]);
      expect(again.response.headers.get('idempotent-replayed')).to.equal('true');
      expectError(await resolveLeave(manager, leave.id, 'approved'), 409, 'CONFLICT', ['status']);
    });

    it('the timeline table is append-only in the database', async function () {
      const me = await newEmployee();
      const leave = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-01' });
      for (const statement of [`UPDATE approval_timeline SET comment = 'x' WHERE entity_id = $1`, `DELETE FROM approval_timeline WHERE entity_id = $1`]) {
        const error = await app.sql.query(statement, [leave.id]).then(() => null, (e: { code: string; message: string }) => e);
        expect(error).to.include({ code: '42501', message: 'approval_timeline is append-only' });
      }
      expect(await timelineRows(app, leave.id)).to.have.length(1);
    });
  });

  describe('cancellation (L8, 03 §4.1 cancel table)', function () {
    it('the requester cancels an awaiting request and a not-yet-started approved one; events go to requester and approver', async function () {
      const me = await newEmployee();
      const pending = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-01' });
      const cancelled = await cancelLeave(me, pending.id, '  Plans changed ');
      expect(cancelled.data).to.include({ status: 'cancelled', cancelledById: me.user.id, cancelledAt: NOW });
      expect((await timelineRows(app, pending.id)).at(-1)).to.deep.equal({ action: 'cancelled', actor_id: me.user.id, comment: 'Plans changed' });
      const events = await outboxEvents(app, 'leave.cancelled', 'leaveId', pending.id);
      expect(events[0]!.audience_user_ids.sort()).to.deep.equal([me.user.id, org.manager.id].sort());
      expect(events[0]!.event.payload).to.deep.equal({ leaveId: pending.id, userId: me.user.id, status: 'cancelled', cancelledById: me.user.id });
      expectError(await cancelLeave(me, pending.id), 409, 'CONFLICT', ['status']);

      const approved = await submitOk(me, { startDate: '2026-12-02', endDate: '2026-12-02' });
      await resolveOk(manager, approved.id, 'approved');
      expect((await cancelLeave(me, approved.id)).data!.status).to.equal('cancelled');
      const audit = (await auditRows(app, approved.id)).at(-1)!;
      expect(audit).to.deep.include({ action: 'leave.cancelled', actor_user_id: me.user.id });
      expect(audit.before).to.deep.equal({ status: 'approved', currentApproverId: org.manager.id });
      // The freed dates can be requested again.
      await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-02' });
    });

    it('an org approver cancels someone else\'s awaiting or approved request with a comment; a rejected one is final', async function () {
      const me = await newEmployee();
      const pending = await submitOk(me, { startDate: '2026-12-01', endDate: '2026-12-01' });
      expectError(await cancelLeave(admin, pending.id, '  '), 422, 'VALIDATION_ERROR', ['body.comment']);
      expect((await cancelLeave(admin, pending.id, 'Duplicate of the paper form')).data).to.include({ status: 'cancelled', cancelledById: org.admin.id });
      const rejected = await submitOk(me, { startDate: '2026-12-02', endDate: '2026-12-02' });
      await resolveOk(manager, rejected.id, 'rejected', 'No');
      expectError(await cancelLeave(hr, rejected.id, 'cleanup'), 409, 'CONFLICT', ['status']);
      expectError(await cancelLeave(me, rejected.id), 409, 'CONFLICT', ['status']);
    });
  });

  describe('effects on attendance (03 §4.4, 02 §4.5)', function () {
    it('an approved leave covering today gives day status on_leave in GET /attendance/me/today (half day too); WFH does not', async function () {
      const me = await newEmployee();
      const before = await me.api.GET('/attendance/me/today', {});
      expect(before.data).to.include({ workDate: TODAY, dayStatus: 'scheduled' });
      expect(before.data!.leave).to.equal(null);
      const leave = await submitOk(me, { leaveType: 'sick', startDate: TODAY, endDate: TODAY });
      expect((await me.api.GET('/attendance/me/today', {})).data!.dayStatus).to.equal('scheduled');
      await resolveOk(manager, leave.id, 'approved');
      const today = await me.api.GET('/attendance/me/today', {});
      expect(today.data).to.include({ dayStatus: 'on_leave' });
      expect(today.data!.leave).to.deep.equal({ id: leave.id, leaveType: 'sick', isHalfDay: false, halfDayPeriod: null });

      const half = await newEmployee();
      const halfDay = await submitOk(half, { leaveType: 'half_day', halfDayPeriod: 'first_half', startDate: TODAY, endDate: TODAY });
      await resolveOk(manager, halfDay.id, 'approved');
      const halfToday = await half.api.GET('/attendance/me/today', {});
      expect(halfToday.data!.dayStatus).to.equal('on_leave');
      expect(halfToday.data!.leave).to.deep.equal({ id: halfDay.id, leaveType: 'half_day', isHalfDay: true, halfDayPeriod: 'first_half' });

      const wfh = await newEmployee();
      const home = await submitOk(wfh, { leaveType: 'wfh', startDate: TODAY, endDate: TODAY });
      await resolveOk(manager, home.id, 'approved');
      const wfhToday = await wfh.api.GET('/attendance/me/today', {});
      expect(wfhToday.data).to.include({ dayStatus: 'scheduled' });
      expect(wfhToday.data!.leave).to.equal(null);
    });

    it('approving refreshes daily_stats of covered past dates and dismisses their open absences; cancelling restores the absence in daily_stats', async function () {
      const me = await newEmployee();
      const past = '2026-11-23';
      await app.sql.query(
        `INSERT INTO daily_stats (user_id, work_date, day_status, is_absent, is_working_day) VALUES ($1, $2, 'absent', true, true)`,
        [me.user.id, past],
      );
      const exceptionId = await insertException(app, { userId: me.user.id, workDate: past, type: 'absent' });
      const leave = await submitOk(me, { leaveType: 'sick', startDate: past, endDate: '2026-11-24' });
      await resolveOk(manager, leave.id, 'approved');
      const { rows: stats } = await app.sql.query(`SELECT work_date::text, day_status, is_absent, leave_type FROM daily_stats WHERE user_id = $1 ORDER BY work_date`, [me.user.id]);
      // Only the existing row is refreshed; no row is invented for 11-24.
      expect(stats).to.deep.equal([{ work_date: past, day_status: 'on_leave', is_absent: false, leave_type: 'sick' }]);
      const { rows: exceptions } = await app.sql.query(`SELECT status, resolved_by_id, resolution_note FROM attendance_exceptions WHERE id = $1`, [exceptionId]);
      expect(exceptions[0]).to.deep.equal({ status: 'dismissed', resolved_by_id: null, resolution_note: 'auto: leave approved' });

      const cancelled = await cancelLeave(hr, leave.id, 'Was at work after all');
      expect(cancelled.response.status).to.equal(200);
      expect(cancelled.data).to.include({ status: 'cancelled', cancelledById: org.hr.id });
      const { rows: after } = await app.sql.query(`SELECT day_status, is_absent, leave_type FROM daily_stats WHERE user_id = $1 AND work_date = $2`, [me.user.id, past]);
      expect(after[0]).to.deep.equal({ day_status: 'absent', is_absent: true, leave_type: null });
    });

    it('a WFH check-in records wfhApproved: true only when an approved WFH request covers the work date', async function () {
      const covered = await newEmployee();
      const wfh = await submitOk(covered, { leaveType: 'wfh', startDate: TODAY, endDate: '2026-11-26' });
      await resolveOk(manager, wfh.id, 'approved');
      const checkIn = await covered.api.POST('/attendance/check-in', { body: { workMode: 'wfh' } });
      expect(checkIn.response.status).to.equal(201);
      expect(checkIn.data).to.include({ workMode: 'wfh', wfhApproved: true });

      const pendingOnly = await newEmployee();
      await submitOk(pendingOnly, { leaveType: 'wfh', startDate: TODAY, endDate: TODAY });
      const unapproved = await pendingOnly.api.POST('/attendance/check-in', { body: { workMode: 'wfh' } });
      expect(unapproved.data).to.include({ workMode: 'wfh', wfhApproved: false });
    });

    it('a full-day leave cannot be filed, amended or approved over a day already worked', async function () {
      const me = await newEmployee();
      await insertSession(app, { userId: me.user.id, workDate: '2026-11-24', checkInAt: '2026-11-24T04:00:00.000Z', checkOutAt: '2026-11-24T12:00:00.000Z' });
      expectError(await submitLeave(me, { startDate: '2026-11-24', endDate: '2026-11-24' }), 409, 'CONFLICT', ['conflictingSessionId']);
      const later = await submitOk(me, { startDate: '2026-11-26', endDate: '2026-11-26' });
      expectError(await amendLeave(me, later.id, { startDate: '2026-11-24' }), 409, 'CONFLICT', ['conflictingSessionId']);
      // The user works on the 26th after filing: approval re-checks and refuses.
      await insertSession(app, { userId: me.user.id, workDate: '2026-11-26', checkInAt: '2026-11-26T04:00:00.000Z', checkOutAt: '2026-11-26T12:00:00.000Z' });
      expectError(await resolveLeave(manager, later.id, 'approved'), 409, 'CONFLICT', ['conflictingSessionId']);
      expect((await getLeave(me, later.id)).data!.status).to.equal('pending');
      // Rejecting it is still possible.
      expect((await resolveOk(manager, later.id, 'rejected', 'You worked that day')).status).to.equal('rejected');
    });
  });
});

describe('seed: demo leave requests (src/seed/leaves.ts)', function () {
  let bare: BareDatabase;
  let db: Db;
  let client: pg.Client;

  before(async function () {
    bare = await openBareDatabase();
    ({ db, client } = bare);
  });

  after(async function () {
    await bare?.close();
  });

  it('adds one request in every status (plus a half day and a WFH), routed and counted like the API; a second run adds nothing', async function () {
    this.timeout(60_000);
    const now = new Date(NOW);
    await seedOrganization(db, { users: 40, now });
    expect(await seedLeaveRequests(db, { now, orgTimezone: 'Asia/Karachi' })).to.deep.equal({ created: 8 });
    const { rows } = await client.query(
      `SELECT lr.status, lr.leave_type, lr.working_days::float AS working_days, lr.start_date::text, lr.current_approver_id, lr.escalated_from_id,
              (SELECT array_agg(t.action ORDER BY t.seq) FROM approval_timeline t WHERE t.entity_id = lr.id) AS actions
       FROM leave_requests lr ORDER BY lr.status, lr.leave_type`,
    );
    expect(rows.map((r) => r.status)).to.have.members([
      'approved', 'approved', 'cancelled', 'escalated', 'needs_clarification', 'pending', 'pending', 'rejected',
    ]);
    for (const row of rows) {
      expect(row.working_days, JSON.stringify(row)).to.be.greaterThan(0);
      expect(row.start_date > '2026-12-08', JSON.stringify(row)).to.equal(true);
      expect(row.actions[0]).to.equal('created');
    }
    const escalated = rows.find((r) => r.status === 'escalated')!;
    expect(escalated).to.include({ current_approver_id: null });
    expect(escalated.escalated_from_id).to.be.a('string');
    expect(escalated.actions).to.deep.equal(['created', 'escalated']);
    expect(rows.find((r) => r.leave_type === 'half_day')).to.include({ working_days: 0.5, status: 'pending' });
    expect(await seedLeaveRequests(db, { now: new Date(Date.parse(NOW) + 86_400_000), orgTimezone: 'Asia/Karachi' })).to.deep.equal({ created: 0 });
    const { rows: count } = await client.query(`SELECT count(*)::int AS n FROM leave_requests`);
    expect(count[0].n).to.equal(8);
  });
});
