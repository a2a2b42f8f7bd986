import { describe, expect, it } from 'vitest';
import {
  type OpeningHours,
  closesAt,
  describeOpening,
  describeWeeklyHours,
  isOpenAt,
  isValidTimeZone,
  nextOpeningAt,
  parseOpeningHours,
} from './opening-hours.js';

// Instants are written as ISO strings with the zone's offset spelled out, so each expectation can be checked
// by hand against a calendar without trusting the code under test.
const at = (iso: string): Date => new Date(iso);
const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const WEEKLY = 'mon-fri 11:00-22:00; sat 12:00-23:30; sun 12:00-21:00';

const daysOf = (hours: OpeningHours): number[] => [...new Set(hours.windows.map((w) => w.day))].sort();
const windowsOn = (hours: OpeningHours, day: number): [number, number][] =>
  hours.windows.filter((w) => w.day === day).map((w) => [w.startMinute, w.endMinute]);

describe('parseOpeningHours', () => {
  it('parses day ranges with one window each', () => {
    const hours = parseOpeningHours(WEEKLY, NY);
    expect(hours.alwaysOpen).toBe(false);
    expect(hours.timeZone).toBe(NY);
    expect(hours.text).toBe(WEEKLY);
    expect(hours.windows).toHaveLength(7);
    expect(windowsOn(hours, 1)).toEqual([[660, 1320]]);
    expect(windowsOn(hours, 5)).toEqual([[660, 1320]]);
    expect(windowsOn(hours, 6)).toEqual([[720, 1410]]);
    expect(windowsOn(hours, 0)).toEqual([[720, 1260]]);
  });

  it('parses several windows per day', () => {
    const hours = parseOpeningHours('mon-thu 11:30-14:30,17:00-22:00', NY);
    expect(daysOf(hours)).toEqual([1, 2, 3, 4]);
    expect(windowsOn(hours, 3)).toEqual([
      [690, 870],
      [1020, 1320],
    ]);
  });

  it('treats an end at or before the start as closing after midnight', () => {
    const hours = parseOpeningHours('fri-sat 18:00-02:00', NY);
    expect(hours.windows).toEqual([
      { day: 5, startMinute: 1080, endMinute: 1560 },
      { day: 6, startMinute: 1080, endMinute: 1560 },
    ]);
  });

  it('accepts daily, everyday, day lists, full names in any case and wrapping ranges', () => {
    expect(daysOf(parseOpeningHours('daily 11:00-23:00', NY))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(daysOf(parseOpeningHours('Everyday 11:00-23:00', NY))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(daysOf(parseOpeningHours('mon,wed,fri 10:00-16:00', NY))).toEqual([1, 3, 5]);
    expect(daysOf(parseOpeningHours('Monday-FRIDAY 09:00-17:00', NY))).toEqual([1, 2, 3, 4, 5]);
    expect(daysOf(parseOpeningHours('fri-mon 12:00-20:00', NY))).toEqual([0, 1, 5, 6]);
  });

  it('accepts 24:00 as an end', () => {
    expect(windowsOn(parseOpeningHours('sat 18:00-24:00', NY), 6)).toEqual([[1080, 1440]]);
  });

  it('lets a later clause replace the days it names', () => {
    const hours = parseOpeningHours('daily 11:00-22:00; sun 12:00-20:00; mon closed', NY);
    expect(windowsOn(hours, 0)).toEqual([[720, 1200]]);
    expect(windowsOn(hours, 1)).toEqual([]);
    expect(windowsOn(hours, 2)).toEqual([[660, 1320]]);
  });

  it('joins back-to-back windows of one day', () => {
    expect(windowsOn(parseOpeningHours('fri 11:00-15:00,15:00-02:00', NY), 5)).toEqual([[660, 1560]]);
  });

  it('is always open when unset, empty or blank', () => {
    for (const spec of [undefined, '', '   ']) {
      const hours = parseOpeningHours(spec, NY);
      expect(hours.alwaysOpen).toBe(true);
      expect(hours.windows).toEqual([]);
    }
  });

  it('is always open when the windows cover the whole week', () => {
    expect(parseOpeningHours('daily 00:00-24:00', NY).alwaysOpen).toBe(true);
    expect(parseOpeningHours('daily 06:00-06:00', NY).alwaysOpen).toBe(true);
    expect(parseOpeningHours('mon-sat 00:00-24:00; sun 00:00-23:59', NY).alwaysOpen).toBe(false);
  });

  it.each([
    ['mon-fri 25:00-22:00', /time "25:00" is out of range/],
    ['mon 10:00-12:60', /time "12:60" is out of range/],
    ['mon 24:00-02:00', /time "24:00" is out of range/],
    ['funday 10:00-12:00', /unknown day "funday"/],
    ['mon 10-12', /invalid time "10" \(expected HH:MM/],
    ['mon-fri', /"mon-fri": no opening times/],
    ['mon-fri 11:00-14:00,', /empty time range/],
    ['11:00-22:00', /days are missing/],
    ['mon- 10:00-12:00', /"mon-" is not a day range/],
    ['mon 10:00-12:00-14:00', /"10:00-12:00-14:00" is not a time range/],
    ['mon 10:00-14:00,13:00-18:00', /10:00-14:00 and 13:00-18:00 overlap/],
    ['daily closed', /every day is closed/],
  ])('rejects %j', (spec, message) => {
    expect(() => parseOpeningHours(spec, NY)).toThrow(message);
  });

  it('lists every problem in one message', () => {
    expect(() => parseOpeningHours('mon 25:00-26:00; funday 10:00-12:00', NY)).toThrow(
      /"25:00" is out of range.*"26:00" is out of range.*unknown day "funday"/,
    );
  });

  it('rejects an unknown time zone', () => {
    expect(() => parseOpeningHours(WEEKLY, 'Mars/Olympus_Mons')).toThrow(
      /unknown time zone "Mars\/Olympus_Mons"/,
    );
  });
});

describe('isOpenAt', () => {
  it('follows New York wall time in winter and summer', () => {
    const hours = parseOpeningHours(WEEKLY, NY);
    expect(isOpenAt(hours, at('2026-01-14T10:59:00-05:00'))).toBe(false);
    expect(isOpenAt(hours, at('2026-01-14T11:00:00-05:00'))).toBe(true);
    // 21:59 EST is already Thursday in UTC.
    expect(isOpenAt(hours, at('2026-01-14T21:59:00-05:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-01-14T22:00:00-05:00'))).toBe(false);
    expect(isOpenAt(hours, at('2026-07-15T10:59:00-04:00'))).toBe(false);
    expect(isOpenAt(hours, at('2026-07-15T11:00:00-04:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-07-18T23:29:00-04:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-07-18T23:30:00-04:00'))).toBe(false);
  });

  it('follows Berlin wall time, including on its spring-forward day', () => {
    const hours = parseOpeningHours(WEEKLY, BERLIN);
    expect(isOpenAt(hours, at('2026-01-14T10:59:00+01:00'))).toBe(false);
    expect(isOpenAt(hours, at('2026-01-14T11:00:00+01:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-07-15T21:59:00+02:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-07-15T22:00:00+02:00'))).toBe(false);
    // 2026-03-29 is a Sunday: clocks go from 02:00 CET to 03:00 CEST.
    expect(isOpenAt(hours, at('2026-03-29T11:59:00+02:00'))).toBe(false);
    expect(isOpenAt(hours, at('2026-03-29T12:00:00+02:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-03-29T20:59:00+02:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-03-29T21:00:00+02:00'))).toBe(false);
  });

  it('stays open after midnight for an overnight window', () => {
    const hours = parseOpeningHours('fri 18:00-02:00', NY);
    expect(isOpenAt(hours, at('2026-01-16T17:59:00-05:00'))).toBe(false);
    expect(isOpenAt(hours, at('2026-01-16T18:00:00-05:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-01-17T01:00:00-05:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-01-17T02:00:00-05:00'))).toBe(false);
    expect(isOpenAt(hours, at('2026-01-17T18:30:00-05:00'))).toBe(false);
  });

  it('carries a Saturday overnight window into Sunday', () => {
    const hours = parseOpeningHours('sat 18:00-02:00', NY);
    expect(isOpenAt(hours, at('2026-01-18T01:00:00-05:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-01-18T02:00:00-05:00'))).toBe(false);
  });

  it('opens a window that starts inside the spring-forward gap right after the gap', () => {
    // 02:30 does not exist on 2026-03-08 in New York: 01:59 EST is followed by 03:00 EDT.
    const hours = parseOpeningHours('sun 02:30-05:00', NY);
    expect(isOpenAt(hours, at('2026-03-08T01:59:00-05:00'))).toBe(false);
    expect(isOpenAt(hours, at('2026-03-08T03:00:00-04:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-03-08T04:59:00-04:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-03-08T05:00:00-04:00'))).toBe(false);
  });

  it('agrees with a plain wall-clock check every 5 minutes across the spring DST week', () => {
    const spec =
      'mon-thu 11:00-22:00; fri 11:00-22:00,23:00-02:00; sat 12:00-03:00; sun 01:30-04:00,12:00-21:00';
    const hours = parseOpeningHours(spec, NY);
    const wall = new Intl.DateTimeFormat('en-US', {
      timeZone: NY,
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
    const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const expected = (instant: Date): boolean => {
      const parts = Object.fromEntries(wall.formatToParts(instant).map((p) => [p.type, p.value]));
      const minute =
        weekdays.indexOf(parts.weekday ?? '') * 1440 + Number(parts.hour) * 60 + Number(parts.minute);
      return hours.windows.some((w) =>
        [minute, minute + 7 * 1440].some(
          (m) => m >= w.day * 1440 + w.startMinute && m < w.day * 1440 + w.endMinute,
        ),
      );
    };
    // Both states must occur often, or the comparison proves nothing.
    const seen = { open: 0, closed: 0 };
    for (
      let t = Date.parse('2026-03-05T00:00:00Z');
      t < Date.parse('2026-03-12T00:00:00Z');
      t += 5 * 60_000
    ) {
      const instant = new Date(t);
      expect(isOpenAt(hours, instant), instant.toISOString()).toBe(expected(instant));
      seen[expected(instant) ? 'open' : 'closed']++;
    }
    expect(seen.open).toBeGreaterThan(500);
    expect(seen.closed).toBeGreaterThan(500);
  });

  it('is always open without a spec', () => {
    const hours = parseOpeningHours(undefined, NY);
    expect(isOpenAt(hours, at('2026-01-14T03:00:00-05:00'))).toBe(true);
    expect(isOpenAt(hours, at('2026-03-08T02:30:00Z'))).toBe(true);
  });
});

describe('nextOpeningAt', () => {
  const weekdays = parseOpeningHours('mon-fri 11:00-22:00', NY);

  it('returns the instant itself when open', () => {
    const now = at('2026-01-14T12:00:00-05:00');
    expect(nextOpeningAt(weekdays, now)).toEqual(now);
  });

  it('finds a later window the same day', () => {
    expect(nextOpeningAt(weekdays, at('2026-01-14T09:00:00-05:00'))).toEqual(at('2026-01-14T11:00:00-05:00'));
  });

  it('skips the weekend', () => {
    expect(nextOpeningAt(weekdays, at('2026-01-17T12:00:00-05:00'))).toEqual(at('2026-01-19T11:00:00-05:00'));
    expect(nextOpeningAt(weekdays, at('2026-01-16T22:00:00-05:00'))).toEqual(at('2026-01-19T11:00:00-05:00'));
  });

  it('lands on local 11:00 after clocks spring forward (2026-03-08)', () => {
    expect(nextOpeningAt(weekdays, at('2026-03-06T23:00:00-05:00'))).toEqual(at('2026-03-09T11:00:00-04:00'));
  });

  it('lands on local 11:00 after clocks fall back (2026-11-01)', () => {
    expect(nextOpeningAt(weekdays, at('2026-10-31T23:00:00-04:00'))).toEqual(at('2026-11-02T11:00:00-05:00'));
  });

  it('computes a window on the DST-change day itself', () => {
    const sundays = parseOpeningHours('sun 12:00-21:00', NY);
    expect(nextOpeningAt(sundays, at('2026-03-08T00:00:00-05:00'))).toEqual(at('2026-03-08T12:00:00-04:00'));
    expect(nextOpeningAt(sundays, at('2026-11-01T00:00:00-04:00'))).toEqual(at('2026-11-01T12:00:00-05:00'));
  });

  it('maps a start inside the spring-forward gap to the instant after the gap', () => {
    const hours = parseOpeningHours('sun 02:30-05:00', NY);
    expect(nextOpeningAt(hours, at('2026-03-08T01:00:00-05:00'))).toEqual(at('2026-03-08T03:00:00-04:00'));
  });

  it('uses the first of two repeated wall times when clocks fall back', () => {
    const hours = parseOpeningHours('sun 01:30-03:00', NY);
    expect(nextOpeningAt(hours, at('2026-11-01T00:00:00-04:00'))).toEqual(at('2026-11-01T01:30:00-04:00'));
    expect(closesAt(hours, at('2026-11-01T01:45:00-04:00'))).toEqual(at('2026-11-01T03:00:00-05:00'));
  });

  it('crosses the Berlin DST change over a weekend', () => {
    const hours = parseOpeningHours('mon-fri 09:00-17:00', BERLIN);
    expect(nextOpeningAt(hours, at('2026-03-27T18:00:00+01:00'))).toEqual(at('2026-03-30T09:00:00+02:00'));
  });

  it('is null when always open', () => {
    expect(nextOpeningAt(parseOpeningHours('', NY), at('2026-01-14T12:00:00Z'))).toBeNull();
  });
});

describe('closesAt', () => {
  it('returns the end of the current window', () => {
    const hours = parseOpeningHours(WEEKLY, NY);
    expect(closesAt(hours, at('2026-01-14T12:00:00-05:00'))).toEqual(at('2026-01-14T22:00:00-05:00'));
  });

  it('ends an overnight window at local time across spring-forward', () => {
    const hours = parseOpeningHours('sat 22:00-04:00', NY);
    expect(closesAt(hours, at('2026-03-07T23:00:00-05:00'))).toEqual(at('2026-03-08T04:00:00-04:00'));
  });

  it('treats back-to-back windows on consecutive days as one', () => {
    const hours = parseOpeningHours('thu 18:00-24:00; fri 00:00-02:00', NY);
    expect(closesAt(hours, at('2026-01-15T20:00:00-05:00'))).toEqual(at('2026-01-16T02:00:00-05:00'));
  });

  it('is null when closed or always open', () => {
    expect(closesAt(parseOpeningHours(WEEKLY, NY), at('2026-01-14T08:00:00-05:00'))).toBeNull();
    expect(closesAt(parseOpeningHours(undefined, NY), at('2026-01-14T08:00:00-05:00'))).toBeNull();
  });
});

describe('describeOpening', () => {
  const hours = parseOpeningHours(WEEKLY, NY);

  it('says today, tomorrow, a weekday or next weekday in the restaurant zone', () => {
    expect(describeOpening(hours, at('2026-01-14T11:00:00-05:00'), at('2026-01-14T08:00:00-05:00'))).toBe(
      'today at 11:00 AM',
    );
    // 23:30 EST is already the 15th in UTC, the same UTC day as the opening: only the zone makes it "tomorrow".
    expect(describeOpening(hours, at('2026-01-15T12:00:00-05:00'), at('2026-01-14T23:30:00-05:00'))).toBe(
      'tomorrow at 12:00 PM',
    );
    expect(describeOpening(hours, at('2026-01-19T11:00:00-05:00'), at('2026-01-17T12:00:00-05:00'))).toBe(
      'Monday at 11:00 AM',
    );
    expect(describeOpening(hours, at('2026-01-26T11:00:00-05:00'), at('2026-01-19T23:00:00-05:00'))).toBe(
      'next Monday at 11:00 AM',
    );
    expect(describeOpening(hours, at('2026-02-02T17:30:00-05:00'), at('2026-01-14T12:00:00-05:00'))).toBe(
      'Monday, February 2 at 5:30 PM',
    );
  });

  it('describes the result of nextOpeningAt', () => {
    const now = at('2026-03-07T23:45:00-05:00');
    const opening = nextOpeningAt(hours, now);
    expect(opening).not.toBeNull();
    if (opening) expect(describeOpening(hours, opening, now)).toBe('tomorrow at 12:00 PM');
  });
});

describe('describeWeeklyHours', () => {
  it('groups consecutive days with the same hours', () => {
    expect(describeWeeklyHours(parseOpeningHours(WEEKLY, NY))).toBe(
      'Mon–Fri 11:00 AM–10:00 PM; Sat 12:00 PM–11:30 PM; Sun 12:00 PM–9:00 PM',
    );
  });

  it('lists several windows, overnight hours and closed days', () => {
    const hours = parseOpeningHours('mon-thu 11:30-14:30,17:00-22:00; fri-sat 18:00-02:00', NY);
    expect(describeWeeklyHours(hours)).toBe(
      'Mon–Thu 11:30 AM–2:30 PM, 5:00 PM–10:00 PM; Fri–Sat 6:00 PM–2:00 AM; Sun closed',
    );
  });

  it('says daily, midnight and always open', () => {
    expect(describeWeeklyHours(parseOpeningHours('daily 11:00-24:00', NY))).toBe('Daily 11:00 AM–12:00 AM');
    expect(describeWeeklyHours(parseOpeningHours(undefined, NY))).toBe('Open 24 hours, every day');
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA names and rejects others', () => {
    expect(isValidTimeZone(NY)).toBe(true);
    expect(isValidTimeZone(BERLIN)).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});
