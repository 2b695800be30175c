/**
 * Rows → wire objects of 02 §2.8: Session, Break, Correction (embedded in a session and on its own) and DayStatus.
 * Instants leave as RFC 3339 UTC with milliseconds; work dates stay `YYYY-MM-DD`.
 */
import type { components } from '../../../generated/sdk/src/schema.ts';
import type { BreakRow, SessionRow } from './sessions-queries.ts';

export type SessionDto = components['schemas']['Session'];
export type BreakDto = components['schemas']['Break'];
export type CorrectionDto = components['schemas']['Correction'];
export type DayStatusDto = components['schemas']['DayStatus'];

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toBreakDto(row: BreakRow): BreakDto {
  return {
    id: row.id,
    sessionId: row.sessionId,
    userId: row.userId,
    breakType: row.breakType,
    note: row.note,
    isPaid: row.isPaid,
    startedAt: row.startedAt.toISOString(),
    endedAt: iso(row.endedAt),
    durationSeconds: row.durationSeconds,
    endReason: row.endReason,
  };
}

/** The open break carried on a SessionRow (`active_break_*` columns), or null. */
function activeBreakOf(row: SessionRow): BreakDto | null {
  if (!row.activeBreakId || !row.activeBreakType || !row.activeBreakStartedAt) return null;
  return {
    id: row.activeBreakId,
    sessionId: row.id,
    userId: row.userId,
    breakType: row.activeBreakType,
    note: row.activeBreakNote,
    isPaid: row.activeBreakIsPaid ?? true,
    startedAt: row.activeBreakStartedAt.toISOString(),
    endedAt: null,
    durationSeconds: null,
    endReason: null,
  };
}

/**
 * A session as the list items and check-in/out return it (no `breaks`, no `corrections`).
 * @param breakAllowanceMinutes ATTENDANCE_BREAK_ALLOWANCE_MINUTES, for `breakOverAllowanceSeconds` (information only).
 */
export function toSessionDto(row: SessionRow, breakAllowanceMinutes: number): SessionDto {
  return {
    id: row.id,
    userId: row.userId,
    userFullName: row.userFullName,
    workDate: row.workDate,
    workMode: row.workMode,
    wfhApproved: row.wfhApproved,
    status: row.status,
    classification: row.classification,
    checkInAt: row.checkInAt.toISOString(),
    checkOutAt: iso(row.checkOutAt),
    shiftId: row.shiftId,
    isScheduledDay: row.isScheduledDay,
    expectedShiftStartAt: iso(row.expectedShiftStartAt),
    expectedShiftEndAt: iso(row.expectedShiftEndAt),
    isLate: row.isLate,
    lateMinutes: row.lateMinutes,
    isEarlyCheckout: row.isEarlyCheckout,
    earlyCheckoutMinutes: row.earlyCheckoutMinutes,
    earlyCheckoutReason: row.earlyCheckoutReason,
    afterShiftReason: row.afterShiftReason,
    afterShiftNote: row.afterShiftNote,
    afterShiftMinutes: row.afterShiftMinutes,
    isOvertime: row.isOvertime,
    autoClosedReason: row.autoClosedReason,
    grossSeconds: row.status === 'active' ? null : row.grossSeconds,
    workedSeconds: row.status === 'active' ? null : row.workedSeconds,
    breakSeconds: row.breakSeconds,
    unpaidBreakSeconds: row.unpaidBreakSeconds,
    breakSecondsByType: { dinner: row.dinnerBreakSeconds, prayer: row.prayerBreakSeconds, other: row.otherBreakSeconds },
    breakOverAllowanceSeconds: Math.max(0, row.breakSeconds - breakAllowanceMinutes * 60),
    isCorrected: row.isCorrected,
    correctionPending: row.correctionPending,
    activeBreak: activeBreakOf(row),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The row shape of a correction (02 §2.8 Correction), embedded in `getSession` or read by the corrections endpoints. */
export interface SessionCorrectionRow {
  id: string;
  sessionId: string;
  userId: string;
  userFullName: string;
  requestedById: string;
  workDate: string;
  originalCheckInAt: Date;
  originalCheckOutAt: Date | null;
  requestedCheckInAt: Date | null;
  requestedCheckOutAt: Date | null;
  reason: string;
  status: CorrectionDto['status'];
  reviewerId: string | null;
  reviewerComment: string | null;
  resolvedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export function toCorrectionDto(row: SessionCorrectionRow): CorrectionDto {
  return {
    id: row.id,
    sessionId: row.sessionId,
    userId: row.userId,
    userFullName: row.userFullName,
    requestedById: row.requestedById,
    workDate: row.workDate,
    originalCheckInAt: row.originalCheckInAt.toISOString(),
    originalCheckOutAt: iso(row.originalCheckOutAt),
    requestedCheckInAt: iso(row.requestedCheckInAt),
    requestedCheckOutAt: iso(row.requestedCheckOutAt),
    reason: row.reason,
    status: row.status,
    reviewerId: row.reviewerId,
    reviewerComment: row.reviewerComment,
    resolvedAt: iso(row.resolvedAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** `HH:MM` of minutes since midnight. */
export const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
