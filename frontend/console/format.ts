// Pure helpers for labels, sizes and avatars. Nothing here touches the DOM.

import { THREAD } from "./strings";
import type { VisitorInfo } from "../shared/protocol";

const trimmed = (value: unknown): string => (typeof value === "string" ? value.trim() : "");

/** The name an agent sees for a visitor: name, else email, else its friendly name ("Amber Fox"), else
 * "Visitor " + the id's first 6 chars. */
export function visitorLabel(visitor: Partial<VisitorInfo> | null | undefined): string {
  if (!visitor) return THREAD.visitor;
  const name = trimmed(visitor.name) || trimmed(visitor.email) || trimmed(visitor.display_name);
  if (name) return name;
  const id = typeof visitor.id === "string" ? visitor.id : "";
  return id ? `${THREAD.visitor} ${id.slice(0, 6)}` : THREAD.visitor;
}

/** The visitor's email when the label shows their name (so the email is worth showing beside it), else "". */
export function visitorEmail(visitor: Partial<VisitorInfo> | null | undefined): string {
  const email = trimmed(visitor?.email);
  return email && visitorLabel(visitor) !== email ? email : "";
}

/** One line of text: whitespace (newlines included) collapsed. */
export function oneLine(text: string | null | undefined): string {
  return String(text ?? "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Length in code points, as the server counts it. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** UTF-8 size of a string. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** A small stable number for a string (used to pick an avatar colour class). */
export function hashBucket(text: string, buckets: number): number {
  let hash = 0;
  for (let i = 0; i < text.length; i += 1) hash = (hash * 31 + text.charCodeAt(i)) >>> 0;
  return hash % buckets;
}

/** The first letter of a label, for an avatar. */
export function initial(label: string): string {
  const first = Array.from(oneLine(label))[0];
  return first ? first.toUpperCase() : "?";
}
