import { describe, expect, it } from 'vitest';
import { fromWall, isValidTimeZone, offsetMs, toWall, weekdayOf, zoneOf } from './zoned-time.js';

// Expectations are written with the zone's offset spelled out, so each can be checked against a calendar.
const NY = zoneOf('America/New_York');
const BERLIN = zoneOf('Europe/Berlin');
const HOUR = 3_600_000;
const dayNumber = (isoDate: string): number => Date.parse(`${isoDate}T00:00:00Z`) / 86_400_000;
const instant = (iso: string): number => Date.parse(iso);

describe('zoned-time', () => {
  it('caches one zone per name', () => {
    expect(zoneOf('UTC')).toBe(zoneOf('UTC'));
  });

  it('validates IANA names', () => {
    expect(isValidTimeZone('America/New_York')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('  ')).toBe(false);
  });

  it('reads offsets either side of DST', () => {
    expect(offsetMs(NY, instant('2024-01-15T12:00:00Z'))).toBe(-5 * HOUR);
    expect(offsetMs(NY, instant('2024-07-15T12:00:00Z'))).toBe(-4 * HOUR);
    expect(offsetMs(BERLIN, instant('2024-01-15T12:00:00Z'))).toBe(1 * HOUR);
    expect(offsetMs(BERLIN, instant('2024-07-15T12:00:00Z'))).toBe(2 * HOUR);
  });

  it('turns an instant into the local day and minute', () => {
    expect(toWall(NY, instant('2024-07-01T12:00:00Z'))).toEqual({
      dayNumber: dayNumber('2024-07-01'),
      minuteOfDay: 8 * 60,
    });
    // 02:30 UTC is still the previous evening in New York.
    expect(toWall(NY, instant('2024-07-01T02:30:00Z'))).toEqual({
      dayNumber: dayNumber('2024-06-30'),
      minuteOfDay: 22 * 60 + 30,
    });
  });

  it('counts weekdays from Sunday, 1970-01-01 being a Thursday', () => {
    expect(weekdayOf(0)).toBe(4);
    expect(weekdayOf(-1)).toBe(3);
    expect(weekdayOf(dayNumber('2024-03-10'))).toBe(0);
  });

  it('turns a local day and minute back into an instant, past midnight too', () => {
    expect(fromWall(NY, dayNumber('2024-07-01'), 11 * 60)).toBe(instant('2024-07-01T11:00:00-04:00'));
    expect(fromWall(NY, dayNumber('2024-07-01'), 26 * 60)).toBe(instant('2024-07-02T02:00:00-04:00'));
  });

  it('moves a time skipped by spring-forward to the end of the gap', () => {
    expect(fromWall(NY, dayNumber('2024-03-10'), 2 * 60 + 30)).toBe(instant('2024-03-10T03:00:00-04:00'));
    expect(fromWall(NY, dayNumber('2024-03-10'), 3 * 60)).toBe(instant('2024-03-10T03:00:00-04:00'));
  });

  it('gives the first occurrence of a time repeated by fall-back', () => {
    expect(fromWall(NY, dayNumber('2024-11-03'), 60 + 30)).toBe(instant('2024-11-03T01:30:00-04:00'));
    expect(fromWall(NY, dayNumber('2024-11-03'), 2 * 60)).toBe(instant('2024-11-03T02:00:00-05:00'));
  });
});
