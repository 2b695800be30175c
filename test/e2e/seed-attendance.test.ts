/**
 * `npm run seed -- --days N` (issue "Attendance", 05 §2): the demo organization's attendance history obeys every
 * rule of 02 — work dates, expected windows, late minutes, check-out flags, durations, classification, breaks inside
 * their session, auto-close, corrections in every state with their exceptions (§4.7, §4.8), daily_stats as
 * evaluateDay would compute them — is idempotent, and reads back through the contract (response validation is on).
 */
import { expect } from 'chai';
import { createDbPool, type Db } from '../../src/db/pool.ts';
import { addDays, localParts } from '../../src/lib/zoned-time.ts';
import { evaluateDay } from '../../src/modules/attendance/day-status.ts';
import {
  autoCloseCheckOutAt,
  autoClosePlan,
  checkoutTiming,
  classify,
  expectedWindow,
  isScheduledDay,
  lateness,
  workDateOf,
  type ShiftRule,
} from '../../src/modules/attendance/schedule.ts';
import { parseSeedArgs } from '../../src/seed/args.ts';
import { SEED_HOLIDAYS, SEED_SHIFTS, seedAttendance, type AttendanceSeedResult } from '../../src/seed/attendance.ts';
import { DEMO_EMAIL_DOMAIN, seedOrganization } from '../../src/seed/organization.ts';
import { signIn } from '../helpers/fixtures.ts';
import { FixedClock, startTestApp, type TestApp } from '../helpers/harness.ts';

const TZ = 'Asia/Karachi';
/** Thursday 09:00 in Karachi: the day shift's first 15 minutes, so today is still `scheduled`. */
const NOW = new Date('2026-06-25T04:00:00.000Z');
const TODAY = '2026-06-25';
const DAYS = 20;
const FROM = addDays(TODAY, -DAYS);
const USERS = 40;

interface SessionRow {
  id: string;
  user_id: string;
  work_date: string;
  check_in_at: Date;
  check_out_at: Date;
  work_mode: 'office' | 'wfh';
  wfh_approved: boolean | null;
  status: string;
  shift_id: string | null;
  is_scheduled_day: boolean;
  expected_shift_start_at: Date | null;
  expected_shift_end_at: Date | null;
  is_late: boolean;
  late_minutes: number;
  is_early_checkout: boolean;
  early_checkout_minutes: number;
  early_checkout_reason: string | null;
  after_shift_reason: string | null;
  after_shift_note: string | null;
  after_shift_minutes: number;
  is_overtime: boolean;
  auto_closed_reason: string | null;
  gross_seconds: number;
  worked_seconds: number;
  break_seconds: number;
  unpaid_break_seconds: number;
  dinner_break_seconds: number;
  prayer_break_seconds: number;
  other_break_seconds: number;
  classification: string;
  is_corrected: boolean;
}

interface BreakRow {
  session_id: string;
  user_id: string;
  break_type: string;
  note: string | null;
  is_paid: boolean;
  started_at: Date;
  ended_at: Date;
  duration_seconds: number;
  end_reason: string;
}

interface ExceptionRow {
  user_id: string;
  work_date: string;
  type: string;
  severity: string;
  status: string;
  session_id: string | null;
  correction_id: string | null;
  detected_at: Date;
  resolution_note: string | null;
  resolved_by_id: string | null;
}

describe('seed: demo attendance history (issue "Attendance", 05 §2)', function () {
  let app: TestApp;
  let db: Db;
  let result: AttendanceSeedResult;
  let sessions: SessionRow[];
  let breaks: BreakRow[];
  let exceptions: ExceptionRow[];
  let shifts: Map<string, ShiftRule & { name: string }>;
  let holidays: Set<string>;

  const q = async <T>(text: string, values: unknown[] = []): Promise<T[]> => (await app.sql.query(text, values)).rows as T[];
  const settings = () => app.config.attendance;

  async function tableCounts() {
    const [row] = await q<Record<string, number>>(`
      SELECT (SELECT count(*)::int FROM attendance_sessions) AS sessions, (SELECT count(*)::int FROM attendance_breaks) AS breaks,
             (SELECT count(*)::int FROM attendance_corrections) AS corrections, (SELECT count(*)::int FROM attendance_exceptions) AS exceptions,
             (SELECT count(*)::int FROM daily_stats) AS daily_stats, (SELECT count(*)::int FROM shifts) AS shifts,
             (SELECT count(*)::int FROM holidays) AS holidays, (SELECT count(*)::int FROM audit_logs) AS audit_logs`);
    return row!;
  }

  before(async function () {
    this.timeout(120_000);
    app = await startTestApp({ clock: new FixedClock(NOW), env: { ORG_TIMEZONE: TZ } });
    db = await createDbPool(app.config.databaseUrl!, { statementTimeoutMs: 60_000 });
    await seedOrganization(db, { users: USERS, now: NOW });
    result = await seedAttendance(db, { days: DAYS, now: NOW, orgTimezone: TZ, attendance: app.config.attendance, batchSize: 7 });
    sessions = await q<SessionRow>(`SELECT *, work_date::text AS work_date FROM attendance_sessions ORDER BY user_id, check_in_at`);
    breaks = await q<BreakRow>(`SELECT * FROM attendance_breaks ORDER BY session_id, started_at`);
    exceptions = await q<ExceptionRow>(`SELECT *, work_date::text AS work_date FROM attendance_exceptions`);
    const shiftRows = await q<{ id: string; name: string; start_minutes: number; end_minutes: number; timezone: string; grace: number; working_days: number[] }>(`
      SELECT id, name, (extract(hour FROM start_time) * 60 + extract(minute FROM start_time))::int AS start_minutes,
             (extract(hour FROM end_time) * 60 + extract(minute FROM end_time))::int AS end_minutes,
             timezone, grace_period_minutes::int AS grace, working_days::int[] AS working_days FROM shifts`);
    shifts = new Map(
      shiftRows.map((s) => [s.id, { id: s.id, name: s.name, startMinutes: s.start_minutes, endMinutes: s.end_minutes, timezone: s.timezone, graceMinutes: s.grace, workingDays: s.working_days }]),
    );
    holidays = new Set((await q<{ d: string }>(`SELECT holiday_date::text AS d FROM holidays WHERE is_active`)).map((h) => h.d));
  });

  after(async function () {
    await db?.end();
    await app?.close();
  });

  it('creates the shifts (one default), assigns the night and early rotas, and places two holidays inside the window', async function () {
    expect(result.window).to.deep.equal({ from: FROM, to: addDays(TODAY, -1) });
    expect(result.shiftsCreated).to.equal(3);
    expect(result.holidaysCreated).to.equal(2);
    const rows = await q<{ name: string; is_default: boolean; timezone: string; members: number }>(`
      SELECT s.name, s.is_default, s.timezone, count(u.id)::int AS members FROM shifts s LEFT JOIN users u ON u.shift_id = s.id GROUP BY s.id ORDER BY s.name`);
    expect(rows.map((r) => r.name).sort()).to.deep.equal(SEED_SHIFTS.map((s) => s.name).sort());
    expect(rows.filter((r) => r.is_default).map((r) => r.name)).to.deep.equal(['Day 09:00–17:00']);
    for (const row of rows) expect(row.timezone).to.equal(TZ);
    const night = rows.find((r) => r.name === 'Night 22:00–06:00')!;
    expect(night.members).to.be.within(1, 5);
    expect(result.shiftAssignments).to.equal(rows.reduce((sum, r) => sum + r.members, 0));
    const holidayRows = await q<{ name: string; d: string }>(`SELECT name, holiday_date::text AS d FROM holidays ORDER BY holiday_date`);
    expect(holidayRows.map((h) => h.name)).to.deep.equal(SEED_HOLIDAYS.map((h) => h.name));
    for (const h of holidayRows) expect(h.d >= FROM && h.d < TODAY, h.d).to.equal(true);
  });

  it('records a daily_stats row for every active user and past work date, and a session on most scheduled days', async function () {
    const users = await q<{ id: string; shift_id: string | null }>(`SELECT id, shift_id FROM users WHERE status = 'active' AND email LIKE $1`, [`%@${DEMO_EMAIL_DOMAIN}`]);
    expect(result.users).to.equal(users.length);
    const stats = await q<{ user_id: string; n: number; first: string; last: string }>(`
      SELECT user_id, count(*)::int AS n, min(work_date)::text AS first, max(work_date)::text AS last FROM daily_stats GROUP BY user_id`);
    const byUser = new Map(stats.map((s) => [s.user_id, s]));
    const nightId = [...shifts.values()].find((s) => s.name.startsWith('Night'))!.id;
    for (const user of users) {
      // A night worker at 09:00 is still on yesterday's work date (02 §4.2), so their last recorded date is the day before.
      const last = user.shift_id === nightId ? addDays(TODAY, -2) : addDays(TODAY, -1);
      expect(byUser.get(user.id), user.id).to.deep.include({ first: FROM, last, n: DAYS - (user.shift_id === nightId ? 1 : 0) });
    }
    expect(result.days).to.equal(stats.reduce((sum, s) => sum + s.n, 0));
    expect(result.sessions).to.equal(sessions.length);
    expect(result.breaks).to.equal(breaks.length);
    expect(result.exceptions).to.equal(exceptions.length);
    const [coverage] = await q<{ scheduled: number; worked: number }>(`
      SELECT count(*) FILTER (WHERE is_working_day)::int AS scheduled, count(*) FILTER (WHERE is_working_day AND session_count > 0)::int AS worked FROM daily_stats`);
    expect(coverage!.worked / coverage!.scheduled).to.be.within(0.85, 0.995);
    expect(await q(`SELECT 1 FROM attendance_sessions WHERE status = 'active' OR work_date >= $1`, [TODAY])).to.deep.equal([]);
  });

  it('every session follows the rules: work date, window, late, check-out flags, auto-close, durations, classification', function () {
    const firstOfDay = new Set<string>();
    const seen = new Set<string>();
    for (const s of sessions) {
      const key = `${s.user_id}|${s.work_date}`;
      if (!seen.has(key)) firstOfDay.add(s.id);
      seen.add(key);
    }
    const breaksOf = new Map<string, BreakRow[]>();
    for (const b of breaks) breaksOf.set(b.session_id, [...(breaksOf.get(b.session_id) ?? []), b]);
    const statuses = new Set<string>();
    const modes = new Set<string>();
    for (const s of sessions) {
      const label = `${s.id} ${s.work_date} ${s.status}`;
      statuses.add(s.status);
      modes.add(s.work_mode);
      const shift = s.shift_id ? shifts.get(s.shift_id)! : null;
      const checkIn = s.check_in_at;
      // A corrected session keeps its work date (02 §4.8), so the check-in still derives it.
      expect(workDateOf(checkIn, shift, TZ, settings().shiftPostEndGraceHours), label).to.equal(s.work_date);
      const scheduled = isScheduledDay(s.work_date, shift, holidays.has(s.work_date));
      expect(s.is_scheduled_day, label).to.equal(scheduled);
      const window = scheduled ? expectedWindow(s.work_date, shift!) : null;
      expect(s.expected_shift_start_at?.getTime() ?? null, label).to.equal(window?.start.getTime() ?? null);
      expect(s.expected_shift_end_at?.getTime() ?? null, label).to.equal(window?.end.getTime() ?? null);
      expect({ isLate: s.is_late, lateMinutes: s.late_minutes }, label).to.deep.equal(lateness(checkIn, window, shift?.graceMinutes ?? 0, firstOfDay.has(s.id)));
      expect(s.wfh_approved === null, label).to.equal(s.work_mode === 'office');

      const own = breaksOf.get(s.id) ?? [];
      const timing = checkoutTiming(s.check_out_at, window);
      if (s.status === 'incomplete') {
        expect(s.auto_closed_reason, label).to.be.oneOf(['shift_ended', 'max_duration']);
        const latest = own.reduce<number | null>((max, b) => Math.max(max ?? 0, b.started_at.getTime(), b.end_reason === 'auto_close' ? 0 : b.ended_at.getTime()), null);
        const plan = autoClosePlan(checkIn, window?.end ?? null, settings().maxActiveHours, settings().autoCloseGraceMinutes);
        expect(plan.reason, label).to.equal(s.auto_closed_reason);
        expect(s.check_out_at.getTime(), label).to.equal(autoCloseCheckOutAt(plan, checkIn, window?.end ?? null, latest === null ? null : new Date(latest)).getTime());
        expect([s.is_early_checkout, s.after_shift_reason, s.is_overtime], label).to.deep.equal([false, null, false]);
      } else {
        expect(s.status, label).to.be.oneOf(['completed', 'corrected']);
        expect(s.is_corrected, label).to.equal(s.status === 'corrected');
        expect(s.is_early_checkout, label).to.equal(timing.kind === 'early');
        expect(s.early_checkout_minutes, label).to.equal(timing.kind === 'early' ? timing.minutes : 0);
        expect(s.after_shift_minutes, label).to.equal(timing.kind === 'after' ? timing.minutes : 0);
        if (s.status === 'completed') {
          // 02 §4.3: an early check-out needed a reason; an after-shift one a reason and a note; a closed session was never stale.
          expect(s.early_checkout_reason !== null && s.early_checkout_reason.trim().length >= 5, label).to.equal(timing.kind === 'early');
          expect(s.after_shift_reason !== null && (s.after_shift_note ?? '').trim() !== '', label).to.equal(timing.kind === 'after');
          expect(s.is_overtime, label).to.equal(timing.kind === 'after' && s.after_shift_reason === 'overtime');
          const plan = autoClosePlan(checkIn, window?.end ?? null, settings().maxActiveHours, settings().autoCloseGraceMinutes);
          expect(s.check_out_at.getTime(), label).to.be.below(plan.dueAt.getTime());
          expect(s.auto_closed_reason, label).to.equal(null);
        } else {
          expect(s.is_overtime, label).to.equal(timing.kind === 'after' && s.after_shift_reason === 'overtime');
        }
      }
      const sum = (type?: string) => own.filter((b) => !type || b.break_type === type).reduce((n, b) => n + b.duration_seconds, 0);
      expect(s.break_seconds, label).to.equal(sum());
      expect([s.dinner_break_seconds, s.prayer_break_seconds, s.other_break_seconds], label).to.deep.equal([sum('dinner'), sum('prayer'), sum('other')]);
      expect(s.unpaid_break_seconds, label).to.equal(own.filter((b) => !b.is_paid).reduce((n, b) => n + b.duration_seconds, 0));
      expect(s.gross_seconds, label).to.equal(Math.floor((s.check_out_at.getTime() - checkIn.getTime()) / 1000));
      expect(s.worked_seconds, label).to.equal(s.gross_seconds - s.unpaid_break_seconds);
      expect(s.classification, label).to.equal(classify(s.worked_seconds));
    }
    expect([...statuses].sort()).to.deep.equal(['completed', 'corrected', 'incomplete']);
    expect([...modes].sort()).to.deep.equal(['office', 'wfh']);
    const flags = { late: 0, early: 0, overtime: 0, afterNotOvertime: 0, unscheduled: 0, twoSessionDays: seen.size < sessions.length };
    for (const s of sessions) {
      if (s.is_late) flags.late++;
      if (s.is_early_checkout) flags.early++;
      if (s.is_overtime) flags.overtime++;
      if (s.after_shift_reason === 'forgot_checkout') flags.afterNotOvertime++;
      if (!s.is_scheduled_day) flags.unscheduled++;
    }
    for (const [name, n] of Object.entries(flags)) expect(n, name).to.not.equal(0);
  });

  it('breaks lie inside their session, are closed, and have floor-second durations', function () {
    const byId = new Map(sessions.map((s) => [s.id, s]));
    expect(breaks.length).to.be.greaterThan(sessions.length / 3);
    const types = new Set<string>();
    const endReasons = new Set<string>();
    for (const b of breaks) {
      const s = byId.get(b.session_id)!;
      types.add(b.break_type);
      endReasons.add(b.end_reason);
      expect(b.user_id).to.equal(s.user_id);
      expect(b.started_at.getTime()).to.be.at.least(s.check_in_at.getTime());
      expect(b.ended_at.getTime()).to.be.at.most(s.check_out_at.getTime());
      expect(b.duration_seconds).to.equal(Math.floor((b.ended_at.getTime() - b.started_at.getTime()) / 1000));
      if (b.break_type === 'other') expect(b.note?.trim()).to.not.equal('');
      // Closed with the session (an approved correction later moves the session's check-out, never its breaks).
      if ((b.end_reason === 'check_out' || b.end_reason === 'auto_close') && s.status !== 'corrected') expect(b.ended_at.getTime()).to.equal(s.check_out_at.getTime());
    }
    expect([...types].sort()).to.deep.equal(['dinner', 'other', 'prayer']);
    expect(endReasons.has('manual')).to.equal(true);
  });

  it('has corrections in all five states, each with its correction_request exception handled as 02 §4.7 says', async function () {
    const corrections = await q<{
      id: string; session_id: string; user_id: string; requested_by_id: string; status: string; reviewer_id: string | null; resolved_at: Date | null;
      original_check_in_at: Date; original_check_out_at: Date; requested_check_in_at: Date | null; requested_check_out_at: Date | null; created_at: Date; updated_at: Date;
    }>(`SELECT * FROM attendance_corrections`);
    expect([...new Set(corrections.map((c) => c.status))].sort()).to.deep.equal(['approved', 'cancelled', 'needs_clarification', 'pending', 'rejected']);
    expect(Object.values(result.corrections).reduce((a, b) => a + b, 0)).to.equal(corrections.length);
    const byId = new Map(sessions.map((s) => [s.id, s]));
    for (const c of corrections) {
      const s = byId.get(c.session_id)!;
      expect(c.user_id).to.equal(s.user_id);
      expect(c.requested_by_id).to.equal(c.user_id);
      expect(c.created_at.getTime()).to.be.at.most(NOW.getTime());
      expect(c.updated_at.getTime()).to.be.at.least(c.created_at.getTime());
      if (c.status === 'approved') {
        expect(s.status).to.equal('corrected');
        expect(s.check_in_at.getTime()).to.equal((c.requested_check_in_at ?? c.original_check_in_at).getTime());
        expect(s.check_out_at.getTime()).to.equal((c.requested_check_out_at ?? c.original_check_out_at).getTime());
      } else {
        expect([s.check_in_at.getTime(), s.check_out_at.getTime()]).to.deep.equal([c.original_check_in_at.getTime(), c.original_check_out_at.getTime()]);
      }
      if (['approved', 'rejected', 'needs_clarification'].includes(c.status)) {
        expect(c.reviewer_id).to.be.a('string').and.not.equal(c.user_id);
      } else {
        expect(c.reviewer_id).to.equal(null);
      }
      const own = exceptions.filter((e) => e.correction_id === c.id);
      expect(own).to.have.length(1);
      const open = c.status === 'pending' || c.status === 'needs_clarification';
      expect(own[0]).to.deep.include({ type: 'correction_request', severity: 'medium', session_id: c.session_id, status: open ? 'open' : 'resolved', resolved_by_id: null });
      expect(own[0]!.resolution_note).to.equal(open ? null : `auto: correction ${c.status}`);
      // An approved correction resolves the missing_checkout of its session and the flags it removed (§4.7).
      if (c.status === 'approved') {
        for (const e of exceptions.filter((x) => x.session_id === c.session_id && x.type === 'missing_checkout')) {
          expect(e).to.deep.include({ status: 'resolved', resolution_note: 'auto: correction approved', resolved_by_id: null });
        }
        if (!s.is_late) for (const e of exceptions.filter((x) => x.user_id === s.user_id && x.work_date === s.work_date && x.type === 'late')) expect(e.status).to.not.equal('open');
      }
    }
  });

  it('raises exceptions consistent with the flags, auto-close and absences', async function () {
    const stats = await q<{ user_id: string; work_date: string; day_status: string }>(`SELECT user_id, work_date::text AS work_date, day_status FROM daily_stats`);
    const byKey = new Map<string, ExceptionRow[]>();
    for (const e of exceptions) byKey.set(`${e.user_id}|${e.work_date}|${e.type}`, [...(byKey.get(`${e.user_id}|${e.work_date}|${e.type}`) ?? []), e]);
    const exceptionOf = (s: { user_id: string; work_date: string }, type: string) => byKey.get(`${s.user_id}|${s.work_date}|${type}`)?.[0];
    for (const s of sessions) {
      if (s.is_late) expect(exceptionOf(s, 'late'), s.id).to.not.equal(undefined);
      if (s.is_early_checkout && s.status === 'completed') expect(exceptionOf(s, 'early'), s.id).to.not.equal(undefined);
      if (s.is_overtime) expect(exceptionOf(s, 'overtime'), s.id).to.not.equal(undefined);
      if (s.auto_closed_reason) expect(exceptionOf(s, 'missing_checkout'), s.id).to.deep.include({ session_id: s.id, severity: 'high' });
    }
    const sessionById = new Map(sessions.map((s) => [s.id, s]));
    for (const e of exceptions) {
      expect(e.detected_at.getTime()).to.be.at.most(NOW.getTime());
      if (e.status !== 'open') expect(e.resolution_note).to.be.a('string');
      if (e.type === 'late' || e.type === 'early' || e.type === 'overtime') {
        const s = sessionById.get(e.session_id!)!;
        const flag = e.type === 'late' ? s.is_late : e.type === 'early' ? s.is_early_checkout : s.is_overtime;
        // A flag only disappears through an approved correction, which resolves the exception as the system.
        if (!flag) expect(e).to.deep.include({ status: 'resolved', resolution_note: 'auto: correction approved', resolved_by_id: null });
      }
      if (e.type === 'absent') {
        const day = stats.find((d) => d.user_id === e.user_id && d.work_date === e.work_date)!;
        if (day.day_status === 'absent') expect(e.resolution_note ?? '').to.not.match(/^auto:/);
        else expect(e).to.deep.include({ status: 'resolved', resolution_note: 'auto: checked in', resolved_by_id: null });
      }
    }
    for (const d of stats.filter((x) => x.day_status === 'absent')) expect(exceptionOf(d, 'absent'), `${d.user_id} ${d.work_date}`).to.not.equal(undefined);
    const handled = exceptions.filter((e) => e.resolved_by_id !== null);
    expect(handled.length).to.be.greaterThan(0);
    const types = new Set(exceptions.map((e) => e.type));
    expect([...types].sort()).to.deep.equal(['absent', 'correction_request', 'early', 'late', 'missing_checkout', 'overtime']);
  });

  it('has an overnight session that crosses midnight and keeps the evening’s work date', function () {
    const nightId = [...shifts.values()].find((s) => s.name.startsWith('Night'))!.id;
    const overnight = sessions.filter((s) => s.shift_id === nightId && s.is_scheduled_day);
    expect(overnight.length).to.be.greaterThan(5);
    for (const s of overnight) {
      expect(localParts(s.check_in_at, TZ).date, s.id).to.be.oneOf([s.work_date, addDays(s.work_date, 1)]);
      if (s.status !== 'incomplete') expect(localParts(s.check_out_at, TZ).date, s.id).to.equal(addDays(s.work_date, 1));
    }
    expect(overnight.some((s) => localParts(s.check_in_at, TZ).date === s.work_date && localParts(s.check_out_at, TZ).date === addDays(s.work_date, 1))).to.equal(true);
  });

  it('writes daily_stats exactly as evaluateDay and the §4.4 sums give them', async function () {
    const stats = await q<{
      user_id: string; work_date: string; session_count: number; worked_seconds: number; break_seconds: number; first_check_in_at: Date | null;
      last_check_out_at: Date | null; is_late: boolean; is_early_checkout: boolean; is_overtime: boolean; is_wfh: boolean; is_absent: boolean;
      is_holiday: boolean; is_working_day: boolean; day_status: string; day_classification: string | null; shift_id: string | null;
    }>(`SELECT d.*, d.work_date::text AS work_date, u.shift_id FROM daily_stats d JOIN users u ON u.id = d.user_id`);
    const defaultShift = [...shifts.values()].find((s) => s.name.startsWith('Day'))!;
    const byDay = new Map<string, SessionRow[]>();
    for (const s of sessions) byDay.set(`${s.user_id}|${s.work_date}`, [...(byDay.get(`${s.user_id}|${s.work_date}`) ?? []), s]);
    const statuses = new Set<string>();
    for (const d of stats) {
      const own = byDay.get(`${d.user_id}|${d.work_date}`) ?? [];
      const shift = d.shift_id ? shifts.get(d.shift_id)! : defaultShift;
      const holiday = holidays.has(d.work_date) ? { id: 'h', name: 'h' } : null;
      const outcome = evaluateDay({
        workDate: d.work_date,
        now: NOW,
        orgTimezone: TZ,
        shift,
        holiday,
        leaveCoversDay: false,
        sessions: own.map((s) => ({ workMode: s.work_mode, status: s.status, workedSeconds: s.worked_seconds })),
      });
      const label = `${d.user_id} ${d.work_date}`;
      statuses.add(d.day_status);
      expect({ dayStatus: d.day_status, isWorkingDay: d.is_working_day, dayClassification: d.day_classification }, label).to.deep.equal({
        dayStatus: outcome.dayStatus,
        isWorkingDay: outcome.isWorkingDay,
        dayClassification: outcome.dayClassification,
      });
      expect(d.session_count, label).to.equal(own.length);
      expect(d.worked_seconds, label).to.equal(own.reduce((n, s) => n + s.worked_seconds, 0));
      expect(d.break_seconds, label).to.equal(own.reduce((n, s) => n + s.break_seconds, 0));
      expect(d.first_check_in_at?.getTime() ?? null, label).to.equal(own[0]?.check_in_at.getTime() ?? null);
      expect(d.last_check_out_at?.getTime() ?? null, label).to.equal(own.length ? Math.max(...own.map((s) => s.check_out_at.getTime())) : null);
      expect([d.is_late, d.is_early_checkout, d.is_overtime, d.is_wfh, d.is_absent, d.is_holiday], label).to.deep.equal([
        own[0]?.is_late ?? false,
        own.some((s) => s.is_early_checkout),
        own.some((s) => s.is_overtime),
        own.some((s) => s.work_mode === 'wfh'),
        outcome.dayStatus === 'absent',
        holiday !== null,
      ]);
    }
    expect([...statuses].sort()).to.deep.equal(['absent', 'checked_out', 'holiday', 'off_day', 'wfh']);
  });

  it('reads back through the contract: GET /attendance/me, /attendance/me/today, a corrected session, own corrections', async function () {
    const [row] = await q<{ id: string; email: string; full_name: string }>(`SELECT id, email, full_name FROM users WHERE email = $1`, [`employee1@${DEMO_EMAIL_DOMAIN}`]);
    const { api } = await signIn(app, { id: row!.id, email: row!.email, fullName: row!.full_name, role: 'employee' });
    const own = sessions.filter((s) => s.user_id === row!.id);

    const list = await api.GET('/attendance/me', { params: { query: { from: FROM, to: addDays(TODAY, -1), limit: 200, sort: 'workDate' } } });
    expect(list.response.status).to.equal(200);
    expect(list.data!.total).to.equal(own.length);
    expect(list.data!.items.map((s) => s.id).sort()).to.deep.equal(own.map((s) => s.id).sort());
    const corrected = list.data!.items.find((s) => s.status === 'corrected')!;
    expect(corrected).to.deep.include({ isCorrected: true, correctionPending: false, userId: row!.id });
    expect(list.data!.items.filter((s) => s.correctionPending)).to.have.length(2);

    const today = await api.GET('/attendance/me/today');
    expect(today.response.status).to.equal(200);
    expect(today.data).to.deep.include({ workDate: TODAY, dayStatus: 'scheduled', firstCheckInAt: null, activeSessionId: null });
    expect(today.data!.sessions).to.deep.equal([]);

    const detail = await api.GET('/attendance/sessions/{sessionId}', { params: { path: { sessionId: corrected.id } } });
    expect(detail.response.status).to.equal(200);
    expect(detail.data!.status).to.equal('corrected');
    expect(detail.data!.breaks).to.be.an('array');
    expect(detail.data!.corrections?.map((c) => c.status)).to.deep.equal(['approved']);

    const corrections = await api.GET('/attendance/corrections', { params: { query: { scope: 'own', limit: 50 } } });
    expect(corrections.response.status).to.equal(200);
    expect(corrections.data!.items.map((c) => c.status).sort()).to.deep.equal(['approved', 'cancelled', 'needs_clarification', 'pending', 'rejected']);
  });

  it("agrees with the API's own evaluation: the roster of a past day and the exceptions summary", async function () {
    const [admin] = await q<{ id: string; email: string; full_name: string }>(`SELECT id, email, full_name FROM users WHERE email = $1`, [`admin1@${DEMO_EMAIL_DOMAIN}`]);
    const { api } = await signIn(app, { id: admin!.id, email: admin!.email, fullName: admin!.full_name, role: 'admin' });
    const date = addDays(TODAY, -3);
    const roster = await api.GET('/attendance/roster', { params: { query: { date, limit: 200 } } });
    expect(roster.response.status).to.equal(200);
    const stats = await q<{ user_id: string; day_status: string; is_late: boolean; worked_seconds: number; day_classification: string | null }>(
      `SELECT user_id, day_status, is_late, worked_seconds, day_classification FROM daily_stats WHERE work_date = $1`,
      [date],
    );
    const byUser = new Map(stats.map((s) => [s.user_id, s]));
    const demo = roster.data!.items.filter((i) => byUser.has(i.userId));
    expect(demo).to.have.length(result.users);
    for (const item of demo) {
      const s = byUser.get(item.userId)!;
      expect({ dayStatus: item.dayStatus, isLate: item.isLate, workedSeconds: item.workedSeconds, dayClassification: item.dayClassification }, item.userId).to.deep.equal({
        dayStatus: s.day_status,
        isLate: s.is_late,
        workedSeconds: s.worked_seconds,
        dayClassification: s.day_classification,
      });
    }

    const listed = await api.GET('/attendance/exceptions', { params: { query: { startDate: FROM, endDate: addDays(TODAY, -1), status: 'all', scope: 'org', limit: 1 } } });
    expect(listed.response.status).to.equal(200);
    expect(listed.data!.total).to.equal(exceptions.length);
    const count = (type: string) => exceptions.filter((e) => e.type === type).length;
    expect(listed.data!.summary).to.deep.include({
      open: exceptions.filter((e) => e.status === 'open').length,
      late: count('late'),
      absent: count('absent'),
      missingCheckout: count('missing_checkout'),
      correctionRequest: count('correction_request'),
    });
  });

  it('writes no audit rows, and a second run for the same window adds nothing', async function () {
    this.timeout(60_000);
    const before = await tableCounts();
    expect(before.audit_logs).to.equal(0);
    const again = await seedAttendance(db, { days: DAYS, now: NOW, orgTimezone: TZ, attendance: app.config.attendance });
    expect(again).to.deep.include({ shiftsCreated: 0, shiftAssignments: 0, holidaysCreated: 0, usersBackdated: 0, days: 0, sessions: 0, breaks: 0, exceptions: 0 });
    expect(again.corrections).to.deep.equal({ pending: 0, needs_clarification: 0, approved: 0, rejected: 0, cancelled: 0 });
    expect(await tableCounts()).to.deep.equal(before);
  });

  it("a seeded open correction can be decided through the API (02 §4.8's re-checks pass on seeded data)", async function () {
    const [row] = await q<{ id: string; session_id: string; user_id: string }>(`
      SELECT c.id, c.session_id, c.user_id FROM attendance_corrections c JOIN users u ON u.id = c.user_id
      WHERE u.email = $1 AND c.status = 'pending'`, [`employee1@${DEMO_EMAIL_DOMAIN}`]);
    const [manager] = await q<{ id: string; email: string; full_name: string }>(`SELECT id, email, full_name FROM users WHERE email = $1`, [`manager1@${DEMO_EMAIL_DOMAIN}`]);
    const { api } = await signIn(app, { id: manager!.id, email: manager!.email, fullName: manager!.full_name, role: 'manager' });
    const approved = await api.POST('/attendance/corrections/{correctionId}/approve', { params: { path: { correctionId: row!.id } }, body: { comment: 'Confirmed' } });
    expect(approved.response.status).to.equal(200);
    expect(approved.data).to.deep.include({ id: row!.id, status: 'approved', reviewerId: manager!.id, reviewerComment: 'Confirmed' });
    const [session] = await q<{ status: string; is_corrected: boolean }>(`SELECT status, is_corrected FROM attendance_sessions WHERE id = $1`, [row!.session_id]);
    expect(session).to.deep.equal({ status: 'corrected', is_corrected: true });
    const [request] = await q<{ status: string; resolution_note: string }>(`SELECT status, resolution_note FROM attendance_exceptions WHERE correction_id = $1`, [row!.id]);
    expect(request).to.deep.equal({ status: 'resolved', resolution_note: 'auto: correction approved' });
  });

  it('parses --days D / --days=D (1..120, default 60) next to --users', function () {
    expect(parseSeedArgs([])).to.deep.equal({ users: 40, days: 60 });
    expect(parseSeedArgs(['--days', '90', '--users=10000'])).to.deep.equal({ users: 10000, days: 90 });
    expect(parseSeedArgs(['--days=1'])).to.deep.equal({ users: 40, days: 1 });
    expect(() => parseSeedArgs(['--days', '121'])).to.throw(/--days must be from 1 to 120/);
    expect(() => parseSeedArgs(['--days', '0'])).to.throw(/--days must be from 1 to 120/);
    expect(() => parseSeedArgs(['--days'])).to.throw(/--days needs a whole number/);
    expect(() => parseSeedArgs(['--days', '-3'])).to.throw(/--days needs a whole number/);
  });
});
