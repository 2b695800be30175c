/**
 * The exceptions center (02 §3.5): a strictly read-only, scoped and bounded list (exceptions are raised by events
 * and the job, never by reading), and closing an exception by a person — resolve (note required) or dismiss —
 * with the four-eyes rule that nobody closes their own.
 */
import type { components } from '../../../generated/sdk/src/schema.ts';
import type { Actor } from '../../auth/actor.ts';
import { can } from '../../auth/actor.ts';
import { inScope, scopeOf, type Scope } from '../../auth/scope.ts';
import { recordAudit } from '../../audit/record.ts';
import type { Config } from '../../config.ts';
import type { Db, Queryable } from '../../db/pool.ts';
import { sql } from '../../db/sql.ts';
import { conflict, forbidden, invalid, notFound } from '../../http/errors.ts';
import type { RequestMeta } from '../../http/request-context.ts';
import type { Clock } from '../../lib/clock.ts';
import { pageWindow, type PageQuery } from '../../lib/page.ts';
import { daysBetween, todayIn } from '../../lib/zoned-time.ts';
import { publishEvent } from '../../realtime/outbox.ts';
import { usersAndActiveManagers } from './corrections-queries.ts';
import { closeException, EXCEPTION_STATUSES, EXCEPTION_TYPES, findException, listExceptions, type ExceptionRow } from './exceptions-queries.ts';

export type AttendanceExceptionDto = components['schemas']['AttendanceException'];
type AttendanceExceptionList = components['schemas']['AttendanceExceptionList'];

export interface ExceptionListQuery extends PageQuery {
  date?: string;
  startDate?: string;
  endDate?: string;
  status?: (typeof EXCEPTION_STATUSES)[number] | 'all';
  type?: (typeof EXCEPTION_TYPES)[number];
  userId?: string;
  departmentId?: string;
  search?: string;
  scope?: Scope;
}

/** 02 §3.5: a range covers at most 31 work dates, both ends included. */
const MAX_RANGE_DAYS = 31;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toAttendanceExceptionDto(row: ExceptionRow): AttendanceExceptionDto {
  return {
    id: row.id,
    userId: row.userId,
    userFullName: row.userFullName,
    userEmail: row.userEmail,
    departmentId: row.departmentId,
    departmentName: row.departmentName,
    type: row.type,
    severity: row.severity,
    status: row.status,
    workDate: row.workDate,
    sessionId: row.sessionId,
    correctionId: row.correctionId,
    shiftName: row.shiftName,
    shiftStartTime: row.shiftStartTime,
    shiftEndTime: row.shiftEndTime,
    checkInAt: iso(row.checkInAt),
    checkOutAt: iso(row.checkOutAt),
    detectedAt: row.detectedAt.toISOString(),
    reason: row.reason,
    resolutionNote: row.resolutionNote,
    resolvedById: row.resolvedById,
    resolvedAt: iso(row.resolvedAt),
  };
}

/** The key that grants each scope of the exceptions list (`view_org` includes team). */
function mayUseScope(actor: Actor, scope: Scope): boolean {
  if (scope === 'org') return can(actor, 'attendance.view_org');
  if (scope === 'team') return can(actor, 'attendance.view_team') || can(actor, 'attendance.view_org');
  return can(actor, 'attendance.view_own');
}

/**
 * The work-date range of a list request, bounded before any query runs (no unbounded generation, 02 §6 item 4).
 * @throws AppError 422 `date` combined with a range, half a range, a reversed range or more than 31 days.
 */
function dateRange(query: ExceptionListQuery, today: string): { startDate: string; endDate: string } {
  if (query.date !== undefined) {
    if (query.startDate !== undefined || query.endDate !== undefined) throw invalid('query.date', 'cannot be combined with startDate / endDate');
    return { startDate: query.date, endDate: query.date };
  }
  if (query.startDate === undefined && query.endDate === undefined) return { startDate: today, endDate: today };
  if (query.startDate === undefined) throw invalid('query.startDate', 'is required with endDate');
  if (query.endDate === undefined) throw invalid('query.endDate', 'is required with startDate');
  const span = daysBetween(query.startDate, query.endDate);
  if (span < 0) throw invalid('query.endDate', 'must be on or after startDate');
  if (span + 1 > MAX_RANGE_DAYS) throw invalid('query.endDate', `the range must cover at most ${MAX_RANGE_DAYS} days`);
  return { startDate: query.startDate, endDate: query.endDate };
}

export function createExceptionsService(deps: { db: Db; clock: Clock; config: Config }) {
  const { db, clock, config } = deps;

  /**
   * @throws AppError 404 unknown or outside the caller's scope; 403 the caller's own exception; 409 not open.
   */
  async function close(actor: Actor, exceptionId: string, status: 'resolved' | 'dismissed', note: string | null, meta: RequestMeta): Promise<AttendanceExceptionDto> {
    const visible = inScope(actor, scopeOf(actor, 'attendance'), sql.identifier(['e', 'user_id']));
    const found = await findException(db, exceptionId, visible);
    if (!found) throw notFound();
    if (found.userId === actor.userId) throw forbidden('You cannot resolve or dismiss your own attendance exception.');
    const now = clock.now();
    return db.transaction(async (tx) => {
      if (!(await closeException(tx, exceptionId, { status, note, resolvedById: actor.userId }, now))) {
        const current = (await findException(tx, exceptionId))!;
        throw conflict(`The exception is already ${current.status}.`, [{ field: 'status', message: `is ${current.status}` }]);
      }
      const row = (await findException(tx, exceptionId))!;
      await announce(tx, actor, row, now);
      await recordAudit(tx, {
        actor,
        action: status === 'resolved' ? 'attendance.exception_resolved' : 'attendance.exception_dismissed',
        entityType: 'attendance_exception',
        entityId: exceptionId,
        entityLabel: `${row.type} ${row.userFullName} ${row.workDate}`,
        before: { status: 'open' },
        after: { status, note },
        meta,
      });
      return toAttendanceExceptionDto(row);
    });
  }

  async function announce(q: Queryable, actor: Actor, row: ExceptionRow, now: Date): Promise<void> {
    const audience = { kind: 'users' as const, userIds: await usersAndActiveManagers(q, [row.userId]) };
    await publishEvent(
      q,
      audience,
      {
        type: 'attendance.exception_updated',
        payload: { exceptionId: row.id, userId: row.userId, workDate: row.workDate, type: row.type, status: row.status },
        actorId: actor.userId,
        entityType: 'attendance_exception',
        entityId: row.id,
      },
      now,
    );
    await publishEvent(q, audience, { type: 'dashboard.changed', payload: { scope: 'attendance' }, actorId: actor.userId }, now);
  }

  return {
    /**
     * Read-only. @throws AppError 403 a scope the caller lacks; 422 bad date combination, reversed or > 31 days.
     */
    async list(actor: Actor, query: ExceptionListQuery): Promise<AttendanceExceptionList> {
      const scope = query.scope ?? scopeOf(actor, 'attendance');
      if (!mayUseScope(actor, scope)) throw forbidden(`You may not list exceptions with scope ${scope}.`, [{ field: 'query.scope', message: 'is not granted' }]);
      const { startDate, endDate } = dateRange(query, todayIn(clock.now(), config.orgTimezone));
      const { limit, offset } = pageWindow(query);
      const status = query.status ?? 'open';
      const { rows, summary } = await listExceptions(db, {
        visible: inScope(actor, scope, sql.identifier(['e', 'user_id'])),
        startDate,
        endDate,
        status: status === 'all' ? undefined : status,
        type: query.type,
        userId: query.userId,
        departmentId: query.departmentId,
        search: query.search,
        limit,
        offset,
      });
      return { items: rows.map(toAttendanceExceptionDto), total: summary.open + summary.resolved + summary.dismissed, limit, offset, summary };
    },

    /** @throws AppError 422 note shorter than 3 characters after trimming; see `close`. */
    async resolve(actor: Actor, exceptionId: string, body: { resolutionNote: string }, meta: RequestMeta): Promise<AttendanceExceptionDto> {
      const note = body.resolutionNote.trim();
      if (note.length < 3) throw invalid('body.resolutionNote', 'must be at least 3 characters after trimming');
      return close(actor, exceptionId, 'resolved', note, meta);
    },

    /** See `close`. */
    async dismiss(actor: Actor, exceptionId: string, body: { resolutionNote?: string } | undefined, meta: RequestMeta): Promise<AttendanceExceptionDto> {
      const note = body?.resolutionNote?.trim() || null;
      return close(actor, exceptionId, 'dismissed', note, meta);
    },
  };
}

export type ExceptionsService = ReturnType<typeof createExceptionsService>;
