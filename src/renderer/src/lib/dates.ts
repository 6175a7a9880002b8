/**
 * When a take was made, as the library shows it; pure apart from the clock passed in.
 * The formatters are built once: `toLocaleDateString(locale, options)` builds a new Intl formatter
 * on every call, which was the largest single cost of scrolling a long library list.
 */
const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const dayMonth = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' });
const dayMonthYear = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

const sameDay = (a: Date, b: Date) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

/** "14:02" today, "3 Mar" this year, "3 Mar 2025" before; '' for a date that does not parse. */
export function shortWhen(iso: string, now: Date = new Date()): string {
  const date = parse(iso);
  if (!date) return '';
  if (sameDay(date, now)) return time.format(date);
  return (date.getFullYear() === now.getFullYear() ? dayMonth : dayMonthYear).format(date);
}

/** "3 Mar 2026 14:02"; the text itself when it does not parse. */
export function fullWhen(iso: string): string {
  const date = parse(iso);
  return date ? `${dayMonthYear.format(date)} ${time.format(date)}` : iso;
}

/** "14:02" today, "3 Mar 14:02" another day: when a run in the workspace was made; '' if unparseable. */
export function runWhen(iso: string, now: Date = new Date()): string {
  const date = parse(iso);
  if (!date) return '';
  return sameDay(date, now) ? time.format(date) : `${dayMonth.format(date)} ${time.format(date)}`;
}
