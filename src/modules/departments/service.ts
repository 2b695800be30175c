/**
 * Departments (04 §3.4): CRUD with soft deactivation, the head of department, and members.
 * Every change writes its audit row as the last statement of its transaction and queues `department.updated`.
 */
import type { components } from '../../../generated/sdk/src/schema.ts';
import type { Actor } from '../../auth/actor.ts';
import { isManagementRole } from '../../auth/permissions.ts';
import { pickFields } from '../../audit/changes.ts';
import { recordAudit } from '../../audit/record.ts';
import type { Db, Queryable } from '../../db/pool.ts';
import { conflict, invalid, notFound } from '../../http/errors.ts';
import type { RequestMeta } from '../../http/request-context.ts';
import type { Clock } from '../../lib/clock.ts';
import { pageWindow, toPage, type Page, type PageQuery } from '../../lib/page.ts';
import { cleanDescription, cleanName } from '../../lib/text.ts';
import { publishEvent } from '../../realtime/outbox.ts';
import { toDepartmentDto, toDepartmentMemberDto, type DepartmentDto, type DepartmentMemberDto } from './dto.ts';
import {
  countBlockingMembers,
  departmentNameTaken,
  findDepartment,
  findHeadCandidate,
  insertDepartment,
  listDepartmentMembers,
  listDepartments,
  lockDepartment,
  updateDepartmentFields,
  type DepartmentChanges,
  type DepartmentSort,
  type LockedDepartment,
} from './queries.ts';

type DepartmentCreate = components['schemas']['DepartmentCreate'];
type DepartmentUpdate = components['schemas']['DepartmentUpdate'];

export interface DepartmentListQuery extends PageQuery {
  isActive?: boolean;
  search?: string;
  sort?: DepartmentSort;
}

/** The audited fields of a department, in wire names (04 §4.6: `name`, `description`, `headUserId`, `isActive`). */
type AuditedFields = Pick<LockedDepartment, 'name' | 'description' | 'headUserId' | 'isActive'>;
const AUDITED_FIELDS = ['name', 'description', 'headUserId', 'isActive'] as const satisfies readonly (keyof AuditedFields)[];

export function createDepartmentsService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function loadDto(q: Queryable, departmentId: string): Promise<DepartmentDto> {
    const row = await findDepartment(q, departmentId);
    if (!row) throw notFound();
    return toDepartmentDto(row);
  }

  /** @throws AppError 409 `body.name` when another department has the name (case-insensitive). */
  async function assertNameFree(tx: Queryable, name: string, exceptId: string | null): Promise<void> {
    if (await departmentNameTaken(tx, name, exceptId)) {
      throw conflict('A department with this name already exists.', [{ field: 'body.name', message: 'is already in use' }]);
    }
  }

  /** @throws AppError 422 `body.headUserId` unless the user exists, is active and has a management role. */
  async function assertEligibleHead(tx: Queryable, userId: string): Promise<void> {
    const head = await findHeadCandidate(tx, userId);
    if (!head) throw invalid('body.headUserId', 'must be an existing user');
    if (head.status !== 'active') throw invalid('body.headUserId', 'must be an active user');
    if (!isManagementRole(head.role)) throw invalid('body.headUserId', 'must have a management role (admin, hr_operations, manager or team_lead)');
  }

  /** @throws AppError 409 (naming `field`) while any member's status is not `inactive` (04 §3.4). */
  async function assertNoBlockingMembers(tx: Queryable, departmentId: string, field: string): Promise<void> {
    const members = await countBlockingMembers(tx, departmentId);
    if (members > 0) {
      throw conflict('The department still has members; move them or deactivate their accounts first.', [
        { field, message: `${members} member(s) whose status is not inactive` },
      ]);
    }
  }

  async function announce(tx: Queryable, actor: Actor, departmentId: string, isActive: boolean): Promise<void> {
    await publishEvent(
      tx,
      { kind: 'org' },
      { type: 'department.updated', payload: { departmentId, isActive }, actorId: actor.userId, entityType: 'department', entityId: departmentId },
      clock.now(),
    );
  }

  function actionFor(changes: DepartmentChanges): string {
    if (changes.isActive === false) return 'department.deactivated';
    if (changes.isActive === true) return 'department.reactivated';
    return 'department.updated';
  }

  return {
    async list(query: DepartmentListQuery): Promise<Page<DepartmentDto>> {
      const { limit, offset } = pageWindow(query);
      const search = query.search?.trim();
      const { rows, total } = await listDepartments(db, {
        isActive: query.isActive,
        search: search === '' ? undefined : search,
        sort: query.sort ?? 'name',
        limit,
        offset,
      });
      return toPage(rows, total, toDepartmentDto, { limit, offset });
    },

    /** @throws AppError 404 for an unknown id. */
    get: (departmentId: string): Promise<DepartmentDto> => loadDto(db, departmentId),

    /**
     * @throws AppError 409 name taken; 422 blank name or ineligible head.
     */
    async create(actor: Actor, body: DepartmentCreate, meta: RequestMeta): Promise<DepartmentDto> {
      const values = {
        name: cleanName(body.name),
        description: cleanDescription(body.description),
        headUserId: body.headUserId ?? null,
        isActive: body.isActive ?? true,
      };
      return db.transaction(async (tx) => {
        await assertNameFree(tx, values.name, null);
        if (values.headUserId) await assertEligibleHead(tx, values.headUserId);
        const now = clock.now();
        const id = await insertDepartment(tx, values, actor.userId, now);
        await announce(tx, actor, id, values.isActive);
        const created = await loadDto(tx, id);
        await recordAudit(tx, {
          actor,
          action: 'department.created',
          entityType: 'department',
          entityId: id,
          entityLabel: values.name,
          after: values,
          meta,
        });
        return created;
      });
    },

    /**
     * Applies the fields that differ from the stored ones; nothing changed → 200 without audit or event.
     * @throws AppError 404 unknown; 409 name taken or deactivation with members; 422 blank name or ineligible head.
     */
    async update(actor: Actor, departmentId: string, body: DepartmentUpdate, meta: RequestMeta): Promise<DepartmentDto> {
      return db.transaction(async (tx) => {
        const current = await lockDepartment(tx, departmentId);
        if (!current) throw notFound();
        const merged: AuditedFields = {
          name: body.name !== undefined ? cleanName(body.name) : current.name,
          description: body.description !== undefined ? cleanDescription(body.description) : current.description,
          headUserId: body.headUserId !== undefined ? body.headUserId : current.headUserId,
          isActive: body.isActive ?? current.isActive,
        };
        const changed = AUDITED_FIELDS.filter((field) => merged[field] !== current[field]);
        if (changed.length === 0) return loadDto(tx, departmentId);
        const changes: DepartmentChanges = pickFields(merged, changed);

        if (changes.name !== undefined) await assertNameFree(tx, changes.name, departmentId);
        if (changes.headUserId) await assertEligibleHead(tx, changes.headUserId);
        if (changes.isActive === false) await assertNoBlockingMembers(tx, departmentId, 'body.isActive');

        const now = clock.now();
        await updateDepartmentFields(tx, departmentId, changes, actor.userId, now);
        await announce(tx, actor, departmentId, changes.isActive ?? current.isActive);
        const updated = await loadDto(tx, departmentId);
        await recordAudit(tx, {
          actor,
          action: actionFor(changes),
          entityType: 'department',
          entityId: departmentId,
          entityLabel: changes.name ?? current.name,
          before: { ...pickFields(current, changed) },
          after: { ...pickFields(changes, changed) },
          meta,
        });
        return updated;
      });
    },

    /**
     * Soft delete; an already inactive department is answered unchanged (no audit, no event).
     * @throws AppError 404 unknown; 409 while any member's status is not `inactive`.
     */
    async deactivate(actor: Actor, departmentId: string, meta: RequestMeta): Promise<DepartmentDto> {
      return db.transaction(async (tx) => {
        const current = await lockDepartment(tx, departmentId);
        if (!current) throw notFound();
        if (!current.isActive) return loadDto(tx, departmentId);
        await assertNoBlockingMembers(tx, departmentId, 'path.departmentId');
        await updateDepartmentFields(tx, departmentId, { isActive: false }, actor.userId, clock.now());
        await announce(tx, actor, departmentId, false);
        const deactivated = await loadDto(tx, departmentId);
        await recordAudit(tx, {
          actor,
          action: 'department.deactivated',
          entityType: 'department',
          entityId: departmentId,
          entityLabel: current.name,
          before: { isActive: true },
          after: { isActive: false },
          meta,
        });
        return deactivated;
      });
    },

    /**
     * Holders of `users.view_all` or `departments.manage` see every member with its status; everyone else sees the
     * active members of an active department.
     * @throws AppError 404 unknown department, or inactive for a caller without those keys.
     */
    async listMembers(actor: Actor, departmentId: string, query: PageQuery): Promise<Page<DepartmentMemberDto>> {
      const seesAll = actor.permissions.has('users.view_all') || actor.permissions.has('departments.manage');
      const department = await findDepartment(db, departmentId);
      if (!department || (!department.isActive && !seesAll)) throw notFound();
      const { limit, offset } = pageWindow(query);
      const { rows, total } = await listDepartmentMembers(db, departmentId, { activeOnly: !seesAll, limit, offset });
      return toPage(rows, total, (row) => toDepartmentMemberDto(row, seesAll), { limit, offset });
    },
  };
}

export type DepartmentsService = ReturnType<typeof createDepartmentsService>;
