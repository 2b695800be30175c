/** Day status of one user and work date (02 §4.5), from facts gathered by the caller. */
import { zonedInstant, addDays } from '../../lib/zoned-time.ts';
import { classify, expectedWindow, isShiftWorkingDay, type Classification, type ShiftRule } from './schedule.ts';

export type DayStatusValue = 'scheduled' | 'present' | 'wfh' | 'checked_out' | 'on_leave' | 'holiday' | 'off_day' | 'absent';

export interface DayFacts {
  workDate: string;
  now: Date;
  orgTimezone: string;
  shift: ShiftRule | null;
  holiday: { id: string; name: string } | null;
  /** An approved leave other than WFH covering the date (full or half day); the leave issue supplies it. */
  leaveCoversDay: boolean;
  sessions: readonly { workMode: 'office' | 'wfh'; status: string; workedSeconds: number | null }[];
}

export interface DayOutcome {
  dayStatus: DayStatusValue;
  isWorkingDay: boolean;
  /** Sum over closed sessions; null while a session of the date is active or when there is none. */
  dayClassification: Classification | null;
  /** The absence deadline: start + grace with a shift, else the end of the day in ORG_TIMEZONE. */
  deadline: Date;
}

export function evaluateDay(f: DayFacts): DayOutcome {
  const isWorkingDay = isShiftWorkingDay(f.workDate, f.shift) && f.holiday === null;
  const deadline =
    f.shift !== null
      ? new Date(expectedWindow(f.workDate, f.shift).start.getTime() + f.shift.graceMinutes * 60_000)
      : new Date(zonedInstant(addDays(f.workDate, 1), 0, f.orgTimezone).getTime() - 1);
  const anyActive = f.sessions.some((s) => s.status === 'active');
  const dayClassification =
    f.sessions.length === 0 || anyActive ? null : classify(f.sessions.reduce((sum, s) => sum + (s.workedSeconds ?? 0), 0));

  let dayStatus: DayStatusValue;
  if (f.sessions.length > 0) {
    dayStatus = f.sessions.some((s) => s.workMode === 'wfh') ? 'wfh' : anyActive ? 'present' : 'checked_out';
  } else if (f.holiday) {
    dayStatus = 'holiday';
  } else if (!isShiftWorkingDay(f.workDate, f.shift)) {
    dayStatus = 'off_day';
  } else if (f.leaveCoversDay) {
    dayStatus = 'on_leave';
  } else {
    dayStatus = f.now.getTime() <= deadline.getTime() ? 'scheduled' : 'absent';
  }
  return { dayStatus, isWorkingDay, dayClassification, deadline };
}
