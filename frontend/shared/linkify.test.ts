import { describe, expect, it } from "vitest";
import { linkify, linkTarget, type TextPart } from "./linkify";

const links = (text: string) => linkify(text).filter((part): part is Exclude<TextPart, string> => typeof part !== "string");
const joined = (parts: TextPart[]) => parts.map((part) => (typeof part === "string" ? part : part.text)).join("");

describe("linkify", () => {
  it("links http, https and mailto, and gives the rest back as text", () => {
    const text = "See https://example.com/a?b=1#c or http://x.test, mail mailto:help@x.test now";
    const parts = linkify(text);
    expect(joined(parts)).toBe(text);
    expect(links(text)).toEqual([
      { text: "https://example.com/a?b=1#c", href: "https://example.com/a?b=1#c" },
      { text: "http://x.test", href: "http://x.test/" },
      { text: "mailto:help@x.test", href: "mailto:help@x.test" },
    ]);
    expect(parts[0]).toBe("See ");
  });

  it("never links javascript:, data:, vbscript:, file: or schemeless text", () => {
    for (const text of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(document.cookie)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "file:///etc/passwd",
      "www.example.com",
      "mailto:javascript:alert(1)",
      "https://",
      "http://",
    ]) {
      expect(links(text), text).toEqual([]);
      expect(joined(linkify(text))).toBe(text);
    }
  });

  it("leaves trailing punctuation out of the link", () => {
    expect(links("Go to https://x.test/page.")[0]?.text).toBe("https://x.test/page");
    expect(links("https://x.test/a, https://x.test/b; ok?")).toHaveLength(2);
    expect(links("Really https://x.test/!?")[0]?.text).toBe("https://x.test/");
    expect(links("Click https://x.test/page...")[0]?.text).toBe("https://x.test/page");
  });

  it("keeps balanced parentheses and drops an unbalanced closing one", () => {
    expect(links("(see https://x.test/page)")[0]?.text).toBe("https://x.test/page");
    expect(links("https://en.wikipedia.org/wiki/Tea_(meal)")[0]?.text).toBe("https://en.wikipedia.org/wiki/Tea_(meal)");
    expect(links("(https://en.wikipedia.org/wiki/Tea_(meal)).")[0]?.text).toBe("https://en.wikipedia.org/wiki/Tea_(meal)");
    expect(links("[https://x.test/a]")[0]?.text).toBe("https://x.test/a");
  });

  it("keeps markup as text around and after links", () => {
    const text = '<a href="javascript:alert(1)">https://x.test/</a><img src=x onerror=alert(1)>';
    const parts = linkify(text);
    expect(joined(parts)).toBe(text);
    expect(links(text)).toEqual([{ text: "https://x.test/", href: "https://x.test/" }]);
    expect(links('https://x.test/"onmouseover="alert(1)')[0]?.text).toBe("https://x.test/");
  });

  it("needs a word boundary before the scheme and handles text without links", () => {
    expect(links("xhttps://x.test")).toEqual([]);
    expect(linkify("")).toEqual([]);
    expect(linkify("no links here")).toEqual(["no links here"]);
  });

  it("opens web links in a new tab, mail links in place", () => {
    expect(linkTarget("https://x.test/")).toBe("_blank");
    expect(linkTarget("mailto:a@x.test")).toBeUndefined();
  });
});
