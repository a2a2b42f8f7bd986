// Words for callers and prompts, always in the restaurant's zone (not the server's).
import { MS_PER_DAY, toWall, weekdayOf, zoneOf } from '../../shared/zoned-time.js';
import type { OpeningHours } from './opening-hours.js';
import { FULL_DAYS, MINUTES_PER_DAY, SHORT_DAYS } from './opening-hours.parse.js';

const MONTHS = 'January February March April May June July August September October November December'.split(
  ' ',
);

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
