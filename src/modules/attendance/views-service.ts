/**
 * Attendance views (02 §3.1 today, §3.2 lists, roster and session detail, §3.3 session breaks). Scope is part of
 * every statement (src/auth/scope.ts): an out-of-scope session or user is the same 404 as an unknown one, and a
 * `userId` filter outside scope simply matches nothing. Reads of the caller's own data carry out the lazy close.
 */
import type { components } from '../../../generated/sdk/src/schema.ts';
import type { Actor } from '../../auth/actor.ts';
import { inScope, scopeOf } from '../../auth/scope.ts';
import type { Db, Queryable } from '../../db/pool.ts';
import { invalid, notFound } from '../../http/errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { pageWindow, toPage, type Page, type PageQuery } from '../../lib/page.ts';
import { addDays, daysBetween, todayIn } from '../../lib/zoned-time.ts';
import { findActiveHoliday } from './calendar.ts';
import { evaluateDay } from './day-status.ts';
import { hhmm, toBreakDto, toCorrectionDto, toSessionDto, type BreakDto, type DayStatusDto, type SessionDto } from './dto.ts';
import { approvedLeavesCoveringDay, type CoveringLeave } from './leave-coverage.ts';
import { expectedWindow, isScheduledDay, workDateOf, type ShiftRule } from './schedule.ts';
import { lazyCloseOwnSession, type SessionSettings } from './session-close.ts';
import { findOpenBreakOfUser, findSessionRow, type SessionRow } from './sessions-queries.ts';
import {
  findDayUser,
  listBreakRows,
  listCorrectionRowsOfSession,
  listDaySessions,
  listDayUsers,
  listSessionRows,
  listSessionsOnDate,
  ROSTER_USER_ID,
  SESSION_USER_ID,
  sessionVisible,
  userVisible,
  type DaySessionRow,
  type DayUserRow,
  type SessionSort,
} from './views-queries.ts';

type MyToday = components['schemas']['MyToday'];
type DayStatusValue = components['schemas']['DayStatusValue'];

export interface SessionListQuery extends PageQuery {
  from?: string;
  to?: string;
  status?: SessionRow['status'];
  workMode?: SessionRow['workMode'];
  classification?: SessionRow['classification'];
  sort?: SessionSort;
}

export interface TeamSessionListQuery extends SessionListQuery {
  userId?: string;
  departmentId?: string;
}

export interface RosterQuery extends PageQuery {
  date?: string;
  departmentId?: string;
  dayStatus?: DayStatusValue;
  search?: string;
}

const EARLIEST_DATE = '2000-01-01';
/** 02 §3.2: date ranges span at most 366 days and reach at most 366 days past today. */
const MAX_SPAN_DAYS = 366;
const DEFAULT_SPAN_DAYS = 7;

/**
 * The inclusive work-date range of a session list (02 §3.2): default the last 7 days including today in
 * ORG_TIMEZONE (`to` = today, `from` = `to` − 6).
 * @throws AppError 422 `query.from` / `query.to` outside 2000-01-01 .. today + 366; `query.to` before `from` or a
 *   span over 366 days.
 */
export function resolveRange(query: { from?: string; to?: string }, today: string): { from: string; to: string } {
  const to = query.to ?? today;
  const from = query.from ?? addDays(to, -(DEFAULT_SPAN_DAYS - 1));
  const latest = addDays(today, MAX_SPAN_DAYS);
  for (const [field, value] of [['query.from', from], ['query.to', to]] as const) {
    if (value < EARLIEST_DATE || value > latest) throw invalid(field, `must be between ${EARLIEST_DATE} and ${latest}`);
  }
  if (from > to) throw invalid('query.to', query.to === undefined ? 'defaults to today, which is before from' : 'must be on or after from');
  if (daysBetween(from, to) + 1 > MAX_SPAN_DAYS) throw invalid('query.to', `the range must not span more than ${MAX_SPAN_DAYS} days`);
  return { from, to };
}

const ruleOf = (u: DayUserRow): (ShiftRule & { name: string }) | null =>
  u.shiftId === null
    ? null
    : {
        id: u.shiftId,
        name: u.shiftName!,
        startMinutes: u.startMinutes!,
        endMinutes: u.endMinutes!,
        timezone: u.timezone!,
        graceMinutes: u.graceMinutes!,
        workingDays: u.workingDays!,
      };

/** DayStatus of one user and work date (02 §2.8, §4.5) from facts fetched in bulk. */
function dayStatusOf(
  user: DayUserRow,
  sessions: readonly DaySessionRow[],
  holiday: { id: string; name: string } | null,
  leave: CoveringLeave | null,
  workDate: string,
  now: Date,
  orgTimezone: string,
): DayStatusDto {
  const shift = ruleOf(user);
  const outcome = evaluateDay({ workDate, now, orgTimezone, shift, holiday, leaveCoversDay: leave !== null, sessions });
  const window = isScheduledDay(workDate, shift, holiday !== null) ? expectedWindow(workDate, shift) : null;
  const closed = sessions.filter((s) => s.status !== 'active');
  const lastCheckOut = closed.reduce<Date | null>((max, s) => (s.checkOutAt && (!max || s.checkOutAt > max) ? s.checkOutAt : max), null);
  return {
    userId: user.id,
    userFullName: user.fullName,
    departmentId: user.departmentId,
    workDate,
    dayStatus: outcome.dayStatus,
    isLate: sessions[0]?.isLate ?? false,
    isWorkingDay: outcome.isWorkingDay,
    holiday,
    leave,
    shift: shift
      ? { id: shift.id, name: shift.name, startTime: hhmm(shift.startMinutes), endTime: hhmm(shift.endMinutes), timezone: shift.timezone, gracePeriodMinutes: shift.graceMinutes }
      : null,
    expectedShiftStartAt: window?.start.toISOString() ?? null,
    expectedShiftEndAt: window?.end.toISOString() ?? null,
    lateAfterAt: window && shift ? new Date(window.start.getTime() + shift.graceMinutes * 60_000).toISOString() : null,
    firstCheckInAt: sessions[0]?.checkInAt.toISOString() ?? null,
    lastCheckOutAt: lastCheckOut?.toISOString() ?? null,
    workedSeconds: closed.reduce((sum, s) => sum + (s.workedSeconds ?? 0), 0),
    breakSeconds: sessions.reduce((sum, s) => sum + s.breakSeconds, 0),
    dayClassification: outcome.dayClassification,
    activeSessionId: sessions.find((s) => s.status === 'active')?.id ?? null,
  };
}

export function createViewsService(deps: { db: Db; clock: Clock; config: SessionSettings }) {
  const { db, clock, config } = deps;
  const settings: SessionSettings = { orgTimezone: config.orgTimezone, attendance: config.attendance };
  const allowance = settings.attendance.breakAllowanceMinutes;
  const today = () => todayIn(clock.now(), settings.orgTimezone);

  /** Day statuses of `users` on `workDate` with a fixed number of statements, whatever the number of users. */
  async function dayStatuses(q: Queryable, users: readonly DayUserRow[], workDate: string, now: Date): Promise<DayStatusDto[]> {
    const ids = users.map((u) => u.id);
    const [sessions, holiday, leaves] = await Promise.all([
      listDaySessions(q, ids, workDate),
      findActiveHoliday(q, workDate),
      approvedLeavesCoveringDay(q, ids, workDate),
    ]);
    const byUser = new Map<string, DaySessionRow[]>();
    for (const s of sessions) byUser.set(s.userId, [...(byUser.get(s.userId) ?? []), s]);
    return users.map((u) => dayStatusOf(u, byUser.get(u.id) ?? [], holiday, leaves.get(u.id) ?? null, workDate, now, settings.orgTimezone));
  }

  async function listSessions(visible: ReturnType<typeof inScope>, query: TeamSessionListQuery): Promise<Page<SessionDto>> {
    const range = resolveRange(query, today());
    const { limit, offset } = pageWindow(query);
    const { rows, total } = await listSessionRows(db, {
      visible,
      userId: query.userId,
      departmentId: query.departmentId,
      ...range,
      status: query.status,
      workMode: query.workMode,
      classification: query.classification,
      sort: query.sort ?? '-checkInAt',
      limit,
      offset,
    });
    return toPage(rows, total, (r) => toSessionDto(r, allowance), { limit, offset });
  }

  const sessionScope = (actor: Actor) => inScope(actor, scopeOf(actor, 'attendance'), SESSION_USER_ID);

  /** @throws AppError 404 unknown or out-of-scope session. */
  async function assertSessionVisible(actor: Actor, sessionId: string): Promise<void> {
    if (!(await sessionVisible(db, sessionId, sessionScope(actor)))) throw notFound();
  }

  return {
    /** 02 §3.1 `GET /attendance/me/today`: DayStatus of the caller's current work date + its sessions + the open break. */
    async getMyToday(actor: Actor): Promise<MyToday> {
      const now = clock.now();
      await lazyCloseOwnSession(db, actor.userId, now, settings);
      const user = await findDayUser(db, actor.userId);
      if (!user) throw notFound();
      const workDate = workDateOf(now, ruleOf(user), settings.orgTimezone, settings.attendance.shiftPostEndGraceHours);
      const [status] = await dayStatuses(db, [user], workDate, now);
      const sessions = await listSessionsOnDate(db, actor.userId, workDate);
      const open = await findOpenBreakOfUser(db, actor.userId);
      return { ...status!, sessions: sessions.map((s) => toSessionDto(s, allowance)), activeBreak: open ? toBreakDto(open) : null };
    },

    /** 02 §3.2 `GET /attendance/me`. @throws AppError 422 range. */
    async listMine(actor: Actor, query: SessionListQuery): Promise<Page<SessionDto>> {
      const range = resolveRange(query, today());
      await lazyCloseOwnSession(db, actor.userId, clock.now(), settings);
      return listSessions(inScope(actor, 'own', SESSION_USER_ID), { ...query, ...range });
    },

    /** 02 §3.2 `GET /attendance/team` (team or org scope; a `userId` outside it matches nothing). */
    listTeam: (actor: Actor, query: TeamSessionListQuery): Promise<Page<SessionDto>> => listSessions(sessionScope(actor), query),

    /** 02 §3.2 `GET /attendance/users/{userId}/sessions`. @throws AppError 404 unknown / out-of-scope user; 422 range. */
    async listForUser(actor: Actor, userId: string, query: SessionListQuery): Promise<Page<SessionDto>> {
      const range = resolveRange(query, today());
      if (!(await userVisible(db, userId, inScope(actor, scopeOf(actor, 'attendance'), ROSTER_USER_ID)))) throw notFound();
      return listSessions(sessionScope(actor), { ...query, ...range, userId });
    },

    /** 02 §3.2 `GET /attendance/sessions/{id}` with breaks and corrections. @throws AppError 404 unknown / out of scope. */
    async get(actor: Actor, sessionId: string): Promise<SessionDto> {
      const row = await findSessionRow(db, sessionId, sessionScope(actor));
      if (!row) throw notFound();
      const [breaks, corrections] = await Promise.all([listBreakRows(db, sessionId), listCorrectionRowsOfSession(db, sessionId)]);
      return { ...toSessionDto(row, allowance), breaks: breaks.rows.map(toBreakDto), corrections: corrections.map(toCorrectionDto) };
    },

    /** 02 §3.3 `GET /attendance/sessions/{id}/breaks`, oldest first. @throws AppError 404 unknown / out of scope. */
    async listBreaks(actor: Actor, sessionId: string, query: PageQuery): Promise<Page<BreakDto>> {
      await assertSessionVisible(actor, sessionId);
      const { limit, offset } = pageWindow(query);
      const { rows, total } = await listBreakRows(db, sessionId, { limit, offset });
      return toPage(rows, total, toBreakDto, { limit, offset });
    },

    /**
     * 02 §3.2 roster: DayStatus of every active user in scope on `date`. Without a `dayStatus` filter the page is cut
     * in SQL; with one, every matching user is evaluated (a fixed number of statements) and the page cut after.
     * @throws AppError 422 `query.date` more than 366 days from today.
     */
    async roster(actor: Actor, query: RosterQuery): Promise<Page<DayStatusDto>> {
      const now = clock.now();
      const todayDate = todayIn(now, settings.orgTimezone);
      const date = query.date ?? todayDate;
      if (Math.abs(daysBetween(todayDate, date)) > MAX_SPAN_DAYS) {
        throw invalid('query.date', `must be within ${MAX_SPAN_DAYS} days of today (${todayDate})`);
      }
      const { limit, offset } = pageWindow(query);
      const search = query.search?.trim() || undefined;
      const filter = { visible: inScope(actor, scopeOf(actor, 'attendance'), ROSTER_USER_ID), departmentId: query.departmentId, search };
      if (query.dayStatus === undefined) {
        const { rows, total } = await listDayUsers(db, { ...filter, page: { limit, offset } });
        return { items: await dayStatuses(db, rows, date, now), total, limit, offset };
      }
      const { rows } = await listDayUsers(db, filter);
      const matching = (await dayStatuses(db, rows, date, now)).filter((d) => d.dayStatus === query.dayStatus);
      return { items: matching.slice(offset, offset + limit), total: matching.length, limit, offset };
    },
  };
}
export type ViewsService = ReturnType<typeof createViewsService>;
