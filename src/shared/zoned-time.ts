// Time-zone maths on Node's Intl alone: the zone offset is read back from Intl.DateTimeFormat#formatToParts.
// Instants (UTC milliseconds) <-> wall-clock "day numbers" (days since 1970-01-01 in the zone) and minutes.

const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

export interface Zone {
  readonly format: Intl.DateTimeFormat;
  // One-entry memo: the hot path (isOpenAt for every order) asks about the same minute again and again.
  memoMinute: number;
  memoOffsetMs: number;
}

// Building an Intl.DateTimeFormat costs ~75 µs; formatToParts on a cached one ~5 µs.
const zones = new Map<string, Zone>();

/** The cached zone for an IANA name; throws a RangeError for a name Intl does not know. */
export function zoneOf(timeZone: string): Zone {
  let zone = zones.get(timeZone);
  if (!zone) {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zone = { format, memoMinute: Number.NaN, memoOffsetMs: 0 };
    zones.set(timeZone, zone);
  }
  return zone;
}

/** Validates an IANA time zone name (anything Intl.DateTimeFormat accepts, e.g. America/New_York or UTC). */
export function isValidTimeZone(tz: string): boolean {
  if (tz.trim() === '') return false;
  try {
    // Goes through the zone cache, so the formatter built while validating config is the one used later.
    zoneOf(tz);
    return true;
  } catch {
    return false;
  }
}

/** Wall clock minus UTC at `epochMs`. Offsets change only on whole minutes, so the minute is the memo key. */
export function offsetMs(zone: Zone, epochMs: number): number {
  const minute = Math.floor(epochMs / MS_PER_MINUTE);
  if (minute === zone.memoMinute) return zone.memoOffsetMs;
  const instant = minute * MS_PER_MINUTE;
  const f: Record<string, number> = {};
  for (const part of zone.format.formatToParts(instant)) f[part.type] = Number(part.value);
  const wall = Date.UTC(
    f.year ?? 0,
    (f.month ?? 1) - 1,
    f.day ?? 1,
    f.hour ?? 0,
    f.minute ?? 0,
    f.second ?? 0,
  );
  zone.memoMinute = minute;
  zone.memoOffsetMs = wall - instant;
  return zone.memoOffsetMs;
}

interface Wall {
  dayNumber: number;
  minuteOfDay: number;
}

export function toWall(zone: Zone, epochMs: number): Wall {
  const local = epochMs + offsetMs(zone, epochMs);
  const dayNumber = Math.floor(local / MS_PER_DAY);
  return { dayNumber, minuteOfDay: Math.floor((local - dayNumber * MS_PER_DAY) / MS_PER_MINUTE) };
}

/** 0=Sunday: day 0 (1970-01-01) was a Thursday. */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/**
 * The instant the zone's clock first shows `minute` (may exceed 1440) of local day `dayNumber`. A time that
 * repeats when clocks fall back gives its first occurrence; a time skipped when clocks spring forward gives
 * the instant right after the gap (02:30 on spring-forward day -> 03:00), the moment the clock passes it.
 */
export function fromWall(zone: Zone, dayNumber: number, minute: number): number {
  const wall = dayNumber * MS_PER_DAY + minute * MS_PER_MINUTE;
  // The offsets a day either side bracket any transition near this wall time.
  const before = offsetMs(zone, wall - MS_PER_DAY);
  const after = offsetMs(zone, wall + MS_PER_DAY);
  const candidates = [wall - before, wall - after].filter((t) => wall - offsetMs(zone, t) === t);
  if (candidates.length > 0) return Math.min(...candidates);
  // In the gap: neither offset yields this wall time. Find the transition minute by bisection (rare path).
  let lo = Math.min(wall - before, wall - after);
  let hi = Math.max(wall - before, wall - after);
  const early = offsetMs(zone, lo);
  while (hi - lo > MS_PER_MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MS_PER_MINUTE) * MS_PER_MINUTE;
    if (offsetMs(zone, mid) === early) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The calendar day ('YYYY-MM-DD') that instant `at` falls on in `timeZone`: the restaurant's business day. */
export function businessDateOf(at: Date, timeZone: string): string {
  const wall = new Date(at.getTime() + offsetMs(zoneOf(timeZone), at.getTime()));
  return wall.toISOString().slice(0, 10);
}

/** True for a real calendar date written 'YYYY-MM-DD'. */
export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}
