/** A local calendar day (Europe/Berlin in the data files). */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export function parseLocalDate(text: string): LocalDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) throw new Error(`a date must look like 2025-04-22, got ${JSON.stringify(text)}`);
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  if (formatLocalDate(addDays(date, 0)) !== text) throw new Error(`no such date: ${text}`);
  return date;
}

export function formatLocalDate(date: LocalDate): string {
  return `${date.year}-${pad(date.month)}-${pad(date.day)}`;
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: LocalDate): number {
  const day = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return day === 0 ? 7 : day;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/**
 * The day of `year` that stands for `date` in a profile of that year: the same month and day
 * (29 February becomes the 28th) or, with `sameWeekday`, the nearest day with the same
 * weekday (at most three days away), so that workdays stay workdays.
 */
export function counterpart(date: LocalDate, year: number, sameWeekday: boolean): LocalDate {
  const day = date.month === 2 && date.day === 29 ? 28 : date.day;
  const base = { year, month: date.month, day };
  if (!sameWeekday) return base;
  const shift = (isoWeekday(date) - isoWeekday(base) + 7) % 7; // 0…6
  return addDays(base, shift <= 3 ? shift : shift - 7);
}

/** Day of the year, 0-based (1 January = 0). */
export function dayOfYear(date: LocalDate): number {
  return (Date.UTC(date.year, date.month - 1, date.day) - Date.UTC(date.year, 0, 1)) / 86_400_000;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
