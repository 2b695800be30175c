/**
 * Leaves & WFH (03 §3.1, §4.1–§4.4, §4.10): submit with routing, working-day count and the overlap / attendance
 * guards; the requester's amendments and cancellations; approvers' decisions under the may-resolve rule; lists and the
 * append-only timeline. Submit and amend serialise per user (advisory lock) before the readable overlap pre-check;
 * the exclusion constraint is the backstop. Every status change is a conditional write, recorded in the timeline and
 * the audit log in its transaction and announced after commit (outbox). Approving or cancelling an approved non-WFH
 * leave refreshes the attendance day statuses it covers (02 §4.5) and dismisses the absences it excuses (02 §4.7).
 */
import { dailyStatsDates } from '../attendance/daily-stats.ts';
import { findSessionInRange } from '../attendance/sessions-queries.ts';
import type { components } from '../../../generated/sdk/src/schema.ts';
import type { Actor } from '../../auth/actor.ts';
import { can } from '../../auth/actor.ts';
import { approverPool, LEAVE_APPROVAL_KEYS, routeApprovers } from '../../auth/approvers.ts';
import { inScope, scopeOf } from '../../auth/scope.ts';
import { recordAudit, recordAuditAlone, type AuditActor } from '../../audit/record.ts';
import type { Config } from '../../config.ts';
import type { Db, Queryable } from '../../db/pool.ts';
import { sql } from '../../db/sql.ts';
import { AppError, conflict, forbidden, invalid, notFound } from '../../http/errors.ts';
import type { RequestMeta } from '../../http/request-context.ts';
import type { Clock } from '../../lib/clock.ts';
import { pageWindow, toPage, type Page, type PageQuery } from '../../lib/page.ts';
import { addDays, daysBetween, todayIn } from '../../lib/zoned-time.ts';
import { publishEvent } from '../../realtime/outbox.ts';
import { refreshDailyStats } from '../attendance/daily-stats.ts';
import { closeExceptionsAsSystem } from '../attendance/exceptions-writer.ts';
import { isOrgLeaveApprover, leaveVisibleTo, mayResolveLeave } from './access.ts';
import { leaveLabel, toLeaveDto, toTimelineDto, type LeaveRequestDto, type TimelineEntryDto } from './dto.ts';
import {
  ACTIVE_STATUSES,
  amendLeave,
  AWAITING_STATUSES,
  findLeave,
  findOverlappingLeave,
  insertLeave,
  insertTimelineEntry,
  leaveMatches,
  listLeaves,
  listTimeline,
  lockUserLeaves,
  transitionLeave,
  type HalfDayPeriod,
  type LeaveRow,
  type LeaveSort,
  type LeaveStatus,
  type LeaveType,
  type LeaveValues,
  type TimelineAction,
} from './queries.ts';
import { workingDaysOf } from './working-days.ts';

type SubmitBody = components['schemas']['SubmitLeaveRequest'];
type AmendBody = components['schemas']['AmendLeaveRequest'];
type ResolveBody = components['schemas']['ResolveLeaveRequest'];
type CancelBody = components['schemas']['CancelLeaveRequest'];

export interface LeaveListQuery extends PageQuery {
  status?: LeaveStatus;
  leaveType?: LeaveType;
  userId?: string;
  from?: string;
  to?: string;
  sort?: LeaveSort;
}

/** 03 L1 date window, relative to today in ORG_TIMEZONE, and the longest span in calendar days. */
const EARLIEST_START_DAYS = 30;
const LATEST_END_DAYS = 365;
const MAX_SPAN_DAYS = 60;

/** What L1 and L6 validate: the request as filed (L1) or merged (L6), before counting. */
interface DraftInput {
  leaveType: LeaveType;
  startDate: string;
  endDate: string;
  /** undefined = not given: false, or true for `half_day`. */
  isHalfDay: boolean | undefined;
  halfDayPeriod: HalfDayPeriod | null | undefined;
  reason: string;
}

type Draft = Omit<LeaveValues, 'workingDays'>;

/**
 * The input rules of L1 (03 §3.1), first failure wins.
 * @throws AppError 422 naming the field.
 */
function validateDraft(input: DraftInput, today: string): Draft {
  const reason = input.reason.trim();
  if (reason === '') throw invalid('body.reason', 'must not be blank');
  if (input.leaveType === 'half_day' && input.isHalfDay === false) throw invalid('body.isHalfDay', 'must be true for leaveType half_day');
  const isHalfDay = input.isHalfDay ?? input.leaveType === 'half_day';
  const halfDayPeriod = input.halfDayPeriod ?? null;
  if (input.endDate < input.startDate) throw invalid('body.endDate', 'must be on or after startDate');
  if (isHalfDay && input.endDate !== input.startDate) throw invalid('body.endDate', 'must equal startDate for a half day');
  if (isHalfDay && halfDayPeriod === null) throw invalid('body.halfDayPeriod', 'is required for a half day');
  if (!isHalfDay && halfDayPeriod !== null) throw invalid('body.halfDayPeriod', 'must be absent or null for a full-day request');
  if (input.startDate < addDays(today, -EARLIEST_START_DAYS)) throw invalid('body.startDate', `must not be more than ${EARLIEST_START_DAYS} days in the past`);
  if (input.startDate > addDays(today, LATEST_END_DAYS)) throw invalid('body.startDate', `must not be more than ${LATEST_END_DAYS} days ahead`);
  if (input.endDate > addDays(today, LATEST_END_DAYS)) throw invalid('body.endDate', `must not be more than ${LATEST_END_DAYS} days ahead`);
  if (daysBetween(input.startDate, input.endDate) + 1 > MAX_SPAN_DAYS) throw invalid('body.endDate', `the range must span at most ${MAX_SPAN_DAYS} calendar days`);
  return { leaveType: input.leaveType, isHalfDay, halfDayPeriod, startDate: input.startDate, endDate: input.endDate, reason };
}

/** @throws AppError 422 `body.comment` when blank after trimming. */
function requiredComment(raw: string | undefined): string {
  const comment = raw?.trim() ?? '';
  if (comment === '') throw invalid('body.comment', 'is required and must not be blank');
  return comment;
}

const noApprover = () =>
  new AppError(422, 'VALIDATION_ERROR', 'No approver available for this request.', [
    { field: 'approver', message: 'neither the manager chain nor the org approver pool has an active approver other than the requester' },
  ]);

const wrongStatus = (status: LeaveStatus, what: string) => conflict(`The request is ${status}; ${what}.`, [{ field: 'status', message: `is ${status}` }]);

/** Decision → status and audit action (03 §4.1 table). */
const DECISIONS = {
  approved: { to: 'approved', from: AWAITING_STATUSES, audit: 'leave.approved' },
  rejected: { to: 'rejected', from: AWAITING_STATUSES, audit: 'leave.rejected' },
  clarified: { to: 'needs_clarification', from: ['pending', 'escalated'], audit: 'leave.clarification_requested' },
} as const satisfies Record<string, { to: LeaveStatus; from: readonly LeaveStatus[]; audit: string }>;

/** Whether a request blocks attendance days: a full-day request other than WFH (03 §4.2, §4.4). */
const coversWholeDays = (r: Pick<LeaveValues, 'isHalfDay' | 'leaveType'>) => !r.isHalfDay && r.leaveType !== 'wfh';

export function createLeavesService(deps: { db: Db; clock: Clock; config: Pick<Config, 'orgTimezone'> }) {
  const { db, clock, config } = deps;

  /** Whoever may decide the request now (04 §3.9 "approver"): the routed approver, or every pool member when pooled. */
  async function approversOf(q: Queryable, row: Pick<LeaveRow, 'userId' | 'currentApproverId'>): Promise<string[]> {
    if (row.currentApproverId) return [row.currentApproverId];
    return approverPool(q, { ownerId: row.userId, requesterId: row.userId, keys: LEAVE_APPROVAL_KEYS });
  }

  async function announce(
    q: Queryable,
    input: { actorId: string | null; audience: readonly string[]; type: string; payload: Record<string, unknown>; leaveId: string; attendance?: boolean },
    now: Date,
  ): Promise<void> {
    const users = { kind: 'users' as const, userIds: input.audience };
    await publishEvent(q, users, { type: input.type, payload: input.payload, actorId: input.actorId, entityType: 'leave_request', entityId: input.leaveId }, now);
    await publishEvent(q, users, { type: 'dashboard.changed', payload: { scope: 'approvals' }, actorId: input.actorId }, now);
    if (input.attendance) await publishEvent(q, users, { type: 'dashboard.changed', payload: { scope: 'attendance' }, actorId: input.actorId }, now);
  }

  const submittedPayload = (row: LeaveRow) => ({
    leaveId: row.id,
    userId: row.userId,
    leaveType: row.leaveType,
    startDate: row.startDate,
    endDate: row.endDate,
    status: row.status,
    currentApproverId: row.currentApproverId,
  });

  /**
   * 03 §4.2: no active request of the user shares a half-day slot (`exceptId` ignored), and a full-day non-WFH request
   * covers no work date that has an attendance session.
   * @throws AppError 409 naming the conflicting request or session.
   */
  async function assertNoClash(q: Queryable, userId: string, draft: Draft, exceptId?: string): Promise<void> {
    const overlap = await findOverlappingLeave(q, { userId, startDate: draft.startDate, endDate: draft.endDate, halfDayPeriod: draft.halfDayPeriod, exceptId });
    if (overlap) {
      throw conflict(`The dates overlap an active leave or WFH request (${overlap.status}, ${overlap.startDate} – ${overlap.endDate}).`, [
        { field: 'conflictingLeaveId', message: overlap.id },
      ]);
    }
    await assertNoAttendance(q, userId, draft);
  }

  /** @throws AppError 409 when a full-day non-WFH request covers a work date that already has an attendance session. */
  async function assertNoAttendance(q: Queryable, userId: string, draft: Pick<Draft, 'leaveType' | 'isHalfDay' | 'startDate' | 'endDate'>): Promise<void> {
    if (!coversWholeDays(draft)) return;
    const session = await findSessionInRange(q, { userId, startDate: draft.startDate, endDate: draft.endDate });
    if (session) {
      throw conflict(`A full-day leave cannot cover ${session.workDate}: an attendance session exists on that work date.`, [
        { field: 'conflictingSessionId', message: session.id },
      ]);
    }
  }

  /** @throws AppError 422 `body.startDate` when the range holds no working day. */
  async function countDays(q: Queryable, userId: string, draft: Draft): Promise<number> {
    const days = await workingDaysOf(q, { userId, startDate: draft.startDate, endDate: draft.endDate, isHalfDay: draft.isHalfDay });
    if (days === 0) throw invalid('body.startDate', 'the range contains no working day (weekends, off days and holidays do not count)');
    return days;
  }

  /**
   * The attendance side of an approved non-WFH leave appearing or disappearing (03 §4.4): the `daily_stats` rows of
   * its covered dates up to today are recomputed; on approval, open `absent` exceptions of those dates are dismissed.
   */
  async function applyAttendanceEffects(tx: Queryable, row: LeaveRow, effect: 'approved' | 'cancelled', now: Date): Promise<void> {
    if (row.leaveType === 'wfh') return;
    const today = todayIn(now, config.orgTimezone);
    const last = row.endDate < today ? row.endDate : today;
    if (row.startDate > last) return;
    if (effect === 'approved') {
      for (let d = row.startDate; d <= last; d = addDays(d, 1)) {
        await closeExceptionsAsSystem(tx, { status: 'dismissed', note: 'auto: leave approved', now, types: ['absent'], userId: row.userId, workDate: d });
      }
    }
    for (const workDate of await dailyStatsDates(tx, { userId: row.userId, from: row.startDate, to: last })) {
      await refreshDailyStats(tx, { userId: row.userId, workDate, now, orgTimezone: config.orgTimezone });
    }
  }

  const denied = (actor: Actor, action: string, leaveId: string, reason: string, meta: RequestMeta) =>
    recordAuditAlone(db, { actor, action, entityType: 'leave_request', entityId: leaveId, outcome: 'denied', after: { reason }, meta });

  /** @throws AppError 404 unknown or not visible to the caller. */
  async function loadVisible(actor: Actor, leaveId: string): Promise<LeaveRow> {
    const row = await findLeave(db, leaveId, leaveVisibleTo(actor));
    if (!row) throw notFound();
    return row;
  }

  async function page(filter: Parameters<typeof listLeaves>[1]): Promise<Page<LeaveRequestDto>> {
    const { rows, total } = await listLeaves(db, filter);
    return toPage(rows, total, toLeaveDto, filter);
  }

  /** @throws AppError 422 `query.to` before `query.from`. */
  function checkRange(query: LeaveListQuery): void {
    if (query.from && query.to && query.to < query.from) throw invalid('query.to', 'must be on or after from');
  }

  async function record(
    tx: Queryable,
    input: { actor: AuditActor; action: string; row: LeaveRow; before: Record<string, unknown> | null; after: Record<string, unknown>; meta?: RequestMeta; metadata?: Record<string, unknown> },
  ): Promise<void> {
    await recordAudit(tx, {
      actor: input.actor,
      action: input.action,
      entityType: 'leave_request',
      entityId: input.row.id,
      entityLabel: leaveLabel(input.row),
      before: input.before,
      after: input.after,
      metadata: input.metadata,
      meta: input.meta ?? null,
    });
  }

  async function timeline(tx: Queryable, leaveId: string, actorId: string | null, action: TimelineAction, comment: string | null, now: Date) {
    await insertTimelineEntry(tx, { leaveId, actorId, action, comment }, now);
  }

  return {
    /**
     * L1. @throws AppError 422 input rules, no working day, no approver; 409 overlap (details `conflictingLeaveId`) or
     * a full-day non-WFH request over a worked day (details `conflictingSessionId`).
     */
    async submit(actor: Actor, body: SubmitBody, meta: RequestMeta): Promise<LeaveRequestDto> {
      const now = clock.now();
      const draft = validateDraft(
        { leaveType: body.leaveType, startDate: body.startDate, endDate: body.endDate, isHalfDay: body.isHalfDay, halfDayPeriod: body.halfDayPeriod, reason: body.reason },
        todayIn(now, config.orgTimezone),
      );
      return db.transaction(async (tx) => {
        await lockUserLeaves(tx, actor.userId);
        const workingDays = await countDays(tx, actor.userId, draft);
        const route = await routeApprovers(tx, { ownerId: actor.userId, requesterId: actor.userId, keys: LEAVE_APPROVAL_KEYS });
        if (route.approverIds.length === 0) throw noApprover();
        await assertNoClash(tx, actor.userId, draft);
        const currentApproverId = route.kind === 'chain' ? route.approverIds[0] : null;
        const id = await insertLeave(tx, { ...draft, workingDays, userId: actor.userId, currentApproverId }, now);
        await timeline(tx, id, actor.userId, 'created', null, now);
        const row = (await findLeave(tx, id))!;
        await announce(tx, { actorId: actor.userId, audience: route.approverIds, type: 'leave.submitted', payload: submittedPayload(row), leaveId: id }, now);
        await record(tx, {
          actor,
          action: 'leave.submitted',
          row,
          before: null,
          after: {
            status: row.status,
            currentApproverId,
            leaveType: row.leaveType,
            startDate: row.startDate,
            endDate: row.endDate,
            isHalfDay: row.isHalfDay,
            halfDayPeriod: row.halfDayPeriod,
            workingDays: row.workingDays,
          },
          meta,
        });
        return toLeaveDto(row);
      });
    },

    /** L2: the caller's own requests. @throws AppError 422 `to` before `from`. */
    async listMine(actor: Actor, query: LeaveListQuery): Promise<Page<LeaveRequestDto>> {
      checkRange(query);
      return page({
        visible: sql.fragment`lr.user_id = ${actor.userId}`,
        statuses: query.status ? [query.status] : undefined,
        leaveType: query.leaveType,
        from: query.from,
        to: query.to,
        sort: query.sort ?? '-createdAt',
        ...pageWindow(query),
      });
    },

    /** L3: awaiting requests the caller may resolve, never their own; the route required `leave.approve`. */
    async listPending(actor: Actor, query: Pick<LeaveListQuery, 'leaveType' | 'userId' | 'limit' | 'offset'> & { status?: 'pending' | 'needs_clarification' | 'escalated' }): Promise<Page<LeaveRequestDto>> {
      return page({
        visible: mayResolveLeave(actor),
        statuses: query.status ? [query.status] : AWAITING_STATUSES,
        leaveType: query.leaveType,
        userId: query.userId,
        sort: 'awaitingSince',
        ...pageWindow(query),
      });
    },

    /** L4: team (`leave.view_team`) or org (`leave.view_org`) requests. @throws AppError 403 neither key; 422 range. */
    async list(actor: Actor, query: LeaveListQuery): Promise<Page<LeaveRequestDto>> {
      const scope = scopeOf(actor, 'leave');
      if (scope === 'own') throw forbidden('You may not list other people\'s leave requests.');
      checkRange(query);
      return page({
        visible: inScope(actor, scope, sql.identifier(['lr', 'user_id'])),
        statuses: query.status ? [query.status] : undefined,
        leaveType: query.leaveType,
        userId: query.userId,
        from: query.from,
        to: query.to,
        sort: query.sort ?? '-startDate',
        ...pageWindow(query),
      });
    },

    /** L5. @throws AppError 404 unknown or not visible. */
    async get(actor: Actor, leaveId: string): Promise<LeaveRequestDto> {
      return toLeaveDto(await loadVisible(actor, leaveId));
    },

    /**
     * L6: the requester amends an awaiting request; the merged request passes every L1 check again.
     * @throws AppError 404 not visible; 403 not the requester; 422 L1 rules; 409 not awaiting, overlap, worked day.
     */
    async amend(actor: Actor, leaveId: string, body: AmendBody, meta: RequestMeta): Promise<LeaveRequestDto> {
      const current = await loadVisible(actor, leaveId);
      if (current.userId !== actor.userId) throw forbidden('Only the requester may amend this request.');
      const now = clock.now();
      const leaveType = body.leaveType ?? current.leaveType;
      const draft = validateDraft(
        {
          leaveType,
          startDate: body.startDate ?? current.startDate,
          endDate: body.endDate ?? current.endDate,
          isHalfDay: body.isHalfDay ?? (body.leaveType === 'half_day' ? undefined : current.isHalfDay),
          // Turning a half day into a full day clears its period unless the body says otherwise.
          halfDayPeriod: body.halfDayPeriod !== undefined ? body.halfDayPeriod : body.isHalfDay === false ? null : current.halfDayPeriod,
          reason: body.reason ?? current.reason,
        },
        todayIn(now, config.orgTimezone),
      );
      return db.transaction(async (tx) => {
        await lockUserLeaves(tx, actor.userId);
        const workingDays = await countDays(tx, actor.userId, draft);
        const previous = (await findLeave(tx, leaveId))!;
        if (!AWAITING_STATUSES.includes(previous.status)) throw wrongStatus(previous.status, 'only a request awaiting a decision can be amended');
        await assertNoClash(tx, actor.userId, draft, leaveId);
        if (!(await amendLeave(tx, leaveId, { ...draft, workingDays }, now))) {
          const status = (await findLeave(tx, leaveId))!.status;
          throw wrongStatus(status, 'only a request awaiting a decision can be amended');
        }
        await timeline(tx, leaveId, actor.userId, 'amended', null, now);
        const row = (await findLeave(tx, leaveId))!;
        await announce(tx, { actorId: actor.userId, audience: await approversOf(tx, row), type: 'leave.amended', payload: submittedPayload(row), leaveId }, now);
        const before: Record<string, unknown> = { status: previous.status, currentApproverId: previous.currentApproverId };
        const after: Record<string, unknown> = { status: row.status, currentApproverId: row.currentApproverId };
        for (const field of ['leaveType', 'isHalfDay', 'halfDayPeriod', 'startDate', 'endDate', 'workingDays', 'reason'] as const) {
          if (previous[field] !== row[field]) {
            before[field] = previous[field];
            after[field] = row[field];
          }
        }
        if (row.awaitingSince.getTime() !== previous.awaitingSince.getTime()) after.awaitingSince = row.awaitingSince.toISOString();
        await record(tx, { actor, action: 'leave.amended', row, before, after, meta });
        return toLeaveDto(row);
      });
    },

    /**
     * L7: approve, reject or send back (03 §4.1).
     * @throws AppError 404 not visible; 403 own request or not resolvable (both audited as denied); 422 missing
     * comment; 409 status does not allow the action (incl. already decided), or a worked day under a full-day leave.
     */
    async resolve(actor: Actor, leaveId: string, body: ResolveBody, meta: RequestMeta): Promise<LeaveRequestDto> {
      const found = await loadVisible(actor, leaveId);
      if (found.userId === actor.userId) {
        await denied(actor, 'leave.self_approval_denied', leaveId, 'own_request', meta);
        throw forbidden('You cannot resolve your own request.');
      }
      if (!(await leaveMatches(db, leaveId, mayResolveLeave(actor)))) {
        await denied(actor, 'leave.cross_team_resolution_denied', leaveId, can(actor, LEAVE_APPROVAL_KEYS.approve) ? 'requester_outside_team' : 'no_approve_key', meta);
        throw forbidden('You may not resolve this request.');
      }
      const decision = DECISIONS[body.action];
      const comment = body.action === 'approved' ? body.comment?.trim() || null : requiredComment(body.comment);
      const notAllowed = (status: LeaveStatus) => wrongStatus(status, `it cannot be ${body.action === 'clarified' ? 'sent back for clarification' : body.action}`);
      if (!(decision.from as readonly LeaveStatus[]).includes(found.status)) throw notAllowed(found.status);
      const now = clock.now();
      return db.transaction(async (tx) => {
        // Serialised with the requester's amendments, so the dates re-checked here are the dates approved.
        await lockUserLeaves(tx, found.userId);
        const current = (await findLeave(tx, leaveId))!;
        if (!(decision.from as readonly LeaveStatus[]).includes(current.status)) throw notAllowed(current.status);
        if (body.action === 'approved') await assertNoAttendance(tx, current.userId, current);
        const moved = await transitionLeave(tx, leaveId, decision.from, { status: decision.to, decidedById: actor.userId, decisionComment: comment }, now);
        if (!moved) throw notAllowed((await findLeave(tx, leaveId))!.status);
        await timeline(tx, leaveId, actor.userId, body.action, comment, now);
        const row = (await findLeave(tx, leaveId))!;
        if (body.action === 'approved') await applyAttendanceEffects(tx, row, 'approved', now);
        const audience = [row.userId, ...(await approversOf(tx, row))].filter((id) => id !== actor.userId);
        await announce(
          tx,
          {
            actorId: actor.userId,
            audience,
            type: 'leave.resolved',
            payload: { leaveId, userId: row.userId, action: body.action, status: row.status },
            leaveId,
            attendance: body.action === 'approved' && row.leaveType !== 'wfh',
          },
          now,
        );
        await record(tx, {
          actor,
          action: decision.audit,
          row,
          before: { status: current.status, currentApproverId: current.currentApproverId },
          after: { status: row.status, comment, currentApproverId: row.currentApproverId },
          meta,
        });
        return toLeaveDto(row);
      });
    },

    /**
     * L8 (03 §4.1 cancel table).
     * @throws AppError 404 not visible; 403 neither requester nor org approver; 422 missing comment (not the
     * requester); 409 rejected / cancelled, or an approved leave that has started (requester).
     */
    async cancel(actor: Actor, leaveId: string, body: CancelBody | undefined, meta: RequestMeta): Promise<LeaveRequestDto> {
      const found = await loadVisible(actor, leaveId);
      const isRequester = found.userId === actor.userId;
      if (!isRequester && !isOrgLeaveApprover(actor)) throw forbidden('Only the requester or an org approver may cancel this request.');
      const comment = isRequester ? body?.comment?.trim() || null : requiredComment(body?.comment);
      const now = clock.now();
      const check = (row: LeaveRow) => {
        // Cancellable = still holding its dates (awaiting or approved).
        if (!ACTIVE_STATUSES.includes(row.status)) throw wrongStatus(row.status, 'it cannot be cancelled');
        if (isRequester && row.status === 'approved' && row.startDate < todayIn(now, config.orgTimezone)) {
          throw conflict('The approved leave has already started; ask an org approver to cancel it.', [{ field: 'startDate', message: `${row.startDate} is before today` }]);
        }
      };
      check(found);
      return db.transaction(async (tx) => {
        const moved = await transitionLeave(tx, leaveId, [found.status], { status: 'cancelled', cancelledById: actor.userId }, now);
        if (!moved) {
          const latest = (await findLeave(tx, leaveId))!;
          check(latest);
          throw wrongStatus(latest.status, 'it changed while being cancelled; retry');
        }
        await timeline(tx, leaveId, actor.userId, 'cancelled', comment, now);
        const row = (await findLeave(tx, leaveId))!;
        const wasApproved = found.status === 'approved';
        if (wasApproved) await applyAttendanceEffects(tx, row, 'cancelled', now);
        await announce(
          tx,
          {
            actorId: actor.userId,
            audience: [row.userId, ...(await approversOf(tx, row))],
            type: 'leave.cancelled',
            payload: { leaveId, userId: row.userId, status: row.status, cancelledById: actor.userId },
            leaveId,
            attendance: wasApproved && row.leaveType !== 'wfh',
          },
          now,
        );
        await record(tx, {
          actor,
          action: 'leave.cancelled',
          row,
          before: { status: found.status, currentApproverId: found.currentApproverId },
          after: { status: 'cancelled', comment, currentApproverId: row.currentApproverId },
          meta,
        });
        return toLeaveDto(row);
      });
    },

    /** L9: oldest first. @throws AppError 404 not visible. */
    async timeline(actor: Actor, leaveId: string, query: PageQuery): Promise<Page<TimelineEntryDto>> {
      await loadVisible(actor, leaveId);
      const { limit, offset } = pageWindow(query);
      const { rows, total } = await listTimeline(db, { leaveId, limit, offset });
      return toPage(rows, total, toTimelineDto, { limit, offset });
    },
  };
}

export type LeavesService = ReturnType<typeof createLeavesService>;
