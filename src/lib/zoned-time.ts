/**
 * Wall clock ↔ instant in an IANA time zone, from the tz database via Intl (02 §4.2). Durations are always
 * differences of UTC instants; these functions only decide which instant a local date and time mean.
 * A local time in a DST gap moves forward by the gap; an ambiguous one takes the earlier offset (earlier instant).
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

const WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export interface LocalParts {
  /** `YYYY-MM-DD` */
  date: string;
  /** Minutes since local midnight (0..1439). */
  minutes: number;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  isoWeekday: number;
  /** The wall clock read as if it were UTC, in ms (for offset arithmetic). */
  wallMs: number;
}

/** The local date, time and weekday of an instant in `tz`. */
export function localParts(instant: Date, tz: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(instant)) parts[p.type] = p.value;
  const y = Number(parts.year);
  const m = Number(parts.month);
  const d = Number(parts.day);
  const h = Number(parts.hour);
  const mi = Number(parts.minute);
  const s = Number(parts.second);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: h * 60 + mi,
    isoWeekday: WEEKDAY[parts.weekday!]!,
    wallMs: Date.UTC(y, m - 1, d, h, mi, s) + (instant.getTime() % 1000 + 1000) % 1000,
  };
}

/** UTC offset of `tz` at an instant, in ms (local − UTC). */
export function offsetAt(instant: Date, tz: string): number {
  return localParts(instant, tz).wallMs - instant.getTime();
}

function parseDate(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return [y, m, d];
}

/** `HH:MM` → minutes since midnight. */
export function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** The instant at which the wall clock in `tz` shows `date` + `minutes` (DST gap → forward; overlap → earlier). */
export function zonedInstant(date: string, minutes: number, tz: string): Date {
  const [y, m, d] = parseDate(date);
  const wall = Date.UTC(y, m - 1, d) + minutes * MINUTE;
  const before = offsetAt(new Date(wall - DAY), tz);
  const after = offsetAt(new Date(wall + DAY), tz);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((t) => localParts(new Date(t), tz).wallMs === wall)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return new Date(candidates[0]!);
  // In a gap: the pre-transition offset lands after the transition, i.e. the wall time moved forward by the gap.
  return new Date(wall - before);
}

/** `date` ± `days`, as `YYYY-MM-DD`. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = parseDate(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** ISO weekday (1 = Monday) of a calendar date. */
export function isoWeekdayOf(date: string): number {
  const [y, m, d] = parseDate(date);
  const day = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return day === 0 ? 7 : day;
}

/** Whole days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  const [ya, ma, da] = parseDate(a);
  const [yb, mb, db] = parseDate(b);
  return Math.round((Date.UTC(yb, mb - 1, db) - Date.UTC(ya, ma - 1, da)) / DAY);
}

/** Today's calendar date in `tz`. */
export const todayIn = (now: Date, tz: string) => localParts(now, tz).date;

/** A real calendar date (rejects 2026-02-30). */
export function isCalendarDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const [y, m, d] = parseDate(date);
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}
