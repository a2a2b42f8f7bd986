// Opening hours are posted in the restaurant's wall clock, not the server's. Every answer goes through the
// restaurant's IANA zone, so a DST day (23 or 25 hours long) still opens and closes at the posted local times.
// Only Node's Intl is used: the zone offset is read back from Intl.DateTimeFormat#formatToParts.

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

const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

const SHORT_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const FULL_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const MONTHS = 'January February March April May June July August September October November December'.split(
  ' ',
);
const DAY_ALIASES = new Map<string, number>([
  ...SHORT_DAYS.map((d, i) => [d.toLowerCase(), i] as const),
  ...FULL_DAYS.map((d, i) => [d.toLowerCase(), i] as const),
  ['tues', 2],
  ['thur', 4],
  ['thurs', 4],
]);
const EVERY_DAY = new Set(['daily', 'everyday']);
const CLOSED = new Set(['closed', 'off']);
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];

// ---------------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------------

interface Range {
  start: number;
  end: number;
}

/** Throws an Error whose message says exactly what is wrong in the spec (used by config validation to list problems). */
export function parseOpeningHours(spec: string | undefined, timeZone: string): OpeningHours {
  if (!isValidTimeZone(timeZone)) {
    throw new Error(`unknown time zone "${timeZone}" (expected an IANA name such as America/New_York)`);
  }
  const text = (spec ?? '').trim();
  if (text === '') return Object.freeze({ alwaysOpen: true, windows: Object.freeze([]), timeZone, text });

  const problems: string[] = [];
  // Later clauses replace earlier ones for the days they name (as in OpenStreetMap's opening_hours), so
  // `daily 11:00-22:00; sun 12:00-20:00` means Sunday is 12-20, not the union of both.
  const rangesByDay: Range[][] = ALL_DAYS.map(() => []);
  for (const clause of text.split(';')) {
    const trimmed = clause.trim();
    if (trimmed === '') continue;
    const parsed = parseClause(trimmed, problems);
    if (parsed) for (const day of parsed.days) rangesByDay[day] = parsed.ranges;
  }
  if (problems.length > 0) throw new Error(problems.join('; '));

  const windows = rangesByDay.flatMap((ranges, day) =>
    ranges.map((r) => Object.freeze({ day, startMinute: r.start, endMinute: r.end })),
  );
  if (windows.length === 0) {
    throw new Error(`"${text}" has no opening times: every day is closed (leave it empty to be always open)`);
  }
  return Object.freeze({
    alwaysOpen: coversWholeWeek(windows),
    windows: Object.freeze(windows),
    timeZone,
    text,
  });
}

function parseClause(clause: string, problems: string[]): { days: number[]; ranges: Range[] } | undefined {
  const tokens = clause.split(/\s+/);
  const firstTime = tokens.findIndex((t) => /^\d/.test(t) || CLOSED.has(t.toLowerCase()));
  const dayTokens = firstTime === -1 ? tokens : tokens.slice(0, firstTime);
  const timeText = firstTime === -1 ? '' : tokens.slice(firstTime).join('');
  const before = problems.length;

  if (dayTokens.length === 0)
    problems.push(`"${clause}": days are missing before the times (e.g. "daily ${clause}")`);
  const days = parseDays(dayTokens.join(','), clause, problems);
  let ranges: Range[] = [];
  if (timeText === '') {
    problems.push(
      `"${clause}": no opening times (expected e.g. "${clause} 11:00-22:00" or "${clause} closed")`,
    );
  } else if (!CLOSED.has(timeText.toLowerCase())) {
    ranges = parseRanges(timeText, clause, problems);
  }
  return problems.length === before ? { days, ranges } : undefined;
}

function parseDays(text: string, clause: string, problems: string[]): number[] {
  const days = new Set<number>();
  const dayOf = (name: string): number | undefined => {
    const day = DAY_ALIASES.get(name.toLowerCase());
    if (day === undefined) {
      problems.push(
        `"${clause}": unknown day "${name}" (use mon, tue, wed, thu, fri, sat, sun, full names or daily)`,
      );
    }
    return day;
  };
  for (const item of text.split(',').filter((s) => s !== '')) {
    if (EVERY_DAY.has(item.toLowerCase())) {
      ALL_DAYS.forEach((d) => days.add(d));
      continue;
    }
    const [from = '', to, ...extra] = item.split(/[-–]/);
    if (to === undefined) {
      const day = dayOf(item);
      if (day !== undefined) days.add(day);
      continue;
    }
    if (from === '' || to === '' || extra.length > 0) {
      problems.push(`"${clause}": "${item}" is not a day range like mon-fri`);
      continue;
    }
    const first = dayOf(from);
    const last = dayOf(to);
    if (first === undefined || last === undefined) continue;
    // Ranges wrap around the week: fri-mon is fri, sat, sun, mon.
    for (let d = first; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === last) break;
    }
  }
  return [...days];
}

function parseRanges(text: string, clause: string, problems: string[]): Range[] {
  const ranges: Range[] = [];
  for (const item of text.split(',')) {
    if (item === '') {
      problems.push(`"${clause}": empty time range (a stray comma?)`);
      continue;
    }
    const parts = item.split(/[-–]/);
    if (parts.length !== 2) {
      problems.push(`"${clause}": "${item}" is not a time range like 11:00-22:00`);
      continue;
    }
    const start = parseTime(parts[0] ?? '', false, clause, problems);
    const end = parseTime(parts[1] ?? '', true, clause, problems);
    if (start === undefined || end === undefined) continue;
    // An end at or before the start closes after midnight: 18:00-02:00 runs into the next day.
    ranges.push({ start, end: end <= start ? end + MINUTES_PER_DAY : end });
  }
  ranges.sort((a, b) => a.start - b.start);
  const merged: Range[] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range.start < last.end) {
      problems.push(`"${clause}": ${formatRange(last)} and ${formatRange(range)} overlap`);
    } else if (last && range.start === last.end) {
      last.end = range.end;
    } else {
      merged.push({ ...range });
    }
  }
  return merged;
}

function parseTime(text: string, isEnd: boolean, clause: string, problems: string[]): number | undefined {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!match) {
    problems.push(`"${clause}": invalid time "${text}" (expected HH:MM, e.g. 09:30)`);
    return undefined;
  }
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  if (hour > 24 || minute > 59 || (hour === 24 && (minute > 0 || !isEnd))) {
    problems.push(`"${clause}": time "${text}" is out of range (00:00-23:59, or 24:00 as a closing time)`);
    return undefined;
  }
  return hour * 60 + minute;
}

function formatRange(r: Range): string {
  const hhmm = (m: number): string =>
    `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return `${hhmm(r.start)}-${hhmm(r.end)}`;
}

/** A spec whose windows cover every wall-clock minute of the week (e.g. daily 00:00-24:00) never closes. */
function coversWholeWeek(windows: readonly OpeningWindow[]): boolean {
  const covered = new Uint8Array(MINUTES_PER_WEEK);
  for (const w of windows) {
    const base = w.day * MINUTES_PER_DAY;
    for (let m = w.startMinute; m < w.endMinute; m++) covered[(base + m) % MINUTES_PER_WEEK] = 1;
  }
  return covered.every((c) => c === 1);
}

// ---------------------------------------------------------------------------------------------------------
// Zone arithmetic: instants <-> wall-clock "day numbers" (days since 1970-01-01 in the zone) and minutes
// ---------------------------------------------------------------------------------------------------------

interface Zone {
  readonly format: Intl.DateTimeFormat;
  // One-entry memo: the hot path (isOpenAt for every order) asks about the same minute again and again.
  memoMinute: number;
  memoOffsetMs: number;
}

// Building an Intl.DateTimeFormat costs ~75 µs; formatToParts on a cached one ~5 µs.
const zones = new Map<string, Zone>();

function zoneOf(timeZone: string): Zone {
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

/** Wall clock minus UTC at `epochMs`. Offsets change only on whole minutes, so the minute is the memo key. */
function offsetMs(zone: Zone, epochMs: number): number {
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

function toWall(zone: Zone, epochMs: number): Wall {
  const local = epochMs + offsetMs(zone, epochMs);
  const dayNumber = Math.floor(local / MS_PER_DAY);
  return { dayNumber, minuteOfDay: Math.floor((local - dayNumber * MS_PER_DAY) / MS_PER_MINUTE) };
}

/** 0=Sunday: day 0 (1970-01-01) was a Thursday. */
function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

/**
 * The instant the zone's clock first shows `minute` (may exceed 1440) of local day `dayNumber`. A time that
 * repeats when clocks fall back gives its first occurrence; a time skipped when clocks spring forward gives
 * the instant right after the gap (02:30 on spring-forward day -> 03:00), the moment the clock passes it.
 */
function fromWall(zone: Zone, dayNumber: number, minute: number): number {
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

// ---------------------------------------------------------------------------------------------------------
// Words for callers and prompts
// ---------------------------------------------------------------------------------------------------------

/** "11:00 AM" with a plain space: Intl's en-US output uses U+202F, which some TTS engines read badly. */
function clock(minute: number): string {
  const hour = Math.floor(minute / 60) % 24;
  return `${hour % 12 || 12}:${String(minute % 60).padStart(2, '0')} ${hour < 12 ? 'AM' : 'PM'}`;
}

/** Human text for a caller, in the restaurant's zone: "today at 11:00 AM", "tomorrow at 12:00 PM", "Monday at 11:00 AM". */
export function describeOpening(hours: OpeningHours, opening: Date, now: Date): string {
  const zone = zoneOf(hours.timeZone);
  const when = toWall(zone, opening.getTime());
  const days = when.dayNumber - toWall(zone, now.getTime()).dayNumber;
  const time = clock(when.minuteOfDay);
  const weekday = FULL_DAYS[weekdayOf(when.dayNumber)] ?? '';
  if (days === 0) return `today at ${time}`;
  if (days === 1) return `tomorrow at ${time}`;
  if (days > 1 && days < 7) return `${weekday} at ${time}`;
  if (days >= 7 && days < 14) return `next ${weekday} at ${time}`;
  const date = new Date(when.dayNumber * MS_PER_DAY);
  return `${weekday}, ${MONTHS[date.getUTCMonth()] ?? ''} ${date.getUTCDate()} at ${time}`;
}

/** One line for a system prompt / menu, e.g. "Mon–Fri 11:00 AM–10:00 PM; Sat 12:00 PM–11:30 PM; Sun closed". */
export function describeWeeklyHours(hours: OpeningHours): string {
  if (hours.alwaysOpen) return 'Open 24 hours, every day';
  const mondayFirst = [1, 2, 3, 4, 5, 6, 0];
  const perDay = mondayFirst.map((day) => {
    const spans = hours.windows
      .filter((w) => w.day === day)
      .map((w) =>
        w.endMinute - w.startMinute >= MINUTES_PER_DAY
          ? 'open 24 hours'
          : `${clock(w.startMinute)}–${clock(w.endMinute)}`,
      );
    return spans.length > 0 ? spans.join(', ') : 'closed';
  });
  if (perDay.every((text) => text === perDay[0])) return `Daily ${perDay[0] ?? ''}`;
  const groups: string[] = [];
  for (let i = 0; i < 7;) {
    let j = i;
    while (j + 1 < 7 && perDay[j + 1] === perDay[i]) j++;
    const first = SHORT_DAYS[mondayFirst[i] ?? 0];
    const label = i === j ? first : `${first}–${SHORT_DAYS[mondayFirst[j] ?? 0]}`;
    groups.push(`${label} ${perDay[i] ?? ''}`);
    i = j + 1;
  }
  return groups.join('; ');
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
