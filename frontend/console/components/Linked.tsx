// A message body with its http(s) and mailto links as <a> elements (shared/linkify.ts); the rest is text.

import { LINK_REL, linkify, linkTarget } from "../../shared/linkify";

export function Linked({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((part, index) =>
        typeof part === "string" ? (
          part
        ) : (
          <a key={index} href={part.href} rel={LINK_REL} target={linkTarget(part.href)}>
            {part.text}
          </a>
        ),
      )}
    </>
  );
}
