/** Leave rows → wire objects (03 §3 views `LeaveRequest`, `TimelineEntry`); instants as RFC 3339 UTC. */
import type { components } from '../../../generated/sdk/src/schema.ts';
import type { LeaveRow, TimelineRow } from './queries.ts';

export type LeaveRequestDto = components['schemas']['LeaveRequest'];
export type TimelineEntryDto = components['schemas']['TimelineEntry'];

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A request's `entityLabel` in the audit log (service and escalation job): "Sara Khan 2026-12-01–2026-12-03". */
export const leaveLabel = (row: Pick<LeaveRow, 'userFullName' | 'startDate' | 'endDate'>) => `${row.userFullName} ${row.startDate}–${row.endDate}`;

export function toLeaveDto(row: LeaveRow): LeaveRequestDto {
  return {
    id: row.id,
    userId: row.userId,
    userFullName: row.userFullName,
    leaveType: row.leaveType,
    isHalfDay: row.isHalfDay,
    halfDayPeriod: row.halfDayPeriod,
    startDate: row.startDate,
    endDate: row.endDate,
    workingDays: row.workingDays,
    reason: row.reason,
    status: row.status,
    currentApproverId: row.currentApproverId,
    currentApproverName: row.currentApproverName,
    awaitingSince: row.awaitingSince.toISOString(),
    decidedById: row.decidedById,
    decidedAt: iso(row.decidedAt),
    decisionComment: row.decisionComment,
    escalatedFromId: row.escalatedFromId,
    escalatedAt: iso(row.escalatedAt),
    escalationCount: row.escalationCount,
    cancelledById: row.cancelledById,
    cancelledAt: iso(row.cancelledAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toTimelineDto(row: TimelineRow): TimelineEntryDto {
  return {
    id: row.id,
    action: row.action,
    actorId: row.actorId,
    actorName: row.actorName,
    comment: row.comment,
    createdAt: row.createdAt.toISOString(),
  };
}
