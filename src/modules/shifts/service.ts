/**
 * Shifts (02 §2.5, §3.6): CRUD with soft deactivation, the single default shift, the member list and assignment.
 * Every change writes its audit rows as the last statements of its transaction and queues its events there too
 * (the outbox publishes them after commit).
 */
import type { components } from '../../../generated/sdk/src/schema.ts';
import type { Actor } from '../../auth/actor.ts';
import { pickFields } from '../../audit/changes.ts';
import { recordAudit, type AuditEntry } from '../../audit/record.ts';
import type { Db, Queryable } from '../../db/pool.ts';
import { conflict, invalid, invalidMany, notFound, type ErrorDetail } from '../../http/errors.ts';
import type { RequestMeta } from '../../http/request-context.ts';
import type { Clock } from '../../lib/clock.ts';
import { pageWindow, toPage, type Page, type PageQuery } from '../../lib/page.ts';
import { cleanDescription, cleanName } from '../../lib/text.ts';
import { isValidTimeZone } from '../../lib/zoned-time.ts';
import { publishEvent } from '../../realtime/outbox.ts';
import { findEffectiveShift } from '../attendance/calendar.ts';
import { shiftDurationMinutes, toShiftDto, toShiftEmployeeDto, type ShiftAssignmentDto, type ShiftDto, type ShiftEmployeeDto } from './dto.ts';
import {
  clearDefaultShift,
  countBlockingAssignees,
  findAssignableShift,
  findShift,
  insertShift,
  listShiftEmployees,
  listShifts,
  lockShift,
  lockUserShift,
  setUserShift,
  shiftNameTaken,
  updateShiftFields,
  type ClearedDefault,
  type ShiftChanges,
  type ShiftRow,
  type ShiftValues,
  type UserStatus,
} from './queries.ts';

type ShiftCreate = components['schemas']['ShiftCreate'];
type ShiftUpdate = components['schemas']['ShiftUpdate'];
type ShiftAssignmentRequest = components['schemas']['ShiftAssignmentRequest'];

const DEFAULT_GRACE_MINUTES = 15;
const DEFAULT_WORKING_DAYS = [1, 2, 3, 4, 5];
const MIN_DURATION_MINUTES = 60;
const MAX_DURATION_MINUTES = 16 * 60;

const SHIFT_FIELDS = [
  'name',
  'description',
  'startTime',
  'endTime',
  'timezone',
  'gracePeriodMinutes',
  'workingDays',
  'isActive',
  'isDefault',
] as const satisfies readonly (keyof ShiftValues)[];

const sortedDays = (days: readonly number[]) => [...days].sort((a, b) => a - b);

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/**
 * The rules of 02 §3.6 on a complete shift (a new one, or the merged result of a PATCH). `timeField` names the field
 * a window error is reported on: the end time, unless only the start time was sent.
 * @throws AppError 422 listing every broken rule.
 */
function assertValidShift(values: ShiftValues, timeField: string): void {
  const problems: ErrorDetail[] = [];
  if (values.startTime === values.endTime) {
    problems.push({ field: timeField, message: 'must differ from startTime (a shift cannot last 24 hours)' });
  } else {
    const duration = shiftDurationMinutes(values.startTime, values.endTime);
    if (duration < MIN_DURATION_MINUTES || duration > MAX_DURATION_MINUTES) {
      problems.push({ field: timeField, message: `the shift must last 60 to 960 minutes (1 to 16 hours); it lasts ${duration}` });
    }
  }
  if (!isValidTimeZone(values.timezone)) problems.push({ field: 'body.timezone', message: 'must be a valid IANA time zone name' });
  if (values.workingDays.length === 0 || new Set(values.workingDays).size !== values.workingDays.length || values.workingDays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
    problems.push({ field: 'body.workingDays', message: 'must be unique ISO weekdays 1..7, at least one' });
  }
  if (values.isDefault && !values.isActive) problems.push({ field: 'body.isDefault', message: 'the default shift must be active' });
  if (problems.length > 0) throw invalidMany(problems);
}

const pluralUsers = (n: number) => (n === 1 ? '1 assigned user' : `${n} assigned users`);

export function createShiftsService(deps: { db: Db; clock: Clock; orgTimezone: string }) {
  const { db, clock, orgTimezone } = deps;

  async function loadDto(q: Queryable, shiftId: string): Promise<ShiftDto> {
    const row = await findShift(q, shiftId);
    if (!row) throw notFound();
    return toShiftDto(row);
  }

  /** @throws AppError 409 `body.name` when another shift has the name (case-insensitive). */
  async function assertNameFree(tx: Queryable, name: string, exceptId: string | null): Promise<void> {
    if (await shiftNameTaken(tx, name, exceptId)) {
      throw conflict('A shift with this name already exists.', [{ field: 'body.name', message: 'is already in use' }]);
    }
  }

  /**
   * Deactivation rules (02 §3.6): not the default; no assigned user whose status is not `inactive`.
   * @throws AppError 409 naming `field`; the message gives the count of blocking users.
   */
  async function assertMayDeactivate(tx: Queryable, shift: ShiftRow, field: string): Promise<void> {
    if (shift.isDefault) {
      throw conflict('The default shift cannot be deactivated; make another shift the default (or clear the default) first.', [
        { field, message: 'is the default shift' },
      ]);
    }
    const blocking = await countBlockingAssignees(tx, shift.id);
    if (blocking > 0) {
      throw conflict(`The shift still has ${pluralUsers(blocking)} whose status is not inactive; reassign them first.`, [
        { field, message: `${blocking} assigned user(s) whose status is not inactive` },
      ]);
    }
  }

  async function announce(tx: Queryable, actor: Actor, type: 'shift.created' | 'shift.updated', shift: { id: string; name: string; isActive: boolean; isDefault: boolean }) {
    await publishEvent(
      tx,
      { kind: 'org' },
      {
        type,
        payload: { shiftId: shift.id, name: shift.name, isActive: shift.isActive, isDefault: shift.isDefault },
        actorId: actor.userId,
        entityType: 'shift',
        entityId: shift.id,
      },
      clock.now(),
    );
  }

  /** The previous default lost its flag: its own event and audit row (`shift.updated`, isDefault true → false). */
  function previousDefaultAudits(actor: Actor, cleared: readonly ClearedDefault[], meta: RequestMeta): AuditEntry[] {
    return cleared.map((shift) => ({
      actor,
      action: 'shift.updated',
      entityType: 'shift',
      entityId: shift.id,
      entityLabel: shift.name,
      before: { isDefault: true },
      after: { isDefault: false },
      meta,
    }));
  }

  async function announceCleared(tx: Queryable, actor: Actor, cleared: readonly ClearedDefault[]): Promise<void> {
    for (const shift of cleared) await announce(tx, actor, 'shift.updated', { ...shift, isDefault: false });
  }

  return {
    async list(query: { isActive?: boolean } & PageQuery): Promise<Page<ShiftDto>> {
      const { limit, offset } = pageWindow(query);
      const { rows, total } = await listShifts(db, { isActive: query.isActive, limit, offset });
      return toPage(rows, total, toShiftDto, { limit, offset });
    },

    /** @throws AppError 404 for an unknown id. */
    get: (shiftId: string): Promise<ShiftDto> => loadDto(db, shiftId),

    /**
     * `isDefault: true` clears the previous default in the same transaction.
     * @throws AppError 409 name taken (or a concurrent default move); 422 broken rules.
     */
    async create(actor: Actor, body: ShiftCreate, meta: RequestMeta): Promise<ShiftDto> {
      const values: ShiftValues = {
        name: cleanName(body.name),
        description: cleanDescription(body.description),
        startTime: body.startTime,
        endTime: body.endTime,
        timezone: body.timezone ?? orgTimezone,
        gracePeriodMinutes: body.gracePeriodMinutes ?? DEFAULT_GRACE_MINUTES,
        workingDays: sortedDays(body.workingDays ?? DEFAULT_WORKING_DAYS),
        isActive: body.isActive ?? true,
        isDefault: body.isDefault ?? false,
      };
      assertValidShift(values, 'body.endTime');
      return db.transaction(async (tx) => {
        await assertNameFree(tx, values.name, null);
        const now = clock.now();
        const cleared = values.isDefault ? await clearDefaultShift(tx, null, now) : [];
        const id = await insertShift(tx, values, now);
        await announceCleared(tx, actor, cleared);
        await announce(tx, actor, 'shift.created', { id, ...values });
        const created = await loadDto(tx, id);
        for (const entry of previousDefaultAudits(actor, cleared, meta)) await recordAudit(tx, entry);
        await recordAudit(tx, { actor, action: 'shift.created', entityType: 'shift', entityId: id, entityLabel: values.name, after: { ...values }, meta });
        return created;
      });
    },

    /**
     * Applies the fields that differ from the stored ones after re-validating the merged shift; nothing changed →
     * 200 without audit or event. `isActive: false` follows the deactivation rules; `isDefault: true` moves the default.
     * @throws AppError 404 unknown; 409 name taken, deactivation refused, concurrent default move; 422 broken rules.
     */
    async update(actor: Actor, shiftId: string, body: ShiftUpdate, meta: RequestMeta): Promise<ShiftDto> {
      return db.transaction(async (tx) => {
        const current = await lockShift(tx, shiftId);
        if (!current) throw notFound();
        const merged: ShiftValues = {
          name: body.name !== undefined ? cleanName(body.name) : current.name,
          description: body.description !== undefined ? cleanDescription(body.description) : current.description,
          startTime: body.startTime ?? current.startTime,
          endTime: body.endTime ?? current.endTime,
          timezone: body.timezone ?? current.timezone,
          gracePeriodMinutes: body.gracePeriodMinutes ?? current.gracePeriodMinutes,
          workingDays: sortedDays(body.workingDays ?? current.workingDays),
          isActive: body.isActive ?? current.isActive,
          isDefault: body.isDefault ?? current.isDefault,
        };
        const stored: ShiftValues = { ...current, workingDays: sortedDays(current.workingDays) };
        const changed = SHIFT_FIELDS.filter((field) => !sameValue(merged[field], stored[field]));
        if (changed.length === 0) return toShiftDto(current);

        // Deactivating the default is a state conflict (409), checked before the merged-result rules would call it a 422.
        if (changed.includes('isActive') && !merged.isActive) await assertMayDeactivate(tx, current, 'body.isActive');
        assertValidShift(merged, body.endTime === undefined && body.startTime !== undefined ? 'body.startTime' : 'body.endTime');
        if (changed.includes('name')) await assertNameFree(tx, merged.name, shiftId);

        const changes: ShiftChanges = pickFields(merged, changed);
        const now = clock.now();
        const cleared = changes.isDefault === true ? await clearDefaultShift(tx, shiftId, now) : [];
        await updateShiftFields(tx, shiftId, changes, now);
        await announceCleared(tx, actor, cleared);
        await announce(tx, actor, 'shift.updated', { id: shiftId, ...merged });
        const updated = await loadDto(tx, shiftId);
        for (const entry of previousDefaultAudits(actor, cleared, meta)) await recordAudit(tx, entry);
        await recordAudit(tx, {
          actor,
          action: changes.isActive === false ? 'shift.deactivated' : 'shift.updated',
          entityType: 'shift',
          entityId: shiftId,
          entityLabel: merged.name,
          before: { ...pickFields(stored, changed) },
          after: { ...changes },
          meta,
        });
        return updated;
      });
    },

    /**
     * Soft delete; an already inactive shift is answered unchanged (no audit, no event).
     * @throws AppError 404 unknown; 409 the default shift, or assigned users whose status is not `inactive`.
     */
    async deactivate(actor: Actor, shiftId: string, meta: RequestMeta): Promise<ShiftDto> {
      return db.transaction(async (tx) => {
        const current = await lockShift(tx, shiftId);
        if (!current) throw notFound();
        if (!current.isActive) return toShiftDto(current);
        await assertMayDeactivate(tx, current, 'path.shiftId');
        await updateShiftFields(tx, shiftId, { isActive: false }, clock.now());
        await announce(tx, actor, 'shift.updated', { ...current, isActive: false });
        const deactivated = await loadDto(tx, shiftId);
        await recordAudit(tx, {
          actor,
          action: 'shift.deactivated',
          entityType: 'shift',
          entityId: shiftId,
          entityLabel: current.name,
          before: { isActive: true },
          after: { isActive: false },
          meta,
        });
        return deactivated;
      });
    },

    /** @throws AppError 404 unknown shift. */
    async listEmployees(shiftId: string, query: { status?: UserStatus } & PageQuery): Promise<Page<ShiftEmployeeDto>> {
      if (!(await findShift(db, shiftId))) throw notFound();
      const { limit, offset } = pageWindow(query);
      const { rows, total } = await listShiftEmployees(db, shiftId, { status: query.status, limit, offset });
      return toPage(rows, total, toShiftEmployeeDto, { limit, offset });
    },

    /**
     * Sets (or, with `shiftId: null`, clears) the user's assigned shift. The user's active attendance session keeps
     * its stored shift and window. An assignment that changes nothing writes neither audit nor event.
     * @throws AppError 404 unknown user; 422 `body.shiftId` unknown or inactive shift.
     */
    async assign(actor: Actor, userId: string, body: ShiftAssignmentRequest, meta: RequestMeta): Promise<ShiftAssignmentDto> {
      return db.transaction(async (tx) => {
        const user = await lockUserShift(tx, userId);
        if (!user) throw notFound();
        const shiftId = body.shiftId;
        if (shiftId !== null) {
          const shift = await findAssignableShift(tx, shiftId);
          if (!shift) throw invalid('body.shiftId', 'must be an existing shift');
          if (!shift.isActive) throw invalid('body.shiftId', 'must be an active shift');
        }
        const changed = user.shiftId !== shiftId;
        if (changed) await setUserShift(tx, userId, shiftId, clock.now());
        const effectiveShiftId = (await findEffectiveShift(tx, userId))?.id ?? null;
        const result = { userId, shiftId, effectiveShiftId };
        if (changed) {
          await publishEvent(
            tx,
            { kind: 'users', userIds: [userId] },
            { type: 'shift.assigned', payload: result, actorId: actor.userId, entityType: 'user', entityId: userId },
            clock.now(),
          );
          await recordAudit(tx, {
            actor,
            action: 'user.shift_changed',
            entityType: 'user',
            entityId: userId,
            entityLabel: user.fullName,
            before: { shiftId: user.shiftId },
            after: { shiftId },
            meta,
          });
        }
        return result;
      });
    },
  };
}

export type ShiftsService = ReturnType<typeof createShiftsService>;
