/**
 * Demo attendance history for the seeded organization (`npm run seed -- --days N`, 05 §2; issue "Attendance"):
 * shifts (a default day shift, an overnight shift and an early rota), two holidays inside the window, and for every
 * active demo user and every past work date of the window (today excluded) a `daily_stats` row plus whatever the API
 * would have left behind that day: sessions with realistic check-in / check-out times, breaks, WFH days, late / early
 * / overtime flags and exceptions, absences, auto-closed (`incomplete`) sessions with `missing_checkout` exceptions,
 * and corrections in every state (approved ones rewrite the session to `corrected`, 02 §4.8), each with its
 * `correction_request` exception handled as 02 §4.7 says. Synthetic data only; no audit rows, no events.
 *
 * Every value comes from the pure rules (schedule.ts, day-status.ts, zoned-time.ts) applied to a deterministic plan:
 * a seeded PRNG per (user email, work date), so the same user and date always get the same day whatever the batch or
 * the organization size. Rows are inserted set-based (`sql.unnest`, a few thousand rows per statement), one
 * transaction per batch of users, two batches in flight.
 *
 * Idempotency: a (user, work date) that already has a `daily_stats` row, a session or an exception is skipped —
 * `daily_stats` is written with every attendance change the API makes, so it is the "this day is recorded" marker;
 * its insert is `ON CONFLICT DO NOTHING` and a batch that loses a race is rolled back whole. Shifts are matched by
 * name, holidays by name, shift assignments are made only to users without one, and demo users created after the
 * window's first day are back-dated to it (the absence rule only applies from a user's creation date, 02 §4.7).
 */
import { randomUUID } from 'node:crypto';
import { sql, type IdentifierSqlToken, type PrimitiveValueExpression } from 'slonik';
import { z } from 'zod';
import { CHAIN_SCOPE_ROLES, SUPER_ROLE, type Role } from '../auth/permissions.ts';
import type { AttendanceSettings } from '../config.ts';
import type { Db, Queryable } from '../db/pool.ts';
import { NoRows } from '../db/sql.ts';
import { addDays, daysBetween, isoWeekdayOf, localParts, todayIn, zonedInstant } from '../lib/zoned-time.ts';
import { evaluateDay, type DayStatusValue } from '../modules/attendance/day-status.ts';
import { EXCEPTION_SEVERITY, type ExceptionType } from '../modules/attendance/exceptions-writer.ts';
import {
  autoCloseCheckOutAt,
  autoClosePlan,
  checkoutFlagsFor,
  checkoutTiming,
  classify,
  expectedWindow,
  isScheduledDay,
  isShiftWorkingDay,
  lateness,
  NO_CHECKOUT_FLAGS,
  workDateOf,
  type CheckoutFlags,
  type Classification,
  type ShiftRule,
  type Window,
} from '../modules/attendance/schedule.ts';
import { DEMO_EMAIL_DOMAIN } from './organization.ts';

export const DEFAULT_SEED_DAYS = 60;
export const MIN_SEED_DAYS = 1;
export const MAX_SEED_DAYS = 120;

/** The defaults of 02 §1.1, for callers without a loaded configuration. */
export const DEFAULT_ATTENDANCE_SETTINGS: AttendanceSettings = {
  maxActiveHours: 16,
  autoCloseGraceMinutes: 60,
  shiftPostEndGraceHours: 4,
  maxSessionsPerDay: 10,
  maxBreaksPerSession: 20,
  breakAllowanceMinutes: 60,
  unpaidBreakTypes: new Set(),
  correctionWindowDays: 30,
};

interface SeedShift {
  name: string;
  description: string;
  start: string;
  end: string;
  grace: number;
  workingDays: number[];
  isDefault: boolean;
  /** Which demo users get it assigned: the numbered team leads / individual contributors with `n % 40 === assignRemainder`. */
  assignRemainder: number | null;
}

export const SEED_SHIFTS: readonly SeedShift[] = [
  { name: 'Day 09:00–17:00', description: 'Standard office hours; the default shift.', start: '09:00', end: '17:00', grace: 15, workingDays: [1, 2, 3, 4, 5], isDefault: true, assignRemainder: null },
  { name: 'Night 22:00–06:00', description: 'Overnight support rota.', start: '22:00', end: '06:00', grace: 15, workingDays: [1, 2, 3, 4, 5], isDefault: false, assignRemainder: 2 },
  { name: 'Early 07:00–15:00', description: 'Early rota, Monday to Saturday.', start: '07:00', end: '15:00', grace: 10, workingDays: [1, 2, 3, 4, 5, 6], isDefault: false, assignRemainder: 7 },
];

/** One-off holidays placed at about a third and two thirds of the window (moved to the next weekday). */
export const SEED_HOLIDAYS = [
  { name: "Founders' Day", description: 'Office closed (demo holiday).', at: 0.35 },
  { name: 'Community Service Day', description: 'Office closed (demo holiday).', at: 0.7 },
] as const;

const CORRECTION_STATUSES = ['pending', 'needs_clarification', 'approved', 'rejected', 'cancelled'] as const;
type CorrectionStatus = (typeof CORRECTION_STATUSES)[number];
type BreakType = 'dinner' | 'prayer' | 'other';

export interface AttendanceSeedOptions {
  /** Past work dates to fill: today − days … today − 1 (today is excluded). */
  days: number;
  now: Date;
  orgTimezone: string;
  /** 02 §1.1 settings (config.attendance); the spec defaults when omitted. */
  attendance?: AttendanceSettings;
  /** Users per transaction (default 200). */
  batchSize?: number;
}

export interface AttendanceSeedResult {
  window: { from: string; to: string };
  shiftsCreated: number;
  shiftAssignments: number;
  holidaysCreated: number;
  usersBackdated: number;
  /** Active demo users considered. */
  users: number;
  /** `daily_stats` rows written, i.e. (user, work date) pairs recorded by this run. */
  days: number;
  sessions: number;
  breaks: number;
  exceptions: number;
  corrections: Record<CorrectionStatus, number>;
}

// --- Deterministic randomness -------------------------------------------------------------------------------------

type Rng = () => number;

/** cyrb128: four 32-bit seeds from a string. */
function seedOf(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

/** sfc32: a small, fast PRNG with a 128-bit state; values in [0, 1). */
function rngFor(key: string): Rng {
  let [a, b, c, d] = seedOf(key);
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

const between = (rng: Rng, lo: number, hi: number) => lo + rng() * (hi - lo);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** The auto-close job runs every few minutes (ATTENDANCE_AUTO_CLOSE_INTERVAL_SECONDS, default 300). */
const JOB_LAG = 5 * MINUTE;

// --- Texts ----------------------------------------------------------------------------------------------------------

const SHORT_EARLY_REASONS = ['Leaving a few minutes early to catch the bus', 'School pickup today', 'Stepping out early for an errand', 'Traffic warning on my route home'];
const LONG_EARLY_REASONS = ['Medical appointment', 'Family emergency at home', 'Feeling unwell, going home early', 'Bank appointment before it closes', 'Visa office appointment'];
const SPLIT_EARLY_REASONS = ["Doctor's appointment; back in the afternoon", 'Parent-teacher meeting; back after lunch', 'Car service drop-off; back in two hours'];
const OVERTIME_NOTES = ['Finishing the release checklist', 'Customer escalation ran late', 'Month-end close', 'Covering for a colleague', 'Wrapped up the handover notes', 'Production incident follow-up'];
const FORGOT_NOTES = ['Forgot to check out on time', 'Checked out a few minutes late', 'Was in a meeting at shift end', 'Finished a call before checking out'];
const OTHER_BREAK_NOTES = ['Coffee with the team', 'Personal call', 'Picked up a parcel', 'Quick walk outside', 'Pharmacy run'];
const LATE_CORRECTION_REASONS = ['The badge reader did not register my arrival', 'The app crashed when I checked in; I was at my desk on time', 'Checked in late by mistake; I arrived before the shift start'];
const CHECKOUT_CORRECTION_REASONS = ['I stayed later than recorded; the app froze at check-out', 'Checked out too early by mistake; I kept working until later'];
const ABSENT_RESOLUTIONS = ['Sick day confirmed by phone; leave request to follow', 'Worked from a client site; confirmed with the team'];
const ABSENT_DISMISSALS = ['Agreed day off with the manager', 'Public transport strike; excused'];
const FLAG_RESOLUTIONS: Record<'late' | 'early' | 'overtime', string[]> = {
  late: ['Discussed in the weekly 1:1', 'Known traffic disruption that morning'],
  early: ['Reason accepted', 'Agreed in advance with the team lead'],
  overtime: ['Overtime approved for the release', 'Overtime noted for the timesheet'],
};
const CLARIFICATION_COMMENTS = ['Can you share the time you actually left?', 'Please add who you were working with at that time.', 'Which door did you badge in at?'];
const REJECTION_COMMENTS = ['The badge logs show the recorded time', 'No record of work after the recorded check-out', 'Please file this with supporting details'];
const APPROVAL_COMMENTS = ['Confirmed with the badge logs', 'Confirmed by the team lead', null];

// --- Loaded context -------------------------------------------------------------------------------------------------

const ShiftRow = z.object({
  id: z.string(),
  name: z.string(),
  startMinutes: z.number(),
  endMinutes: z.number(),
  timezone: z.string(),
  graceMinutes: z.number(),
  workingDays: z.array(z.number()),
  isActive: z.boolean(),
  isDefault: z.boolean(),
});
type NamedShift = ShiftRule & { name: string };

const UserRow = z.object({
  id: z.string(),
  email: z.string(),
  role: z.string(),
  status: z.string(),
  managerId: z.string().nullable(),
  shiftId: z.string().nullable(),
  createdDate: z.string(),
});
type UserRow = z.infer<typeof UserRow>;

const HolidayRow = z.object({ id: z.string(), holidayDate: z.string() });
const GrantRow = z.object({ role: z.string(), permissionKey: z.string() });
const OverrideRow = z.object({ userId: z.string(), permissionKey: z.string(), granted: z.boolean() });
const LeaveRow = z.object({ userId: z.string(), leaveType: z.string(), startDate: z.string(), endDate: z.string() });
type LeaveRow = z.infer<typeof LeaveRow>;
const RecordedDay = z.object({ userId: z.string(), workDate: z.string() });
const Count = z.object({ count: z.number() });

const KEYS = {
  approve: 'attendance.approve_correction',
  org: 'attendance.view_org',
  team: 'attendance.view_team',
  manage: 'attendance.manage_exceptions',
} as const;

interface Context {
  now: number;
  today: string;
  windowFrom: string;
  orgTimezone: string;
  settings: AttendanceSettings;
  holidays: Map<string, string>;
  /** Approved leave per user, ordered as leave-coverage.ts reports it (full day before half day, oldest first). */
  leaves: Map<string, LeaveRow[]>;
  shiftOf: (user: UserRow) => NamedShift | null;
  approverOf: (ownerId: string) => string | null;
  resolverOf: (ownerId: string) => string | null;
  windowOf: (shift: NamedShift, date: string) => Window;
  /** Local midnight of a date (cached: most recorded days without a session need only this instant). */
  dayStartOf: (date: string, tz: string) => number;
  dayOutcome: (shift: NamedShift | null, date: string, holiday: boolean, leave: boolean, sessions: 'none' | 'office' | 'wfh') => { dayStatus: DayStatusValue; isWorkingDay: boolean };
}

// --- The plan -------------------------------------------------------------------------------------------------------

interface BreakPlan {
  id: string;
  sessionId: string;
  userId: string;
  breakType: BreakType;
  note: string | null;
  isPaid: boolean;
  startedAt: number;
  endedAt: number | null;
  endReason: 'manual' | 'check_out' | 'auto_close' | null;
}

interface SessionPlan extends CheckoutFlags {
  id: string;
  userId: string;
  workDate: string;
  checkInAt: number;
  checkOutAt: number;
  workMode: 'office' | 'wfh';
  wfhApproved: boolean | null;
  status: 'completed' | 'incomplete' | 'corrected';
  shiftId: string | null;
  window: Window | null;
  graceMinutes: number;
  isLate: boolean;
  lateMinutes: number;
  autoClosedReason: 'max_duration' | 'shift_ended' | null;
  grossSeconds: number;
  workedSeconds: number;
  breakSeconds: number;
  unpaidBreakSeconds: number;
  dinnerBreakSeconds: number;
  prayerBreakSeconds: number;
  otherBreakSeconds: number;
  classification: Classification;
  isCorrected: boolean;
  updatedAt: number;
  breaks: BreakPlan[];
}

interface ExceptionPlan {
  id: string;
  userId: string;
  workDate: string;
  type: ExceptionType;
  status: 'open' | 'resolved' | 'dismissed';
  sessionId: string | null;
  correctionId: string | null;
  detectedAt: number;
  reason: string | null;
  resolutionNote: string | null;
  resolvedById: string | null;
  resolvedAt: number | null;
}

interface CorrectionPlan {
  id: string;
  sessionId: string;
  userId: string;
  originalCheckInAt: number;
  originalCheckOutAt: number;
  requestedCheckInAt: number | null;
  requestedCheckOutAt: number | null;
  reason: string;
  status: CorrectionStatus;
  reviewerId: string | null;
  reviewerComment: string | null;
  resolvedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

interface StatsPlan {
  userId: string;
  workDate: string;
  sessionCount: number;
  workedSeconds: number;
  breakSeconds: number;
  firstCheckInAt: number | null;
  lastCheckOutAt: number | null;
  isLate: boolean;
  isEarlyCheckout: boolean;
  isOvertime: boolean;
  isWfh: boolean;
  isAbsent: boolean;
  isHoliday: boolean;
  isWorkingDay: boolean;
  leaveType: string | null;
  dayStatus: DayStatusValue;
  dayClassification: Classification | null;
  at: number;
}

interface BatchPlan {
  sessions: SessionPlan[];
  breaks: BreakPlan[];
  exceptions: ExceptionPlan[];
  corrections: CorrectionPlan[];
  stats: StatsPlan[];
}

/** A day whose correction state is fixed, so every state exists whatever the size (the demo employee's last days). */
interface ForcedDay {
  status: CorrectionStatus;
  kind: CorrectionKind;
}
type CorrectionKind = 'missing_checkout' | 'late_checkin' | 'checkout_later';

const SHOWCASE: readonly ForcedDay[] = [
  { status: 'pending', kind: 'missing_checkout' },
  { status: 'needs_clarification', kind: 'late_checkin' },
  { status: 'approved', kind: 'missing_checkout' },
  { status: 'rejected', kind: 'checkout_later' },
  { status: 'cancelled', kind: 'late_checkin' },
];
const SHOWCASE_EMAIL = `employee1@${DEMO_EMAIL_DOMAIN}`;

interface Traits {
  lateRate: number;
  wfhRate: number;
  absentRate: number;
  overtimeRate: number;
  breakiness: number;
}

function traitsOf(email: string): Traits {
  const rng = rngFor(`traits|${email}`);
  return {
    lateRate: between(rng, 0.03, 0.2),
    wfhRate: rng() < 0.35 ? 0 : between(rng, 0.05, 0.35),
    absentRate: between(rng, 0.01, 0.05),
    overtimeRate: between(rng, 0.03, 0.15),
    breakiness: rng(),
  };
}

const localTime = (at: number, tz: string) => {
  const minutes = localParts(new Date(at), tz).minutes;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
};

function newSession(user: UserRow, date: string, shift: NamedShift | null, window: Window | null, checkInAt: number, workMode: 'office' | 'wfh', wfhApproved: boolean): SessionPlan {
  return {
    id: randomUUID(),
    userId: user.id,
    workDate: date,
    checkInAt,
    checkOutAt: checkInAt,
    workMode,
    wfhApproved: workMode === 'wfh' ? wfhApproved : null,
    status: 'completed',
    shiftId: shift?.id ?? null,
    window,
    graceMinutes: shift?.graceMinutes ?? 0,
    isLate: false,
    lateMinutes: 0,
    ...NO_CHECKOUT_FLAGS,
    autoClosedReason: null,
    grossSeconds: 0,
    workedSeconds: 0,
    breakSeconds: 0,
    unpaidBreakSeconds: 0,
    dinnerBreakSeconds: 0,
    prayerBreakSeconds: 0,
    otherBreakSeconds: 0,
    classification: 'full_leave',
    isCorrected: false,
    updatedAt: checkInAt,
    breaks: [],
  };
}

const durationOf = (b: BreakPlan) => Math.floor((b.endedAt! - b.startedAt) / SECOND);

/** 02 §4.4: break totals, gross and worked seconds and the classification of a closed session. */
function computeDurations(s: SessionPlan): void {
  s.breakSeconds = s.unpaidBreakSeconds = s.dinnerBreakSeconds = s.prayerBreakSeconds = s.otherBreakSeconds = 0;
  for (const b of s.breaks) {
    const d = durationOf(b);
    s.breakSeconds += d;
    if (!b.isPaid) s.unpaidBreakSeconds += d;
    if (b.breakType === 'dinner') s.dinnerBreakSeconds += d;
    else if (b.breakType === 'prayer') s.prayerBreakSeconds += d;
    else s.otherBreakSeconds += d;
  }
  s.grossSeconds = Math.floor((s.checkOutAt - s.checkInAt) / SECOND);
  s.workedSeconds = Math.max(0, s.grossSeconds - s.unpaidBreakSeconds);
  s.classification = classify(s.workedSeconds);
}

/**
 * Up to `count` closed breaks inside [from, until], in order, at least 30 minutes apart; each starts and ends
 * strictly inside the interval (02 §4.4: a break never outlives its session).
 */
function placeBreaks(rng: Rng, ctx: Context, session: SessionPlan, from: number, until: number, count: number): BreakPlan[] {
  const breaks: BreakPlan[] = [];
  let cursor = from;
  for (let i = 0; i < count; i++) {
    const type: BreakType = pick(rng, ['dinner', 'prayer', 'prayer', 'other'] as const);
    const minutes = type === 'dinner' ? between(rng, 20, 50) : type === 'prayer' ? between(rng, 8, 20) : between(rng, 5, 25);
    const room = until - cursor - 10 * MINUTE;
    const gap = between(rng, 30 * MINUTE, Math.max(30 * MINUTE, room / (count - i + 1)));
    const startedAt = Math.floor(cursor + gap);
    const endedAt = Math.floor(startedAt + minutes * MINUTE + rng() * MINUTE);
    if (endedAt > until - 5 * MINUTE) break;
    breaks.push({
      id: randomUUID(),
      sessionId: session.id,
      userId: session.userId,
      breakType: type,
      note: type === 'other' ? pick(rng, OTHER_BREAK_NOTES) : type === 'prayer' && rng() < 0.3 ? 'Prayer room, 2nd floor' : null,
      isPaid: !ctx.settings.unpaidBreakTypes.has(type),
      startedAt,
      endedAt,
      endReason: 'manual',
    });
    cursor = endedAt;
  }
  return breaks;
}

/** The check-in of a scheduled day relative to the window start S (some early, most on time, some late). */
function chooseCheckIn(rng: Rng, window: Window, grace: number, traits: Traits, forceLate: boolean): number {
  const start = window.start.getTime();
  const u = rng();
  let offset: number;
  if (forceLate || u < traits.lateRate * 0.8) offset = (grace + between(rng, 1, 40)) * MINUTE;
  else if (u < traits.lateRate) offset = between(rng, 60, 150) * MINUTE;
  else if (u < traits.lateRate + 0.25) offset = -between(rng, 5, 45) * MINUTE;
  else offset = between(rng, -5, grace) * MINUTE;
  return Math.floor(start + offset);
}

type EndIntent = 'overtime' | 'forgot';

/** The user's check-out relative to the window end E, strictly before the session would be auto-closed. */
function chooseCheckOut(rng: Rng, ctx: Context, window: Window, checkInAt: number, traits: Traits, kind: 'normal' | 'short_early'): { at: number; intent: EndIntent } {
  const end = window.end.getTime();
  const v = rng();
  let at: number;
  let intent: EndIntent = 'forgot';
  // Almost every check-out needs a reason (02 §4.3: before E early, after E after-shift); most land just after E.
  const afterSmall = 0.68;
  const overtime = afterSmall + traits.overtimeRate;
  const earlySmall = overtime + 0.12;
  const earlyLong = earlySmall + 0.05;
  if (kind === 'short_early') at = end - between(rng, 5, 25) * MINUTE;
  else if (v < 0.03) return { at: Math.max(end, checkInAt + 30 * MINUTE), intent };
  else if (v < afterSmall) {
    at = end + between(rng, 1, 20) * MINUTE;
    intent = rng() < 0.05 ? 'overtime' : 'forgot';
  } else if (v < overtime) {
    at = end + between(rng, 25, 58) * MINUTE;
    intent = 'overtime';
  } else if (v < earlySmall) at = end - between(rng, 1, 20) * MINUTE;
  else if (v < earlyLong) at = end - between(rng, 60, 180) * MINUTE;
  else at = end + between(rng, 20, 50) * MINUTE;
  at = Math.floor(at);
  // 02 §4.6: from min(cap, E + grace) on the session is stale and only the auto-close can end it.
  const due = autoClosePlan(new Date(checkInAt), window.end, ctx.settings.maxActiveHours, ctx.settings.autoCloseGraceMinutes).dueAt.getTime();
  if (at >= due - MINUTE) at = Math.floor(due - between(rng, 1.5, 5) * MINUTE);
  if (at < checkInAt + 30 * MINUTE) at = Math.floor(checkInAt + between(rng, 30, 60) * MINUTE);
  return { at, intent };
}

/** 02 §4.3: the flags of a check-out at `at`, with the reason / note the client had to send for them. */
function applyCheckOut(rng: Rng, s: SessionPlan, at: number, intent: EndIntent, earlyReason?: string): void {
  s.checkOutAt = at;
  s.updatedAt = at;
  const timing = checkoutTiming(new Date(at), s.window);
  if (timing.kind === 'early') {
    s.isEarlyCheckout = true;
    s.earlyCheckoutMinutes = timing.minutes;
    s.earlyCheckoutReason = earlyReason ?? pick(rng, timing.minutes <= 30 ? SHORT_EARLY_REASONS : LONG_EARLY_REASONS);
  } else if (timing.kind === 'after') {
    s.afterShiftReason = intent === 'overtime' ? 'overtime' : 'forgot_checkout';
    s.afterShiftNote = pick(rng, intent === 'overtime' ? OVERTIME_NOTES : FORGOT_NOTES);
    s.afterShiftMinutes = timing.minutes;
    s.isOvertime = intent === 'overtime';
  }
  computeDurations(s);
}

function exception(user: UserRow, date: string, type: ExceptionType, detectedAt: number, reason: string | null, refs: { sessionId?: string; correctionId?: string } = {}): ExceptionPlan {
  return {
    id: randomUUID(),
    userId: user.id,
    workDate: date,
    type,
    status: 'open',
    sessionId: refs.sessionId ?? null,
    correctionId: refs.correctionId ?? null,
    detectedAt,
    reason: reason?.slice(0, 1000) ?? null,
    resolutionNote: null,
    resolvedById: null,
    resolvedAt: null,
  };
}

/** 02 §4.7 system resolution: no resolver, a note starting `auto:`. */
function closeAsSystem(e: ExceptionPlan, status: 'resolved' | 'dismissed', note: string, at: number): void {
  if (e.status !== 'open') return;
  e.status = status;
  e.resolutionNote = note;
  e.resolvedById = null;
  e.resolvedAt = at;
}

interface DayPlan {
  sessions: SessionPlan[];
  exceptions: ExceptionPlan[];
  corrections: CorrectionPlan[];
  stats: StatsPlan;
}

interface PlanUser {
  row: UserRow;
  shift: NamedShift | null;
  traits: Traits;
  forced: Map<string, ForcedDay>;
}

function coveringLeave(ctx: Context, userId: string, date: string, wfh: boolean): LeaveRow | null {
  for (const leave of ctx.leaves.get(userId) ?? []) {
    if ((leave.leaveType === 'wfh') === wfh && leave.startDate <= date && leave.endDate >= date) return leave;
  }
  return null;
}

/**
 * A correction filed by the owner on a closed single-session day, checked against 02 §4.8 at filing, then decided
 * (approval rewrites the session as `corrected` against its stored window and closes what it supersedes, §4.7).
 * @returns null when the request would break a rule (then nothing is filed).
 */
function fileCorrection(rng: Rng, ctx: Context, user: PlanUser, s: SessionPlan, closedAt: number, kind: CorrectionKind, status: CorrectionStatus, exceptions: ExceptionPlan[]): CorrectionPlan | null {
  const window = s.window;
  let requestedIn: number | null = null;
  let requestedOut: number | null = null;
  let reason: string;
  const tz = user.shift?.timezone ?? ctx.orgTimezone;
  if (kind === 'missing_checkout') {
    if (!window) return null;
    requestedOut = Math.floor(window.end.getTime() + between(rng, 3, 40) * MINUTE);
    reason = `Forgot to check out; I left at ${localTime(requestedOut, tz)}`;
  } else if (kind === 'late_checkin') {
    if (!window) return null;
    requestedIn = Math.floor(window.start.getTime() + rng() * s.graceMinutes * MINUTE);
    reason = `${pick(rng, LATE_CORRECTION_REASONS)} (arrived ${localTime(requestedIn, tz)})`;
  } else {
    requestedOut = Math.floor(s.checkOutAt + between(rng, 10, 35) * MINUTE);
    reason = pick(rng, CHECKOUT_CORRECTION_REASONS);
  }
  const newIn = requestedIn ?? s.checkInAt;
  const newOut = requestedOut ?? s.checkOutAt;
  const filedAt = Math.floor(Math.min(Math.max(s.checkOutAt, closedAt) + between(rng, 1, 30) * HOUR, ctx.now - 2 * MINUTE));
  if (filedAt <= closedAt || filedAt <= s.checkOutAt) return null;
  // 02 §4.8 at filing time.
  if (newIn >= newOut || newOut - newIn > ctx.settings.maxActiveHours * HOUR || newOut > filedAt + MINUTE) return null;
  if (newIn === s.checkInAt && newOut === s.checkOutAt) return null;
  if (requestedIn !== null && workDateOf(new Date(requestedIn), user.shift, ctx.orgTimezone, ctx.settings.shiftPostEndGraceHours) !== s.workDate) return null;
  if (daysBetween(addDays(todayIn(new Date(filedAt), ctx.orgTimezone), -ctx.settings.correctionWindowDays), s.workDate) < 0) return null;
  if (s.breaks.some((b) => b.startedAt < newIn || (b.endedAt ?? b.startedAt) > newOut)) return null;

  const reviewerId = ctx.approverOf(user.row.id);
  const decided = status !== 'pending' && status !== 'cancelled';
  if (decided && !reviewerId) status = 'pending';
  let decidedAt = Math.floor(filedAt + between(rng, 0.5, 40) * HOUR);
  if (decidedAt > ctx.now - MINUTE) decidedAt = Math.floor(filedAt + (ctx.now - filedAt) / 2);
  const correction: CorrectionPlan = {
    id: randomUUID(),
    sessionId: s.id,
    userId: user.row.id,
    originalCheckInAt: s.checkInAt,
    originalCheckOutAt: s.checkOutAt,
    requestedCheckInAt: requestedIn,
    requestedCheckOutAt: requestedOut,
    reason,
    status,
    reviewerId: null,
    reviewerComment: null,
    resolvedAt: null,
    createdAt: filedAt,
    updatedAt: filedAt,
  };
  const request = exception(user.row, s.workDate, 'correction_request', filedAt, reason, { sessionId: s.id, correctionId: correction.id });
  exceptions.push(request);
  if (status === 'pending') return correction;
  correction.updatedAt = decidedAt;
  if (status === 'cancelled') {
    correction.resolvedAt = decidedAt;
  } else {
    correction.reviewerId = reviewerId;
    correction.reviewerComment =
      status === 'needs_clarification' ? pick(rng, CLARIFICATION_COMMENTS) : status === 'rejected' ? pick(rng, REJECTION_COMMENTS) : pick(rng, APPROVAL_COMMENTS);
    if (status !== 'needs_clarification') correction.resolvedAt = decidedAt;
  }
  if (status === 'approved') approve(s, newIn, newOut, decidedAt, exceptions);
  if (correction.resolvedAt !== null) closeAsSystem(request, 'resolved', `auto: correction ${status}`, decidedAt);
  return correction;
}

/** 02 §4.8 approval: the session rewritten against its stored window and shift; superseded exceptions closed (§4.7). */
function approve(s: SessionPlan, checkInAt: number, checkOutAt: number, at: number, exceptions: ExceptionPlan[]): void {
  // Corrections are only filed on single-session days, so this session is the day's first.
  const late = lateness(new Date(checkInAt), s.window, s.graceMinutes, true);
  const timing = checkoutTiming(new Date(checkOutAt), s.window);
  s.checkInAt = checkInAt;
  s.checkOutAt = checkOutAt;
  s.isLate = late.isLate;
  s.lateMinutes = late.lateMinutes;
  Object.assign(s, checkoutFlagsFor(timing, s));
  s.status = 'corrected';
  s.isCorrected = true;
  s.updatedAt = at;
  computeDurations(s);
  for (const e of exceptions) {
    if ((e.type === 'late' && !s.isLate) || (e.type === 'early' && !s.isEarlyCheckout) || (e.type === 'overtime' && !s.isOvertime)) {
      closeAsSystem(e, 'resolved', 'auto: correction approved', at);
    }
    if (e.type === 'missing_checkout' && e.sessionId === s.id) closeAsSystem(e, 'resolved', 'auto: correction approved', at);
  }
}

/**
 * One user's work date as the API would have recorded it.
 * @returns null when part of the day would lie after `now` (the date is left for a later run).
 */
function planDay(ctx: Context, user: PlanUser, date: string): DayPlan | null {
  const rng = rngFor(`${user.row.email}|${date}`);
  const { shift, traits } = user;
  const holiday = ctx.holidays.has(date);
  const leave = coveringLeave(ctx, user.row.id, date, false);
  const wfhLeave = coveringLeave(ctx, user.row.id, date, true) !== null;
  const scheduled = isScheduledDay(date, shift, holiday);
  const window = scheduled ? ctx.windowOf(shift, date) : null;
  const forced = user.forced.get(date);
  const sessions: SessionPlan[] = [];
  const exceptions: ExceptionPlan[] = [];
  const corrections: CorrectionPlan[] = [];
  let closedAt = 0;
  let dayAt: number;
  const expectedDay = !holiday && isShiftWorkingDay(date, shift);
  const tz = shift?.timezone ?? ctx.orgTimezone;
  const deadline = shift ? ctx.windowOf(shift, date).start.getTime() + shift.graceMinutes * MINUTE : zonedInstant(addDays(date, 1), 0, ctx.orgTimezone).getTime() - 1;
  const workMode = (): 'office' | 'wfh' => (wfhLeave || rng() < traits.wfhRate ? 'wfh' : 'office');

  if (expectedDay && leave && !forced) {
    dayAt = ctx.dayStartOf(date, tz);
  } else if (expectedDay && !forced && rng() < traits.absentRate) {
    // No check-in: the job finds the day absent shortly after the deadline (02 §4.7).
    const detectedAt = Math.floor(deadline + rng() * JOB_LAG);
    exceptions.push(exception(user.row, date, 'absent', detectedAt, `No check-in on ${date}`));
    dayAt = detectedAt;
  } else if (window && shift) {
    const mode = workMode();
    const checkIn = chooseCheckIn(rng, window, shift.graceMinutes, traits, forced?.kind === 'late_checkin');
    const split = !forced && rng() < 0.03 && checkIn < window.start.getTime() + 90 * MINUTE;
    const incomplete = forced ? forced.kind === 'missing_checkout' : !split && rng() < 0.015;
    const first = newSession(user.row, date, shift, window, checkIn, mode, wfhLeave);
    Object.assign(first, lateness(new Date(checkIn), window, shift.graceMinutes, true));
    sessions.push(first);
    const breakCount = rng() < 0.3 + traits.breakiness * 0.2 ? 0 : rng() < 0.7 ? 1 : 2;
    if (incomplete) {
      const end = window.end.getTime();
      first.breaks = placeBreaks(rng, ctx, first, checkIn, end, breakCount);
      const open = first.breaks.length > 0 && rng() < 0.3 ? first.breaks[first.breaks.length - 1]! : null;
      if (open) open.endedAt = open.endReason = null;
      const latest = first.breaks.reduce<number | null>((max, b) => Math.max(max ?? 0, b.startedAt, b.endedAt ?? 0), null);
      const plan = autoClosePlan(new Date(checkIn), window.end, ctx.settings.maxActiveHours, ctx.settings.autoCloseGraceMinutes);
      const checkOut = autoCloseCheckOutAt(plan, new Date(checkIn), window.end, latest === null ? null : new Date(latest)).getTime();
      if (open) {
        open.endedAt = checkOut;
        open.endReason = 'auto_close';
      }
      closedAt = Math.floor(plan.dueAt.getTime() + rng() * JOB_LAG);
      first.checkOutAt = checkOut;
      first.status = 'incomplete';
      first.autoClosedReason = plan.reason;
      first.updatedAt = closedAt;
      computeDurations(first);
      const text = plan.reason === 'max_duration' ? `auto: no check-out; closed after ${ctx.settings.maxActiveHours} h` : 'auto: no check-out; closed after the shift end';
      exceptions.push(exception(user.row, date, 'missing_checkout', closedAt, text, { sessionId: first.id }));
    } else if (split) {
      const out = Math.floor(window.start.getTime() + between(rng, 180, 240) * MINUTE);
      first.breaks = placeBreaks(rng, ctx, first, checkIn, out, Math.min(breakCount, 1));
      applyCheckOut(rng, first, out, 'forgot', pick(rng, SPLIT_EARLY_REASONS));
      const secondIn = Math.floor(out + between(rng, 40, 100) * MINUTE);
      const second = newSession(user.row, date, shift, window, secondIn, workMode(), wfhLeave);
      Object.assign(second, lateness(new Date(secondIn), window, shift.graceMinutes, false));
      const { at, intent } = chooseCheckOut(rng, ctx, window, secondIn, traits, 'normal');
      second.breaks = placeBreaks(rng, ctx, second, secondIn, at, breakCount > 1 ? 1 : 0);
      applyCheckOut(rng, second, at, intent);
      sessions.push(second);
    } else {
      const { at, intent } = chooseCheckOut(rng, ctx, window, checkIn, traits, forced?.kind === 'checkout_later' ? 'short_early' : 'normal');
      first.breaks = placeBreaks(rng, ctx, first, checkIn, at, breakCount);
      if (first.breaks.length > 0 && rng() < 0.05) {
        // A break still open at check-out ends with it (02 §3.1).
        const last = first.breaks[first.breaks.length - 1]!;
        last.endedAt = at;
        last.endReason = 'check_out';
      }
      applyCheckOut(rng, first, at, intent);
    }
    // The job raised `absent` if it ran between the deadline and a very late first check-in; the check-in resolved it.
    const absentAt = Math.floor(deadline + rng() * JOB_LAG);
    if (absentAt > deadline && absentAt < checkIn) {
      const absent = exception(user.row, date, 'absent', absentAt, `No check-in on ${date}`);
      closeAsSystem(absent, 'resolved', 'auto: checked in', checkIn);
      exceptions.push(absent);
    }
    if (first.isLate) exceptions.push(exception(user.row, date, 'late', checkIn, `Checked in ${first.lateMinutes} min after the shift start`, { sessionId: first.id }));
    const early = sessions.find((s) => s.isEarlyCheckout);
    if (early) exceptions.push(exception(user.row, date, 'early', early.checkOutAt, early.earlyCheckoutReason, { sessionId: early.id }));
    const overtime = sessions.find((s) => s.isOvertime);
    if (overtime) exceptions.push(exception(user.row, date, 'overtime', overtime.checkOutAt, overtime.afterShiftNote, { sessionId: overtime.id }));

    const inWindow = daysBetween(date, ctx.today) <= ctx.settings.correctionWindowDays;
    if (sessions.length === 1 && inWindow) {
      let kind: CorrectionKind | null = forced?.kind ?? null;
      let status: CorrectionStatus | null = forced?.status ?? null;
      if (!forced) {
        if (first.status === 'incomplete' && rng() < 0.7) kind = 'missing_checkout';
        else if (first.isLate && first.lateMinutes < 60 && rng() < 0.08) kind = 'late_checkin';
        else if (first.isEarlyCheckout && first.earlyCheckoutMinutes < 30 && rng() < 0.03) kind = 'checkout_later';
        const recent = daysBetween(date, ctx.today) <= 3;
        const u = rng();
        const odds = recent ? [0.45, 0.6, 0.85, 0.95] : [0.1, 0.15, 0.7, 0.9];
        status = u < odds[0]! ? 'pending' : u < odds[1]! ? 'needs_clarification' : u < odds[2]! ? 'approved' : u < odds[3]! ? 'rejected' : 'cancelled';
      }
      if (kind && status) {
        const correction = fileCorrection(rng, ctx, user, first, closedAt, kind, status, exceptions);
        if (correction) corrections.push(correction);
      }
    }
    dayAt = Math.max(...sessions.map((s) => s.updatedAt));
  } else if (!leave && (expectedDay ? !forced : rng() < 0.015)) {
    // A day without an expected window: no effective shift, an off day or a holiday (02 §4.9) — no flags at all.
    const start = zonedInstant(date, Math.floor(between(rng, expectedDay ? 540 : 660, expectedDay ? 570 : 780)), tz).getTime() + Math.floor(rng() * MINUTE);
    const s = newSession(user.row, date, shift, null, start, expectedDay ? workMode() : 'wfh', wfhLeave);
    const end = Math.floor(start + (expectedDay ? between(rng, 7.5, 9) : between(rng, 1.5, 4)) * HOUR);
    s.breaks = placeBreaks(rng, ctx, s, start, end, expectedDay ? 1 : 0);
    applyCheckOut(rng, s, end, 'forgot');
    sessions.push(s);
    dayAt = end;
  } else {
    dayAt = ctx.dayStartOf(date, tz);
  }

  for (const s of sessions) {
    // The stored work date is the one check-in derives (02 §4.2); anything else is a bug in this plan.
    const derived = workDateOf(new Date(s.checkInAt), shift, ctx.orgTimezone, ctx.settings.shiftPostEndGraceHours);
    if (derived !== date) throw new Error(`seed plan: a check-in on ${date} derives work date ${derived}`);
  }

  // Some older exceptions were handled by the user's manager (only on days without a correction, to keep one story).
  const resolverId = ctx.resolverOf(user.row.id);
  if (resolverId && corrections.length === 0 && daysBetween(date, ctx.today) >= 3) {
    for (const e of exceptions) {
      if (e.status !== 'open' || e.type === 'missing_checkout' || e.type === 'correction_request' || rng() >= 0.3) continue;
      const at = Math.floor(e.detectedAt + between(rng, 2, 72) * HOUR);
      if (at > ctx.now - MINUTE) continue;
      const dismiss = rng() < 0.35;
      e.status = dismiss ? 'dismissed' : 'resolved';
      e.resolutionNote = e.type === 'absent' ? pick(rng, dismiss ? ABSENT_DISMISSALS : ABSENT_RESOLUTIONS) : pick(rng, FLAG_RESOLUTIONS[e.type as 'late' | 'early' | 'overtime']);
      e.resolvedById = resolverId;
      e.resolvedAt = at;
    }
  }

  const latest = Math.max(dayAt, ...exceptions.map((e) => e.resolvedAt ?? e.detectedAt), ...corrections.map((c) => c.updatedAt));
  if (latest > ctx.now || sessions.some((s) => s.checkOutAt > ctx.now)) return null;

  const kind = sessions.length === 0 ? 'none' : sessions.some((s) => s.workMode === 'wfh') ? 'wfh' : 'office';
  const outcome = ctx.dayOutcome(shift, date, holiday, leave !== null, kind);
  const ordered = [...sessions].sort((a, b) => a.checkInAt - b.checkInAt);
  const workedSeconds = sessions.reduce((sum, s) => sum + s.workedSeconds, 0);
  return {
    sessions,
    exceptions,
    corrections,
    stats: {
      userId: user.row.id,
      workDate: date,
      sessionCount: sessions.length,
      workedSeconds,
      breakSeconds: sessions.reduce((sum, s) => sum + s.breakSeconds, 0),
      firstCheckInAt: ordered[0]?.checkInAt ?? null,
      lastCheckOutAt: sessions.length > 0 ? Math.max(...sessions.map((s) => s.checkOutAt)) : null,
      isLate: ordered[0]?.isLate ?? false,
      isEarlyCheckout: sessions.some((s) => s.isEarlyCheckout),
      isOvertime: sessions.some((s) => s.isOvertime),
      isWfh: kind === 'wfh',
      isAbsent: outcome.dayStatus === 'absent',
      isHoliday: holiday,
      isWorkingDay: outcome.isWorkingDay,
      leaveType: leave?.leaveType ?? null,
      dayStatus: outcome.dayStatus,
      // 02 §4.4: the day classification is the table applied to the summed worked time of the closed sessions.
      dayClassification: sessions.length > 0 ? classify(workedSeconds) : null,
      at: latest,
    },
  };
}

/** The demo employee's last five correctable days get one correction in each state. */
function forcedDays(ctx: Context, user: UserRow, shift: NamedShift | null, dates: readonly string[]): Map<string, ForcedDay> {
  const forced = new Map<string, ForcedDay>();
  if (user.email !== SHOWCASE_EMAIL) return forced;
  const candidates = [...dates]
    .reverse()
    .filter((d) => isScheduledDay(d, shift, ctx.holidays.has(d)) && !coveringLeave(ctx, user.id, d, false))
    .filter((d) => daysBetween(d, ctx.today) <= ctx.settings.correctionWindowDays - 2);
  SHOWCASE.forEach((day, i) => {
    const date = candidates[i];
    if (date) forced.set(date, day);
  });
  return forced;
}

// --- Database -------------------------------------------------------------------------------------------------------

type Column = readonly [name: string, type: string];

const SESSION_COLUMNS: Column[] = [
  ['id', 'uuid'], ['user_id', 'uuid'], ['work_date', 'date'], ['check_in_at', 'timestamptz'], ['check_out_at', 'timestamptz'],
  ['work_mode', 'text'], ['wfh_approved', 'bool'], ['status', 'text'], ['shift_id', 'uuid'], ['is_scheduled_day', 'bool'],
  ['expected_shift_start_at', 'timestamptz'], ['expected_shift_end_at', 'timestamptz'], ['is_late', 'bool'], ['late_minutes', 'int4'],
  ['is_early_checkout', 'bool'], ['early_checkout_minutes', 'int4'], ['early_checkout_reason', 'text'], ['after_shift_reason', 'text'],
  ['after_shift_note', 'text'], ['after_shift_minutes', 'int4'], ['is_overtime', 'bool'], ['auto_closed_reason', 'text'],
  ['gross_seconds', 'int4'], ['worked_seconds', 'int4'], ['break_seconds', 'int4'], ['unpaid_break_seconds', 'int4'],
  ['dinner_break_seconds', 'int4'], ['prayer_break_seconds', 'int4'], ['other_break_seconds', 'int4'], ['classification', 'text'],
  ['is_corrected', 'bool'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
];
const BREAK_COLUMNS: Column[] = [
  ['id', 'uuid'], ['session_id', 'uuid'], ['user_id', 'uuid'], ['break_type', 'text'], ['note', 'text'], ['is_paid', 'bool'],
  ['started_at', 'timestamptz'], ['ended_at', 'timestamptz'], ['duration_seconds', 'int4'], ['end_reason', 'text'],
  ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
];
const CORRECTION_COLUMNS: Column[] = [
  ['id', 'uuid'], ['session_id', 'uuid'], ['user_id', 'uuid'], ['requested_by_id', 'uuid'], ['original_check_in_at', 'timestamptz'],
  ['original_check_out_at', 'timestamptz'], ['requested_check_in_at', 'timestamptz'], ['requested_check_out_at', 'timestamptz'],
  ['reason', 'text'], ['status', 'text'], ['reviewer_id', 'uuid'], ['reviewer_comment', 'text'], ['resolved_at', 'timestamptz'],
  ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
];
const EXCEPTION_COLUMNS: Column[] = [
  ['id', 'uuid'], ['user_id', 'uuid'], ['work_date', 'date'], ['type', 'text'], ['severity', 'text'], ['status', 'text'],
  ['session_id', 'uuid'], ['correction_id', 'uuid'], ['detected_at', 'timestamptz'], ['reason', 'text'], ['resolution_note', 'text'],
  ['resolved_by_id', 'uuid'], ['resolved_at', 'timestamptz'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
];
const STATS_COLUMNS: Column[] = [
  ['user_id', 'uuid'], ['work_date', 'date'], ['session_count', 'int4'], ['worked_seconds', 'int4'], ['break_seconds', 'int4'],
  ['first_check_in_at', 'timestamptz'], ['last_check_out_at', 'timestamptz'], ['is_late', 'bool'], ['is_early_checkout', 'bool'],
  ['is_overtime', 'bool'], ['is_wfh', 'bool'], ['is_absent', 'bool'], ['is_holiday', 'bool'], ['is_working_day', 'bool'],
  ['leave_type', 'text'], ['day_status', 'text'], ['day_classification', 'text'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
];

/** Rows per INSERT statement. */
const CHUNK_ROWS = 4000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function columnList(columns: readonly Column[], alias?: string) {
  return sql.join(
    columns.map(([name]) => sql.identifier(alias ? [alias, name] : [name])),
    sql.fragment`, `,
  );
}

/**
 * `INSERT INTO table (cols) SELECT t.cols FROM unnest(...) AS t(cols)` in chunks of CHUNK_ROWS.
 * @returns rows inserted (fewer than given only with `onConflictDoNothing`).
 */
async function insertRows(tx: Queryable, table: IdentifierSqlToken, columns: readonly Column[], rows: PrimitiveValueExpression[][], onConflictDoNothing = false): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    const part = rows.slice(i, i + CHUNK_ROWS);
    inserted += await tx.oneFirst(sql.type(Count)`
      WITH inserted AS (
        INSERT INTO ${table} (${columnList(columns)})
        SELECT ${columnList(columns, 't')}
        FROM ${sql.unnest(part, columns.map(([, type]) => type))} AS t(${columnList(columns)})
        ${onConflictDoNothing ? sql.fragment`ON CONFLICT DO NOTHING` : sql.fragment``}
        RETURNING 1
      )
      SELECT count(*)::int AS count FROM inserted`);
  }
  return inserted;
}

async function writeBatch(tx: Queryable, plan: BatchPlan): Promise<void> {
  const statsRows = plan.stats.map((d) => [
    d.userId, d.workDate, d.sessionCount, d.workedSeconds, d.breakSeconds, iso(d.firstCheckInAt), iso(d.lastCheckOutAt), d.isLate,
    d.isEarlyCheckout, d.isOvertime, d.isWfh, d.isAbsent, d.isHoliday, d.isWorkingDay, d.leaveType, d.dayStatus, d.dayClassification,
    iso(d.at), iso(d.at),
  ]);
  // The day markers go first: if another writer recorded one of these days meanwhile, the whole batch rolls back.
  const claimed = await insertRows(tx, sql.identifier(['daily_stats']), STATS_COLUMNS, statsRows, true);
  if (claimed !== statsRows.length) throw new Error('attendance was recorded for some of these users while seeding; nothing of this batch was kept — run the seed again');
  await insertRows(tx, sql.identifier(['attendance_sessions']), SESSION_COLUMNS, plan.sessions.map((s) => [
    s.id, s.userId, s.workDate, iso(s.checkInAt), iso(s.checkOutAt), s.workMode, s.wfhApproved, s.status, s.shiftId, s.window !== null,
    iso(s.window?.start.getTime() ?? null), iso(s.window?.end.getTime() ?? null), s.isLate, s.lateMinutes, s.isEarlyCheckout,
    s.earlyCheckoutMinutes, s.earlyCheckoutReason, s.afterShiftReason, s.afterShiftNote, s.afterShiftMinutes, s.isOvertime,
    s.autoClosedReason, s.grossSeconds, s.workedSeconds, s.breakSeconds, s.unpaidBreakSeconds, s.dinnerBreakSeconds,
    s.prayerBreakSeconds, s.otherBreakSeconds, s.classification, s.isCorrected, iso(s.checkInAt), iso(s.updatedAt),
  ]));
  await insertRows(tx, sql.identifier(['attendance_breaks']), BREAK_COLUMNS, plan.breaks.map((b) => [
    b.id, b.sessionId, b.userId, b.breakType, b.note, b.isPaid, iso(b.startedAt), iso(b.endedAt), durationOf(b), b.endReason,
    iso(b.startedAt), iso(b.endedAt),
  ]));
  await insertRows(tx, sql.identifier(['attendance_corrections']), CORRECTION_COLUMNS, plan.corrections.map((c) => [
    c.id, c.sessionId, c.userId, c.userId, iso(c.originalCheckInAt), iso(c.originalCheckOutAt), iso(c.requestedCheckInAt),
    iso(c.requestedCheckOutAt), c.reason, c.status, c.reviewerId, c.reviewerComment, iso(c.resolvedAt), iso(c.createdAt), iso(c.updatedAt),
  ]));
  await insertRows(tx, sql.identifier(['attendance_exceptions']), EXCEPTION_COLUMNS, plan.exceptions.map((e) => [
    e.id, e.userId, e.workDate, e.type, EXCEPTION_SEVERITY[e.type], e.status, e.sessionId, e.correctionId, iso(e.detectedAt), e.reason,
    e.resolutionNote, e.resolvedById, iso(e.resolvedAt), iso(e.detectedAt), iso(e.resolvedAt ?? e.detectedAt),
  ]));
}

/** Shifts by name, the default only when there is none, assignments to unassigned demo users, back-dated users, holidays. */
async function prepareCalendar(tx: Queryable, options: { now: Date; orgTimezone: string; windowFrom: string; today: string; days: number }) {
  const at = sql.timestamp(options.now);
  const domain = `%@${DEMO_EMAIL_DOMAIN}`;
  const windowStart = zonedInstant(options.windowFrom, 0, options.orgTimezone);
  const usersBackdated = await tx.oneFirst(sql.type(Count)`
    WITH moved AS (
      UPDATE users SET created_at = ${sql.timestamp(windowStart)}
      WHERE email LIKE ${domain} AND created_at > ${sql.timestamp(windowStart)}
      RETURNING 1
    )
    SELECT count(*)::int AS count FROM moved`);

  let shiftsCreated = 0;
  let shiftAssignments = 0;
  for (const shift of SEED_SHIFTS) {
    shiftsCreated += await tx.oneFirst(sql.type(Count)`
      WITH inserted AS (
        INSERT INTO shifts (name, description, start_time, end_time, timezone, grace_period_minutes, working_days, is_active, is_default, created_at, updated_at)
        SELECT ${shift.name}, ${shift.description}, ${shift.start}::time, ${shift.end}::time, ${options.orgTimezone}, ${shift.grace},
               ${sql.array(shift.workingDays, 'int2')}, true, ${shift.isDefault} AND NOT EXISTS (SELECT 1 FROM shifts WHERE is_default), ${at}, ${at}
        ON CONFLICT DO NOTHING
        RETURNING 1
      )
      SELECT count(*)::int AS count FROM inserted`);
    if (shift.assignRemainder === null) continue;
    shiftAssignments += await tx.oneFirst(sql.type(Count)`
      WITH assigned AS (
        UPDATE users u SET shift_id = s.id, updated_at = ${at}
        FROM shifts s
        WHERE lower(s.name) = lower(${shift.name}) AND s.is_active
          AND u.email LIKE ${domain} AND u.status = 'active' AND u.shift_id IS NULL
          AND substring(u.email FROM '^(?:teamlead|employee|junior|intern)([0-9]+)@')::int % 40 = ${shift.assignRemainder}
        RETURNING 1
      )
      SELECT count(*)::int AS count FROM assigned`);
  }

  let holidaysCreated = 0;
  for (const holiday of SEED_HOLIDAYS) {
    let date = addDays(options.windowFrom, Math.floor(options.days * holiday.at));
    while (isoWeekdayOf(date) > 5) date = addDays(date, 1);
    if (date >= options.today) continue;
    // Never on a day that is already recorded: a holiday there would contradict the stored sessions.
    holidaysCreated += await tx.oneFirst(sql.type(Count)`
      WITH inserted AS (
        INSERT INTO holidays (name, description, holiday_date, is_active, created_by_id, created_at, updated_at)
        SELECT ${holiday.name}, ${holiday.description}, ${date}::date, true,
               (SELECT id FROM users WHERE email = ${`admin1@${DEMO_EMAIL_DOMAIN}`}), ${at}, ${at}
        WHERE NOT EXISTS (SELECT 1 FROM holidays WHERE name = ${holiday.name})
          AND NOT EXISTS (SELECT 1 FROM daily_stats WHERE work_date = ${date}::date)
          AND NOT EXISTS (SELECT 1 FROM attendance_sessions WHERE work_date = ${date}::date)
        ON CONFLICT DO NOTHING
        RETURNING 1
      )
      SELECT count(*)::int AS count FROM inserted`);
  }
  return { usersBackdated, shiftsCreated, shiftAssignments, holidaysCreated };
}

async function loadContext(db: Queryable, options: { now: Date; orgTimezone: string; windowFrom: string; today: string; settings: AttendanceSettings }) {
  const [shifts, holidays, users, grants, overrides, leaves] = await Promise.all([
    db.any(sql.type(ShiftRow)`
      SELECT id, name,
        (extract(hour FROM start_time) * 60 + extract(minute FROM start_time))::int AS start_minutes,
        (extract(hour FROM end_time) * 60 + extract(minute FROM end_time))::int AS end_minutes,
        timezone, grace_period_minutes::int AS grace_minutes, working_days::int[] AS working_days, is_active, is_default
      FROM shifts`),
    db.any(sql.type(HolidayRow)`
      SELECT id, holiday_date FROM holidays WHERE is_active AND holiday_date BETWEEN ${options.windowFrom}::date AND ${options.today}::date`),
    db.any(sql.type(UserRow)`
      SELECT id, email, role::text AS role, status::text AS status, manager_id, shift_id,
             to_char(created_at AT TIME ZONE ${options.orgTimezone}, 'YYYY-MM-DD') AS created_date
      FROM users ORDER BY email`),
    db.any(sql.type(GrantRow)`
      SELECT role::text AS role, permission_key FROM role_permissions WHERE permission_key = ANY(${sql.array(Object.values(KEYS), 'text')})`),
    db.any(sql.type(OverrideRow)`
      SELECT user_id, permission_key, granted FROM user_permission_overrides WHERE permission_key = ANY(${sql.array(Object.values(KEYS), 'text')})`),
    db.any(sql.type(LeaveRow)`
      SELECT user_id, leave_type, to_char(start_date, 'YYYY-MM-DD') AS start_date, to_char(end_date, 'YYYY-MM-DD') AS end_date
      FROM leave_requests
      WHERE status = 'approved' AND end_date >= ${options.windowFrom}::date AND start_date <= ${options.today}::date
      ORDER BY user_id, is_half_day, created_at, id`),
  ]);

  const rules = new Map(shifts.map((s) => [s.id, s]));
  const defaultShift = shifts.find((s) => s.isDefault && s.isActive) ?? null;
  const byId = new Map(users.map((u) => [u.id, u]));
  const roleGrants = new Set(grants.map((g) => `${g.role}|${g.permissionKey}`));
  const userOverrides = new Map(overrides.map((o) => [`${o.userId}|${o.permissionKey}`, o.granted]));
  // 01 §4.8 effective permission, as src/auth/approvers.ts evaluates it in SQL.
  const holds = (u: UserRow, key: string) => u.role === SUPER_ROLE || (userOverrides.get(`${u.id}|${key}`) ?? roleGrants.has(`${u.role}|${key}`));

  const approvers = new Map<string, string | null>();
  /** 02 §3.4 / src/auth/approvers.ts: the first eligible user up the chain, else the first of the org pool. */
  const approverOf = (ownerId: string): string | null => {
    if (approvers.has(ownerId)) return approvers.get(ownerId)!;
    let found: string | null = null;
    const seen = new Set([ownerId]);
    let next = byId.get(ownerId)?.managerId ?? null;
    for (let depth = 1; next && !seen.has(next); depth++) {
      seen.add(next);
      const a = byId.get(next);
      if (!a) break;
      const inScope = holds(a, KEYS.org) || ((depth === 1 || CHAIN_SCOPE_ROLES.has(a.role as Role)) && holds(a, KEYS.team));
      if (a.status === 'active' && holds(a, KEYS.approve) && inScope) {
        found = a.id;
        break;
      }
      next = a.managerId;
    }
    if (!found) {
      const pool = users.filter((a) => a.status === 'active' && a.id !== ownerId && holds(a, KEYS.approve) && holds(a, KEYS.org)).map((a) => a.id);
      found = pool.sort()[0] ?? null;
    }
    approvers.set(ownerId, found);
    return found;
  };
  /** Exceptions are resolved by the direct manager when they may (manage_exceptions with the owner in team scope). */
  const resolverOf = (ownerId: string): string | null => {
    const manager = byId.get(byId.get(ownerId)?.managerId ?? '');
    if (!manager || manager.status !== 'active' || !holds(manager, KEYS.manage)) return null;
    return holds(manager, KEYS.team) || holds(manager, KEYS.org) ? manager.id : null;
  };

  const windows = new Map<string, Window>();
  const windowOf = (shift: NamedShift, date: string): Window => {
    const key = `${shift.id}|${date}`;
    let w = windows.get(key);
    if (!w) windows.set(key, (w = expectedWindow(date, shift)));
    return w;
  };
  const dayStarts = new Map<string, number>();
  const dayStartOf = (date: string, tz: string): number => {
    const key = `${tz}|${date}`;
    let at = dayStarts.get(key);
    if (at === undefined) dayStarts.set(key, (at = zonedInstant(date, 0, tz).getTime()));
    return at;
  };
  const outcomes = new Map<string, { dayStatus: DayStatusValue; isWorkingDay: boolean }>();
  const dayOutcome: Context['dayOutcome'] = (shift, date, holiday, leave, kind) => {
    const key = `${shift?.id ?? '-'}|${date}|${holiday}|${leave}|${kind}`;
    let o = outcomes.get(key);
    if (!o) {
      const sessions = kind === 'none' ? [] : [{ workMode: kind, status: 'completed', workedSeconds: 0 }];
      const result = evaluateDay({ workDate: date, now: options.now, orgTimezone: options.orgTimezone, shift, holiday: holiday ? { id: '-', name: '-' } : null, leaveCoversDay: leave, sessions });
      outcomes.set(key, (o = { dayStatus: result.dayStatus, isWorkingDay: result.isWorkingDay }));
    }
    return o;
  };
  const leaveMap = new Map<string, LeaveRow[]>();
  for (const leave of leaves) leaveMap.set(leave.userId, [...(leaveMap.get(leave.userId) ?? []), leave]);

  const ctx: Context = {
    now: options.now.getTime(),
    today: options.today,
    windowFrom: options.windowFrom,
    orgTimezone: options.orgTimezone,
    settings: options.settings,
    holidays: new Map(holidays.map((h) => [h.holidayDate, h.id])),
    leaves: leaveMap,
    // 02 §4.2: the assigned shift if active, else the default shift, else none.
    shiftOf: (user) => {
      const assigned = user.shiftId ? rules.get(user.shiftId) : undefined;
      return assigned?.isActive ? assigned : defaultShift;
    },
    approverOf,
    resolverOf,
    windowOf,
    dayStartOf,
    dayOutcome,
  };
  const demoUsers = users.filter((u) => u.status === 'active' && u.email.endsWith(`@${DEMO_EMAIL_DOMAIN}`));
  return { ctx, demoUsers };
}

/**
 * Plans and writes one batch of users in the caller's transaction: every (user, date) of the window not recorded yet.
 * @throws Error when another writer recorded one of the days meanwhile (the transaction then rolls back).
 */
async function seedBatch(tx: Queryable, ctx: Context, users: readonly UserRow[]): Promise<BatchPlan> {
  const recorded = await tx.any(sql.type(RecordedDay)`
    SELECT user_id, work_date FROM daily_stats
    WHERE user_id = ANY(${sql.array(users.map((u) => u.id), 'uuid')}) AND work_date BETWEEN ${ctx.windowFrom}::date AND ${ctx.today}::date
    UNION
    SELECT user_id, work_date FROM attendance_sessions
    WHERE user_id = ANY(${sql.array(users.map((u) => u.id), 'uuid')}) AND work_date BETWEEN ${ctx.windowFrom}::date AND ${ctx.today}::date
    UNION
    SELECT user_id, work_date FROM attendance_exceptions
    WHERE user_id = ANY(${sql.array(users.map((u) => u.id), 'uuid')}) AND work_date BETWEEN ${ctx.windowFrom}::date AND ${ctx.today}::date`);
  const done = new Set(recorded.map((r) => `${r.userId}|${r.workDate}`));
  const plan: BatchPlan = { sessions: [], breaks: [], exceptions: [], corrections: [], stats: [] };
  for (const row of users) {
    const shift = ctx.shiftOf(row);
    // Today is excluded, and so is the user's current work date (a night worker may still be on yesterday's shift).
    const current = workDateOf(new Date(ctx.now), shift, ctx.orgTimezone, ctx.settings.shiftPostEndGraceHours);
    const last = addDays(current < ctx.today ? current : ctx.today, -1);
    const first = row.createdDate > ctx.windowFrom ? row.createdDate : ctx.windowFrom;
    const dates: string[] = [];
    for (let d = first; d <= last; d = addDays(d, 1)) if (!done.has(`${row.id}|${d}`)) dates.push(d);
    const user: PlanUser = { row, shift, traits: traitsOf(row.email), forced: forcedDays(ctx, row, shift, dates) };
    for (const date of dates) {
      const day = planDay(ctx, user, date);
      if (!day) continue;
      plan.sessions.push(...day.sessions);
      for (const s of day.sessions) plan.breaks.push(...s.breaks);
      plan.exceptions.push(...day.exceptions);
      plan.corrections.push(...day.corrections);
      plan.stats.push(day.stats);
    }
  }
  await writeBatch(tx, plan);
  return plan;
}

/**
 * Seeds `days` past work dates of attendance for every active demo user (see the file comment).
 * @throws RangeError when `days` is outside MIN_SEED_DAYS..MAX_SEED_DAYS; Error when attendance is recorded for the
 *   same users concurrently (that batch is rolled back; run again).
 */
export async function seedAttendance(db: Db, options: AttendanceSeedOptions): Promise<AttendanceSeedResult> {
  if (!Number.isInteger(options.days) || options.days < MIN_SEED_DAYS || options.days > MAX_SEED_DAYS) {
    throw new RangeError(`days must be a whole number from ${MIN_SEED_DAYS} to ${MAX_SEED_DAYS}`);
  }
  const settings = options.attendance ?? DEFAULT_ATTENDANCE_SETTINGS;
  const today = todayIn(options.now, options.orgTimezone);
  const windowFrom = addDays(today, -options.days);
  const window = { from: windowFrom, to: addDays(today, -1) };
  const prepared = await db.transaction((tx) => prepareCalendar(tx, { now: options.now, orgTimezone: options.orgTimezone, windowFrom, today, days: options.days }));
  const { ctx, demoUsers } = await loadContext(db, { now: options.now, orgTimezone: options.orgTimezone, windowFrom, today, settings });

  const result: AttendanceSeedResult = {
    window,
    ...prepared,
    users: demoUsers.length,
    days: 0,
    sessions: 0,
    breaks: 0,
    exceptions: 0,
    corrections: { pending: 0, needs_clarification: 0, approved: 0, rejected: 0, cancelled: 0 },
  };
  const size = options.batchSize ?? 200;
  const batches: UserRow[][] = [];
  for (let i = 0; i < demoUsers.length; i += size) batches.push(demoUsers.slice(i, i + size));
  let next = 0;
  let failure: unknown = null;
  // Two batches in flight: one is planned in JavaScript while the other's inserts run in PostgreSQL.
  const worker = async () => {
    while (next < batches.length && failure === null) {
      const batch = batches[next++]!;
      try {
        const plan = await db.transaction((tx) => seedBatch(tx, ctx, batch));
        result.days += plan.stats.length;
        result.sessions += plan.sessions.length;
        result.breaks += plan.breaks.length;
        result.exceptions += plan.exceptions.length;
        for (const c of plan.corrections) result.corrections[c.status]++;
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all([worker(), worker()]);
  if (failure !== null) throw failure;
  return result;
}
