// Pure helpers: labels, previews, times and ids. Nothing here touches the DOM.

/** The name an agent sees for a visitor: name, else email, else "Visitor " + the id's first 6 chars. */
export function visitorLabel(visitor) {
  if (!visitor) return "Visitor";
  const name = typeof visitor.name === "string" ? visitor.name.trim() : "";
  if (name) return name;
  const email = typeof visitor.email === "string" ? visitor.email.trim() : "";
  if (email) return email;
  const id = typeof visitor.id === "string" ? visitor.id : "";
  return id ? `Visitor ${id.slice(0, 6)}` : "Visitor";
}

/** One line of text: whitespace (newlines included) collapsed. */
export function oneLine(text) {
  return String(text ?? "").replace(/\s+/g, " ").trim();
}

/** Whether a conversation is unread for this agent (docs/protocol.md, ConversationSummary). */
export function isUnread(summary, lastReadSeq) {
  const last = summary && summary.last_message;
  return Boolean(last && last.author === "visitor" && last.seq > (lastReadSeq ?? 0));
}

function toDate(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "now", "3 min", "2 h", else a short date ("Nov 22", with the year when it is not this year). */
export function relativeTime(iso, now = Date.now()) {
  const date = toDate(iso);
  if (!date) return "";
  const age = now - date.getTime();
  if (age < MINUTE) return "now";
  if (age < HOUR) return `${Math.floor(age / MINUTE)} min`;
  if (age < DAY) return `${Math.floor(age / HOUR)} h`;
  const options = { month: "short", day: "numeric" };
  if (date.getFullYear() !== new Date(now).getFullYear()) options.year = "numeric";
  return date.toLocaleDateString(undefined, options);
}

/** HH:MM in local time. */
export function clockTime(iso) {
  const date = toDate(iso);
  if (!date) return "";
  return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
}

/** A full local date and time, for tooltips. */
export function fullTime(iso) {
  const date = toDate(iso);
  return date ? date.toLocaleString() : "";
}

/** A client_id: a UUID where the browser has one, else 32 random hex digits. */
export function newClientId() {
  if (globalThis.crypto && typeof globalThis.crypto.randomUUID === "function") {
    return globalThis.crypto.randomUUID();
  }
  const bytes = new Uint8Array(16);
  if (globalThis.crypto && typeof globalThis.crypto.getRandomValues === "function") {
    globalThis.crypto.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  }
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Length in code points, as the server counts it. */
export function codePointLength(text) {
  let count = 0;
  for (const _ of text) count += 1; // eslint-disable-line no-unused-vars
  return count;
}

/** UTF-8 size of a string. */
export function utf8Bytes(text) {
  return new TextEncoder().encode(text).length;
}

/** A small stable number for a string (used to pick an avatar colour class). */
export function hashBucket(text, buckets) {
  let hash = 0;
  for (let i = 0; i < text.length; i += 1) hash = (hash * 31 + text.charCodeAt(i)) >>> 0;
  return hash % buckets;
}

/** The first letter of a label, for an avatar. */
export function initial(label) {
  const first = Array.from(oneLine(label))[0];
  return first ? first.toUpperCase() : "?";
}
