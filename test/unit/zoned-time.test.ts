import { expect } from 'chai';
import { addDays, daysBetween, isCalendarDate, isoWeekdayOf, localParts, offsetAt, zonedInstant } from '../../src/lib/zoned-time.ts';

describe('zoned time (tz database arithmetic)', () => {
  it('reads local date, minutes and ISO weekday of an instant', () => {
    const p = localParts(new Date('2026-06-25T20:30:00.000Z'), 'Asia/Karachi'); // UTC+5, no DST
    expect(p.date).to.equal('2026-06-26');
    expect(p.minutes).to.equal(90);
    expect(p.isoWeekday).to.equal(5); // Friday
  });

  it('converts a wall clock to the instant in a fixed-offset zone', () => {
    expect(zonedInstant('2026-06-25', 17 * 60, 'Asia/Karachi').toISOString()).to.equal('2026-06-25T12:00:00.000Z');
  });

  it('moves a time inside a spring-forward gap forward by the gap (America/New_York)', () => {
    // 2026-03-08 02:30 does not exist in New York; it becomes 03:30 EDT = 07:30Z.
    expect(zonedInstant('2026-03-08', 150, 'America/New_York').toISOString()).to.equal('2026-03-08T07:30:00.000Z');
  });

  it('takes the earlier offset for an ambiguous fall-back time (Europe/Berlin)', () => {
    // 2026-10-25 02:30 happens twice in Berlin: 00:30Z (CEST) and 01:30Z (CET).
    expect(zonedInstant('2026-10-25', 150, 'Europe/Berlin').toISOString()).to.equal('2026-10-25T00:30:00.000Z');
  });

  it('has 23- and 25-hour days across DST changes', () => {
    const tz = 'America/New_York';
    const spring = zonedInstant('2026-03-09', 0, tz).getTime() - zonedInstant('2026-03-08', 0, tz).getTime();
    const fall = zonedInstant('2026-11-02', 0, tz).getTime() - zonedInstant('2026-11-01', 0, tz).getTime();
    expect(spring / 3_600_000).to.equal(23);
    expect(fall / 3_600_000).to.equal(25);
    expect(offsetAt(new Date('2026-07-01T00:00:00Z'), tz)).to.equal(-4 * 3_600_000);
  });

  it('does calendar arithmetic on dates', () => {
    expect(addDays('2026-02-28', 1)).to.equal('2026-03-01');
    expect(addDays('2026-01-01', -1)).to.equal('2025-12-31');
    expect(daysBetween('2026-06-01', '2026-06-30')).to.equal(29);
    expect(isoWeekdayOf('2026-11-29')).to.equal(7);
    expect(isCalendarDate('2026-02-30')).to.equal(false);
    expect(isCalendarDate('2024-02-29')).to.equal(true);
  });
});
