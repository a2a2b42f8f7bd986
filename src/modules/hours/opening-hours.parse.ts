// Parsing the OPENING_HOURS spec, e.g. `mon-fri 11:00-22:00; sat 12:00-23:30; sun closed`, into weekly
// windows of wall-clock minutes. Config validation lists every problem, so parsing collects them all.
import { isValidTimeZone } from '../../shared/zoned-time.js';
import type { OpeningHours, OpeningWindow } from './opening-hours.js';

export const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

// Indexed 0=Sunday like weekdayOf; the describing side prints the same names back.
export const SHORT_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
export const FULL_DAYS = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
] as const;
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
