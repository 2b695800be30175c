/**
 * The two seams of attendance into features that arrive with later issues. Each is called in the same transaction
 * as the attendance change that triggers it, so when the feature lands, a failure there rolls the change back
 * (02 §4.10: never swallowed).
 *
 * - Task timers (03 time logs, 02 §4.10): break start pauses a running timer (`break_started`), break end resumes
 *   it, check-out and auto-close pause (`attendance_checkout`), check-in resumes the last `attendance_checkout` pause.
 * - The `missing_checkout` alert (04 §4.4) raised by auto-close together with the exception.
 *
 * There is no timer or alert table yet, so these do nothing today.
 */
import type { Queryable } from '../../db/pool.ts';

export type TimerCouplingEvent = 'check_in' | 'break_started' | 'break_ended' | 'check_out' | 'auto_close';

export async function coupleTaskTimer(_tx: Queryable, _userId: string, _event: TimerCouplingEvent, _now: Date): Promise<void> {}

export async function raiseMissingCheckoutAlert(
  _tx: Queryable,
  _input: { userId: string; sessionId: string; workDate: string; now: Date },
): Promise<void> {}
