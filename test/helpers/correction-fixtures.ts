/**
 * Arranging closed attendance sessions, breaks and exceptions directly in SQL for the correction and exception
 * tests (the check-in/out endpoints are exercised by their own suites). Behaviour under test still goes
 * through the HTTP API.
 */
import { classify } from '../../src/modules/attendance/schedule.ts';
import type { TestApp } from './harness.ts';

export interface SessionSpec {
  userId: string;
  workDate: string;
  checkInAt: string;
  checkOutAt: string | null;
  status?: 'active' | 'completed' | 'incomplete' | 'corrected';
  shiftId?: string | null;
  /** The stored expected window; present = a scheduled day. */
  window?: { start: string; end: string } | null;
  isLate?: boolean;
  lateMinutes?: number;
  isEarlyCheckout?: boolean;
  earlyCheckoutMinutes?: number;
  earlyCheckoutReason?: string | null;
  afterShiftReason?: 'overtime' | 'forgot_checkout' | null;
  afterShiftNote?: string | null;
  afterShiftMinutes?: number;
  isOvertime?: boolean;
  autoClosedReason?: 'max_duration' | 'shift_ended' | 'account_suspended' | null;
  breakSeconds?: number;
}

/** A session row as check-in/check-out would have left it; durations and classification derived from the instants. */
export async function insertSession(app: TestApp, spec: SessionSpec): Promise<string> {
  const status = spec.status ?? (spec.checkOutAt ? 'completed' : 'active');
  const gross = spec.checkOutAt ? Math.floor((Date.parse(spec.checkOutAt) - Date.parse(spec.checkInAt)) / 1000) : null;
  const { rows } = await app.sql.query<{ id: string }>(
    `INSERT INTO attendance_sessions (user_id, work_date, check_in_at, check_out_at, work_mode, wfh_approved, status, shift_id,
       is_scheduled_day, expected_shift_start_at, expected_shift_end_at, is_late, late_minutes, is_early_checkout,
       early_checkout_minutes, early_checkout_reason, after_shift_reason, after_shift_note, after_shift_minutes, is_overtime,
       auto_closed_reason, gross_seconds, worked_seconds, break_seconds, classification)
     VALUES ($1, $2, $3, $4, 'office', NULL, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20, $21, $22)
     RETURNING id`,
    [
      spec.userId,
      spec.workDate,
      spec.checkInAt,
      spec.checkOutAt,
      status,
      spec.shiftId ?? null,
      Boolean(spec.window),
      spec.window?.start ?? null,
      spec.window?.end ?? null,
      spec.isLate ?? false,
      spec.lateMinutes ?? 0,
      spec.isEarlyCheckout ?? false,
      spec.earlyCheckoutMinutes ?? 0,
      spec.earlyCheckoutReason ?? null,
      spec.afterShiftReason ?? null,
      spec.afterShiftNote ?? null,
      spec.afterShiftMinutes ?? 0,
      spec.isOvertime ?? false,
      spec.autoClosedReason ?? null,
      gross,
      spec.breakSeconds ?? 0,
      gross === null ? 'active' : classify(gross),
    ],
  );
  return rows[0]!.id;
}

export async function insertBreak(app: TestApp, spec: { sessionId: string; userId: string; startedAt: string; endedAt: string }): Promise<string> {
  const duration = Math.floor((Date.parse(spec.endedAt) - Date.parse(spec.startedAt)) / 1000);
  const { rows } = await app.sql.query<{ id: string }>(
    `INSERT INTO attendance_breaks (session_id, user_id, break_type, is_paid, started_at, ended_at, duration_seconds, end_reason)
     VALUES ($1, $2, 'prayer', true, $3, $4, $5, 'manual') RETURNING id`,
    [spec.sessionId, spec.userId, spec.startedAt, spec.endedAt, duration],
  );
  return rows[0]!.id;
}

export async function insertException(
  app: TestApp,
  spec: {
    userId: string;
    workDate: string;
    type: 'late' | 'early' | 'overtime' | 'missing_checkout' | 'absent' | 'correction_request';
    sessionId?: string | null;
    status?: 'open' | 'resolved' | 'dismissed';
    detectedAt?: string;
    reason?: string | null;
  },
): Promise<string> {
  const severity = { late: 'medium', early: 'medium', overtime: 'low', missing_checkout: 'high', absent: 'high', correction_request: 'medium' }[spec.type];
  const status = spec.status ?? 'open';
  const detectedAt = spec.detectedAt ?? `${spec.workDate}T06:00:00.000Z`;
  const { rows } = await app.sql.query<{ id: string }>(
    `INSERT INTO attendance_exceptions (user_id, work_date, type, severity, status, session_id, detected_at, reason, resolved_at)
     VALUES ($1, $2, $3, $4, $5::varchar, $6, $7::timestamptz, $8, CASE WHEN $5::varchar = 'open' THEN NULL ELSE $7::timestamptz END) RETURNING id`,
    [spec.userId, spec.workDate, spec.type, severity, status, spec.sessionId ?? null, detectedAt, spec.reason ?? null],
  );
  return rows[0]!.id;
}
