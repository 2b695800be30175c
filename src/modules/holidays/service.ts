/**
 * Holidays (02 §2.6, §3.7, §4.9): one-off dated days off, at most one active per date. An active holiday on a date
 * dismisses that date's open `absent` exceptions and recomputes its `daily_stats` rows in the same transaction;
 * deactivation changes nothing retroactively.
 */
import type { components } from '../../../generated/sdk/src/schema.ts';
import type { Actor } from '../../auth/actor.ts';
import { pickFields } from '../../audit/changes.ts';
import { recordAudit } from '../../audit/record.ts';
import type { Db, Queryable } from '../../db/pool.ts';
import { conflict, invalid, notFound } from '../../http/errors.ts';
import type { RequestMeta } from '../../http/request-context.ts';
import type { Clock } from '../../lib/clock.ts';
import { pageWindow, toPage, type Page, type PageQuery } from '../../lib/page.ts';
import { cleanDescription, cleanName } from '../../lib/text.ts';
import { daysBetween, isCalendarDate, todayIn } from '../../lib/zoned-time.ts';
import { publishEvent } from '../../realtime/outbox.ts';
import { refreshDailyStats } from '../attendance/daily-stats.ts';
import { closeExceptionsAsSystem } from '../attendance/exceptions-writer.ts';
import { toHolidayDto, type HolidayDto } from './dto.ts';
import {
  activeHolidayOn,
  findHoliday,
  insertHoliday,
  listHolidays,
  listUpcomingHolidays,
  lockHoliday,
  updateHolidayFields,
  usersWithDailyStatsOn,
  type HolidayChanges,
  type HolidayRow,
  type HolidayValues,
} from './queries.ts';

type HolidayCreate = components['schemas']['HolidayCreate'];
type HolidayUpdate = components['schemas']['HolidayUpdate'];

const DEFAULT_UPCOMING_LIMIT = 5;
const MAX_RANGE_DAYS = 366;
const FIRST_YEAR = 2000;
const LAST_YEAR = 2100;

const HOLIDAY_FIELDS = ['name', 'description', 'date', 'isActive'] as const satisfies readonly (keyof HolidayValues)[];

/** @throws AppError 422 `body.date` unless a real calendar date in 2000..2100. */
function checkDate(date: string): string {
  if (!isCalendarDate(date)) throw invalid('body.date', 'must be a real calendar date (YYYY-MM-DD)');
  const year = Number(date.slice(0, 4));
  if (year < FIRST_YEAR || year > LAST_YEAR) throw invalid('body.date', `the year must be between ${FIRST_YEAR} and ${LAST_YEAR}`);
  return date;
}

export function createHolidaysService(deps: { db: Db; clock: Clock; orgTimezone: string }) {
  const { db, clock, orgTimezone } = deps;

  async function loadDto(q: Queryable, holidayId: string): Promise<HolidayDto> {
    const row = await findHoliday(q, holidayId);
    if (!row) throw notFound();
    return toHolidayDto(row);
  }

  /** @throws AppError 409 naming `field` when another active holiday holds the date. */
  async function assertDateFree(tx: Queryable, date: string, exceptId: string | null, field: string): Promise<void> {
    if (await activeHolidayOn(tx, date, exceptId)) {
      throw conflict('An active holiday already exists on this date.', [{ field, message: `${date} already has an active holiday` }]);
    }
  }

  /**
   * The effects of a holiday becoming active on `date` (02 §3.7): open `absent` exceptions of the date are dismissed
   * as the system, and the date's `daily_stats` rows are recomputed when the date is not in the future (rows only
   * exist up to today). Returns how many exceptions were dismissed.
   */
  async function applyHoliday(tx: Queryable, date: string, name: string): Promise<number> {
    const now = clock.now();
    const dismissed = await closeExceptionsAsSystem(tx, { status: 'dismissed', note: `auto: holiday ${name}`, now, types: ['absent'], workDate: date });
    if (date <= todayIn(now, orgTimezone)) {
      for (const userId of await usersWithDailyStatsOn(tx, date)) await refreshDailyStats(tx, { userId, workDate: date, now, orgTimezone });
    }
    return dismissed.length;
  }

  async function announce(tx: Queryable, actor: Actor, type: 'holiday.created' | 'holiday.updated', holiday: { id: string } & HolidayValues) {
    await publishEvent(
      tx,
      { kind: 'org' },
      {
        type,
        payload: { holidayId: holiday.id, name: holiday.name, date: holiday.date, isActive: holiday.isActive },
        actorId: actor.userId,
        entityType: 'holiday',
        entityId: holiday.id,
      },
      clock.now(),
    );
  }

  return {
    /** @throws AppError 422 `query.to` before `from`, or a range over 366 days. */
    async list(query: { from?: string; to?: string; year?: number; isActive?: boolean } & PageQuery): Promise<Page<HolidayDto>> {
      if (query.from !== undefined && query.to !== undefined) {
        if (query.to < query.from) throw invalid('query.to', 'must be on or after from');
        if (daysBetween(query.from, query.to) > MAX_RANGE_DAYS) throw invalid('query.to', `must be at most ${MAX_RANGE_DAYS} days after from`);
      }
      const { limit, offset } = pageWindow(query);
      const { rows, total } = await listHolidays(db, { from: query.from, to: query.to, year: query.year, isActive: query.isActive, limit, offset });
      return toPage(rows, total, toHolidayDto, { limit, offset });
    },

    /** Active holidays from `from` (default: today in `ORG_TIMEZONE`), ascending. */
    async listUpcoming(query: { from?: string; limit?: number }): Promise<Page<HolidayDto>> {
      const from = query.from ?? todayIn(clock.now(), orgTimezone);
      const limit = query.limit ?? DEFAULT_UPCOMING_LIMIT;
      const { rows, total } = await listUpcomingHolidays(db, from, limit);
      return toPage(rows, total, toHolidayDto, { limit, offset: 0 });
    },

    /** @throws AppError 404 for an unknown id. */
    get: (holidayId: string): Promise<HolidayDto> => loadDto(db, holidayId),

    /** @throws AppError 409 an active holiday holds the date; 422 blank name, date outside 2000..2100. */
    async create(actor: Actor, body: HolidayCreate, meta: RequestMeta): Promise<HolidayDto> {
      const values: HolidayValues = {
        name: cleanName(body.name),
        description: cleanDescription(body.description),
        date: checkDate(body.date),
        isActive: body.isActive ?? true,
      };
      return db.transaction(async (tx) => {
        if (values.isActive) await assertDateFree(tx, values.date, null, 'body.date');
        const id = await insertHoliday(tx, values, actor.userId, clock.now());
        const dismissed = values.isActive ? await applyHoliday(tx, values.date, values.name) : 0;
        await announce(tx, actor, 'holiday.created', { id, ...values });
        const created = await loadDto(tx, id);
        await recordAudit(tx, {
          actor,
          action: 'holiday.created',
          entityType: 'holiday',
          entityId: id,
          entityLabel: values.name,
          after: { ...values },
          ...(values.isActive ? { metadata: { dismissedAbsentExceptions: dismissed } } : {}),
          meta,
        });
        return created;
      });
    },

    /**
     * Applies the fields that differ from the stored ones; nothing changed → 200 without audit or event. An active
     * result on a new date (moved or re-activated) gets the effects of create on that date.
     * @throws AppError 404 unknown; 409 another active holiday on the resulting date; 422 blank name, date out of range.
     */
    async update(actor: Actor, holidayId: string, body: HolidayUpdate, meta: RequestMeta): Promise<HolidayDto> {
      return db.transaction(async (tx) => {
        const current = await lockHoliday(tx, holidayId);
        if (!current) throw notFound();
        const merged: HolidayValues = {
          name: body.name !== undefined ? cleanName(body.name) : current.name,
          description: body.description !== undefined ? cleanDescription(body.description) : current.description,
          date: body.date !== undefined ? checkDate(body.date) : current.date,
          isActive: body.isActive ?? current.isActive,
        };
        const stored = storedValues(current);
        const changed = HOLIDAY_FIELDS.filter((field) => merged[field] !== stored[field]);
        if (changed.length === 0) return toHolidayDto(current);

        const takesNewDate = merged.isActive && (changed.includes('date') || changed.includes('isActive'));
        if (takesNewDate) await assertDateFree(tx, merged.date, holidayId, changed.includes('date') ? 'body.date' : 'body.isActive');
        const changes: HolidayChanges = pickFields(merged, changed);
        await updateHolidayFields(tx, holidayId, changes, clock.now());
        const dismissed = takesNewDate ? await applyHoliday(tx, merged.date, merged.name) : 0;
        await announce(tx, actor, 'holiday.updated', { id: holidayId, ...merged });
        const updated = await loadDto(tx, holidayId);
        await recordAudit(tx, {
          actor,
          action: changes.isActive === false ? 'holiday.deactivated' : 'holiday.updated',
          entityType: 'holiday',
          entityId: holidayId,
          entityLabel: merged.name,
          before: { ...pickFields(stored, changed) },
          after: { ...changes },
          ...(takesNewDate ? { metadata: { dismissedAbsentExceptions: dismissed } } : {}),
          meta,
        });
        return updated;
      });
    },

    /**
     * Soft delete, idempotent: an already deactivated holiday is answered unchanged (no audit, no event). Nothing is
     * changed retroactively.
     * @throws AppError 404 unknown.
     */
    async deactivate(actor: Actor, holidayId: string, meta: RequestMeta): Promise<HolidayDto> {
      return db.transaction(async (tx) => {
        const current = await lockHoliday(tx, holidayId);
        if (!current) throw notFound();
        if (!current.isActive) return toHolidayDto(current);
        await updateHolidayFields(tx, holidayId, { isActive: false }, clock.now());
        await announce(tx, actor, 'holiday.updated', { ...storedValues(current), id: holidayId, isActive: false });
        const deactivated = await loadDto(tx, holidayId);
        await recordAudit(tx, {
          actor,
          action: 'holiday.deactivated',
          entityType: 'holiday',
          entityId: holidayId,
          entityLabel: current.name,
          before: { isActive: true },
          after: { isActive: false },
          meta,
        });
        return deactivated;
      });
    },
  };
}

function storedValues(row: HolidayRow): HolidayValues {
  return { name: row.name, description: row.description, date: row.date, isActive: row.isActive };
}

export type HolidaysService = ReturnType<typeof createHolidaysService>;
