/**
 * Leave requests through the SDK (submit, resolve, amend, cancel), plus direct SQL for arranging rows in states
 * the API reaches only over time (escalated, old awaitingSince) and for reading timeline / audit rows.
 */
import type { components } from '../../generated/sdk/src/schema.ts';
import { ok } from './expect.ts';
import type { Session } from './fixtures.ts';
import type { TestApp } from './harness.ts';

export type LeaveDto = components['schemas']['LeaveRequest'];
export type SubmitBody = components['schemas']['SubmitLeaveRequest'];
export type AmendBody = components['schemas']['AmendLeaveRequest'];

export const submitLeave = (as: Session, body: Partial<SubmitBody> & Pick<SubmitBody, 'startDate' | 'endDate'>, idempotencyKey?: string) =>
  as.api.POST('/leaves', {
    params: idempotencyKey ? { header: { 'Idempotency-Key': idempotencyKey } } : {},
    body: { leaveType: 'annual', reason: 'Family trip', ...body } as SubmitBody,
  });

/** Submits and asserts 201. */
export async function submitOk(as: Session, body: Partial<SubmitBody> & Pick<SubmitBody, 'startDate' | 'endDate'>): Promise<LeaveDto> {
  return ok(await submitLeave(as, body), 201);
}

export const resolveLeave = (as: Session, leaveId: string, action: string, comment?: string, idempotencyKey?: string) =>
  as.api.PATCH('/leaves/{leaveId}/resolve', {
    params: { path: { leaveId }, ...(idempotencyKey ? { header: { 'Idempotency-Key': idempotencyKey } } : {}) },
    body: (comment === undefined ? { action } : { action, comment }) as components['schemas']['ResolveLeaveRequest'],
  });

export async function resolveOk(as: Session, leaveId: string, action: 'approved' | 'rejected' | 'clarified', comment?: string): Promise<LeaveDto> {
  return ok(await resolveLeave(as, leaveId, action, comment));
}

export const cancelLeave = (as: Session, leaveId: string, comment?: string) =>
  as.api.POST('/leaves/{leaveId}/cancel', { params: { path: { leaveId } }, body: comment === undefined ? {} : { comment } });

export const amendLeave = (as: Session, leaveId: string, body: AmendBody) => as.api.PATCH('/leaves/{leaveId}', { params: { path: { leaveId } }, body });

export const getLeave = (as: Session, leaveId: string) => as.api.GET('/leaves/{leaveId}', { params: { path: { leaveId } } });

export const leaveTimeline = (as: Session, leaveId: string) => as.api.GET('/leaves/{leaveId}/timeline', { params: { path: { leaveId } } });

/** Timeline rows straight from the table, oldest first. */
export async function timelineRows(app: TestApp, leaveId: string): Promise<{ action: string; actor_id: string | null; comment: string | null }[]> {
  const { rows } = await app.sql.query(
    `SELECT action, actor_id, comment FROM approval_timeline WHERE entity_type = 'leave_request' AND entity_id = $1 ORDER BY created_at, seq`,
    [leaveId],
  );
  return rows;
}

export interface LeaveRowSpec {
  userId: string;
  leaveType?: string;
  startDate: string;
  endDate: string;
  isHalfDay?: boolean;
  halfDayPeriod?: 'first_half' | 'second_half' | null;
  workingDays?: number;
  status?: 'pending' | 'needs_clarification' | 'escalated' | 'approved' | 'rejected' | 'cancelled';
  currentApproverId?: string | null;
  awaitingSince?: string;
  createdAt?: string;
  decidedById?: string | null;
  escalatedFromId?: string | null;
}

/** A leave row as the API would have left it, inserted directly (for states reached only over time). */
export async function insertLeaveRow(app: TestApp, spec: LeaveRowSpec): Promise<string> {
  const status = spec.status ?? 'pending';
  const at = spec.awaitingSince ?? app.clock.now().toISOString();
  const decided = status === 'approved' || status === 'rejected';
  const escalated = status === 'escalated' || spec.escalatedFromId != null;
  const { rows } = await app.sql.query<{ id: string }>(
    `INSERT INTO leave_requests (user_id, leave_type, is_half_day, half_day_period, start_date, end_date, working_days, reason, status,
       current_approver_id, awaiting_since, decided_by_id, decided_at, escalated_from_id, escalated_at, escalation_count,
       cancelled_by_id, cancelled_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'Arranged in SQL', $8::varchar, $9, $10, $11, CASE WHEN $11::uuid IS NULL THEN NULL ELSE $10::timestamptz END,
       $12, CASE WHEN $12::uuid IS NULL THEN NULL ELSE $10::timestamptz END, CASE WHEN $12::uuid IS NULL THEN 0 ELSE 1 END,
       CASE WHEN $8::varchar = 'cancelled' THEN $1::uuid END, CASE WHEN $8::varchar = 'cancelled' THEN $10::timestamptz END, $13, $13)
     RETURNING id`,
    [
      spec.userId,
      spec.leaveType ?? 'annual',
      spec.isHalfDay ?? false,
      spec.halfDayPeriod ?? null,
      spec.startDate,
      spec.endDate,
      spec.workingDays ?? (spec.isHalfDay ? 0.5 : 1),
      status,
      escalated ? null : (spec.currentApproverId ?? null),
      at,
      decided ? (spec.decidedById ?? spec.currentApproverId ?? null) : null,
      escalated ? (spec.escalatedFromId ?? spec.currentApproverId ?? null) : null,
      spec.createdAt ?? at,
    ],
  );
  return rows[0]!.id;
}
