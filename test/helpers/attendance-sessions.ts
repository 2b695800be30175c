/**
 * Arranging attendance state for the session, break, view, time, concurrency and auto-close suites: shifts and
 * holidays inserted with SQL (the shift endpoints are another feature), fresh sign-ins after the clock moves, and
 * raw row reads for assertions.
 */
import { randomUUID } from 'node:crypto';
import type { Envelope } from './expect.ts';
import { createUser, signIn, type FixtureUser, type Session } from './fixtures.ts';
import { startTestApp, type FixedClock, type TestApp } from './harness.ts';

export interface ShiftSpec {
  /** Default: a unique `Shift xxxxxxxx`. */
  name?: string;
  start: string;
  end: string;
  /** Default: Asia/Karachi. */
  timezone?: string;
  grace?: number;
  workingDays?: number[];
  isDefault?: boolean;
  isActive?: boolean;
}

/** Inserts a shift and returns its id. */
export async function insertShift(app: TestApp, spec: ShiftSpec): Promise<string> {
  const { rows } = await app.sql.query<{ id: string }>(
    `INSERT INTO shifts (name, start_time, end_time, timezone, grace_period_minutes, working_days, is_active, is_default)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      spec.name ?? `Shift ${randomUUID().slice(0, 8)}`,
      spec.start,
      spec.end,
      spec.timezone ?? 'Asia/Karachi',
      spec.grace ?? 15,
      spec.workingDays ?? [1, 2, 3, 4, 5],
      spec.isActive ?? true,
      spec.isDefault ?? false,
    ],
  );
  return rows[0]!.id;
}

export async function assignShift(app: TestApp, userId: string, shiftId: string | null): Promise<void> {
  await app.sql.query('UPDATE users SET shift_id = $2 WHERE id = $1', [userId, shiftId]);
}

export async function insertHoliday(app: TestApp, date: string, name = `Holiday ${date}`): Promise<string> {
  const { rows } = await app.sql.query<{ id: string }>(`INSERT INTO holidays (name, holiday_date) VALUES ($1, $2) RETURNING id`, [name, date]);
  return rows[0]!.id;
}

/** A session signed in at the app clock's current time (tokens live 15 min, so sign in again after moving it). */
export const as = (app: TestApp, user: FixtureUser): Promise<Session> => signIn(app, user);

/** The app of the attendance suites: one per `describe`, on `clock`, with ORG_TIMEZONE=Asia/Karachi (UTC+5, no DST). */
export const startKarachiApp = (clock: FixedClock): Promise<TestApp> => startTestApp({ clock, env: { ORG_TIMEZONE: 'Asia/Karachi' } });

/** The day shift of the session suites: 09:00–17:00 Asia/Karachi, Mon–Fri, 15 min grace. */
export const DAY_SHIFT: ShiftSpec = { start: '09:00', end: '17:00', timezone: 'Asia/Karachi', grace: 15 };

/** The user's SDK client with the clock moved to `when` (a fresh sign-in, since tokens live 15 min). */
export async function apiAt(app: TestApp, clock: FixedClock, user: FixtureUser, when: string): Promise<Session['api']> {
  clock.set(when);
  return (await as(app, user)).api;
}

/** A new employee reporting to `managerId`, assigned `shiftId` unless it is null. */
export async function employeeOn(app: TestApp, shiftId: string | null, managerId: string | null = null): Promise<FixtureUser> {
  const user = await createUser(app, { role: 'employee', managerId });
  if (shiftId) await assignShift(app, user.id, shiftId);
  return user;
}

export interface SessionDbRow {
  id: string;
  status: string;
  work_date: string;
  check_in_at: Date;
  check_out_at: Date | null;
  auto_closed_reason: string | null;
  classification: string;
  gross_seconds: number | null;
  worked_seconds: number | null;
  break_seconds: number;
  early_checkout_reason: string | null;
  after_shift_reason: string | null;
  after_shift_note: string | null;
}

export async function sessionRows(app: TestApp, userId: string): Promise<SessionDbRow[]> {
  const { rows } = await app.sql.query<SessionDbRow>(
    `SELECT id, status, to_char(work_date, 'YYYY-MM-DD') AS work_date, check_in_at, check_out_at, auto_closed_reason, classification,
            gross_seconds, worked_seconds, break_seconds, early_checkout_reason, after_shift_reason, after_shift_note
     FROM attendance_sessions WHERE user_id = $1 ORDER BY check_in_at, id`,
    [userId],
  );
  return rows;
}

export interface ExceptionDbRow {
  type: string;
  severity: string;
  status: string;
  work_date: string;
  session_id: string | null;
  reason: string | null;
  resolution_note: string | null;
  resolved_by_id: string | null;
}

export async function exceptionRows(app: TestApp, userId: string): Promise<ExceptionDbRow[]> {
  const { rows } = await app.sql.query<ExceptionDbRow>(
    `SELECT type, severity, status, to_char(work_date, 'YYYY-MM-DD') AS work_date, session_id, reason, resolution_note, resolved_by_id
     FROM attendance_exceptions WHERE user_id = $1 ORDER BY work_date, type`,
    [userId],
  );
  return rows;
}

export async function dailyStats(app: TestApp, userId: string, workDate: string) {
  const { rows } = await app.sql.query(
    `SELECT session_count, worked_seconds, break_seconds, is_late, is_early_checkout, is_overtime, is_wfh, is_absent, day_status, day_classification
     FROM daily_stats WHERE user_id = $1 AND work_date = $2`,
    [userId, workDate],
  );
  return rows[0] as Record<string, unknown> | undefined;
}

/** Raw HTTP (for bodies the SDK cannot send: wrong media type, malformed JSON, unknown properties). */
export async function rawPost(app: TestApp, path: string, token: string, body: string, contentType = 'application/json', headers: Record<string, string> = {}) {
  const response = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType, ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? (JSON.parse(text) as { error?: Envelope } & Record<string, unknown>) : null, response };
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
