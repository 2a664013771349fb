// Finds the links in a message so each client can build them as DOM nodes (never HTML): only http,
// https and mailto, whatever else the text holds (javascript:, data:, markup stay text).

/** A run of text, or a link: `text` as written, `href` normalised by the URL parser. */
export type TextPart = string | { text: string; href: string };

// A candidate starts at a scheme we allow, at a word boundary, and runs to whitespace, a quote or < >.
const CANDIDATE = /\b(?:https?:\/\/|mailto:)[^\s<>"'`]+/gi;
// Closing punctuation at the end is the sentence's, not the link's.
const TRAILING = /[.,;:!?*_~]+$/;
const PAIRS: Record<string, string> = { ")": "(", "]": "[", "}": "{" };

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

// Drops trailing punctuation and closing brackets that have no opening one inside the link
// ("(see https://x.test/a_(b))" keeps "a_(b)", drops the last ")").
function trim(candidate: string): string {
  let text = candidate;
  for (;;) {
    const before = text;
    text = text.replace(TRAILING, "");
    const last = text.slice(-1);
    const open = PAIRS[last];
    if (open && count(text, last) > count(text, open)) text = text.slice(0, -1);
    if (text === before) return text;
  }
}

/** The href for a candidate, or null when it is not a link we allow. */
function safeHref(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol === "mailto:") return /^[^@\s]+@[^@\s]+$/.test(url.pathname) ? url.href : null;
  return (url.protocol === "http:" || url.protocol === "https:") && url.hostname ? url.href : null;
}

/** Splits text into runs and links; joined, the parts' texts are the input again. */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let done = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const linkText = trim(match[0]);
    const href = linkText && safeHref(linkText);
    if (!href) continue;
    const start = match.index ?? 0;
    if (start > done) parts.push(text.slice(done, start));
    parts.push({ text: linkText, href });
    done = start + linkText.length;
  }
  if (done < text.length) parts.push(text.slice(done));
  return parts;
}

/** The attributes every link gets: new tab for web links, and no opener, referrer or endorsement. */
export const LINK_REL = "noopener noreferrer nofollow";
export function linkTarget(href: string): string | undefined {
  return href.startsWith("mailto:") ? undefined : "_blank";
}
