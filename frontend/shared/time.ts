// Times as people read them, from the protocol's ISO 8601 strings. Pure: nothing here touches the DOM.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function toDate(iso: string | null | undefined): Date | null {
  const date = new Date(iso ?? "");
  return Number.isNaN(date.getTime()) ? null : date;
}

const twoDigits = (value: number): string => String(value).padStart(2, "0");

/** HH:MM in local time; "" for a missing or unreadable time. */
export function clockTime(iso: string | null | undefined): string {
  const date = toDate(iso);
  return date ? `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}` : "";
}

/** "now", "3 min", "2 h", else a short date ("Nov 22", with the year when it is not this year). */
export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  const date = toDate(iso);
  if (!date) return "";
  const age = now - date.getTime();
  if (age < MINUTE) return "now";
  if (age < HOUR) return `${Math.floor(age / MINUTE)} min`;
  if (age < DAY) return `${Math.floor(age / HOUR)} h`;
  const options: Intl.DateTimeFormatOptions = { month: "short", day: "numeric" };
  if (date.getFullYear() !== new Date(now).getFullYear()) options.year = "numeric";
  return date.toLocaleDateString(undefined, options);
}

/** A full local date and time, for tooltips. */
export function fullTime(iso: string | null | undefined): string {
  const date = toDate(iso);
  return date ? date.toLocaleString() : "";
}
