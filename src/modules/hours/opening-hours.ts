// Opening hours are posted in the restaurant's wall clock, not the server's. Every answer goes through the
// restaurant's IANA zone, so a DST day (23 or 25 hours long) still opens and closes at the posted local times.
// The zone maths (Node's Intl only) is in shared/zoned-time.ts; parsing and wording are in the sibling files.
import { type Zone, fromWall, toWall, weekdayOf, zoneOf } from '../../shared/zoned-time.js';

// Existing importers (config, orders, menu) keep importing everything about opening hours from this file.
export { parseOpeningHours } from './opening-hours.parse.js';
export { describeOpening, describeWeeklyHours } from './opening-hours.describe.js';
export { isValidTimeZone } from '../../shared/zoned-time.js';

export interface OpeningWindow {
  /** 0=Sunday..6=Saturday, in the restaurant's zone. */
  day: number;
  startMinute: number;
  /** May exceed 1440: the window closes after midnight, on the next day. */
  endMinute: number;
}

export interface OpeningHours {
  readonly alwaysOpen: boolean;
  readonly windows: readonly OpeningWindow[];
  readonly timeZone: string;
  /** The spec as configured (trimmed); empty when always open. */
  readonly text: string;
}

// ---------------------------------------------------------------------------------------------------------
// Concrete opening intervals (UTC milliseconds), cached per local day
// ---------------------------------------------------------------------------------------------------------

interface Interval {
  start: number;
  end: number;
}

const intervalCache = new WeakMap<OpeningHours, Map<number, readonly Interval[]>>();
const MAX_CACHED_DAYS = 64;

/** The windows that start on local day `dayNumber`, as instants. */
function intervalsStarting(hours: OpeningHours, zone: Zone, dayNumber: number): readonly Interval[] {
  let byDay = intervalCache.get(hours);
  if (!byDay) intervalCache.set(hours, (byDay = new Map<number, readonly Interval[]>()));
  const cached = byDay.get(dayNumber);
  if (cached) return cached;
  const weekday = weekdayOf(dayNumber);
  const intervals = hours.windows
    .filter((w) => w.day === weekday)
    .map((w) => ({
      start: fromWall(zone, dayNumber, w.startMinute),
      end: fromWall(zone, dayNumber, w.endMinute),
    }))
    // A window wholly inside a spring-forward gap never happens.
    .filter((i) => i.end > i.start);
  if (byDay.size >= MAX_CACHED_DAYS) byDay.clear();
  byDay.set(dayNumber, intervals);
  return intervals;
}

/** Intervals starting on local days first..last, sorted by start. */
function intervalsBetween(hours: OpeningHours, zone: Zone, first: number, last: number): Interval[] {
  const all: Interval[] = [];
  for (let day = first; day <= last; day++) all.push(...intervalsStarting(hours, zone, day));
  return all.sort((a, b) => a.start - b.start);
}

// ---------------------------------------------------------------------------------------------------------
// Questions about an instant
// ---------------------------------------------------------------------------------------------------------

export function isOpenAt(hours: OpeningHours, at: Date): boolean {
  if (hours.alwaysOpen) return true;
  const zone = zoneOf(hours.timeZone);
  const t = at.getTime();
  const { dayNumber } = toWall(zone, t);
  // A window ends less than 48 wall hours after its day starts, so only today's and yesterday's can cover t.
  const covers = (i: Interval): boolean => i.start <= t && t < i.end;
  return (
    intervalsStarting(hours, zone, dayNumber).some(covers) ||
    intervalsStarting(hours, zone, dayNumber - 1).some(covers)
  );
}

/** Null when always open (or no window ever starts); `at` itself when open at `at`; else the next window start. */
export function nextOpeningAt(hours: OpeningHours, at: Date): Date | null {
  if (hours.alwaysOpen) return null;
  if (isOpenAt(hours, at)) return new Date(at.getTime());
  const zone = zoneOf(hours.timeZone);
  const t = at.getTime();
  const today = toWall(zone, t).dayNumber;
  const next = intervalsBetween(hours, zone, today, today + 8).find((i) => i.start > t);
  return next ? new Date(next.start) : null;
}

/** When the current window closes, or null if closed now / always open. Back-to-back windows count as one. */
export function closesAt(hours: OpeningHours, at: Date): Date | null {
  if (hours.alwaysOpen) return null;
  const zone = zoneOf(hours.timeZone);
  const t = at.getTime();
  const today = toWall(zone, t).dayNumber;
  let end: number | null = null;
  // Not always open means some wall minute of every week is closed, so the chain ends within 8 days.
  for (const i of intervalsBetween(hours, zone, today - 1, today + 8)) {
    if (end === null) {
      if (i.start <= t && t < i.end) end = i.end;
    } else if (i.start <= end) {
      end = Math.max(end, i.end);
    }
  }
  return end === null ? null : new Date(end);
}
