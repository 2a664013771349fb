import { describe, expect, it } from "vitest";
import { codePointLength, hashBucket, initial, oneLine, utf8Bytes, visitorEmail, visitorLabel } from "./format";

describe("format", () => {
  it("labels a visitor by name, else email, else id", () => {
    expect(visitorLabel({ name: " Ann ", email: "a@x" })).toBe("Ann");
    expect(visitorLabel({ name: "", email: "a@x" })).toBe("a@x");
    expect(visitorLabel({ id: "a2b3c4d5e6" })).toBe("Visitor a2b3c4");
    expect(visitorLabel({ id: "a2b3c4d5e6", name: "", email: "", display_name: "Amber Fox" })).toBe("Amber Fox");
    expect(visitorLabel({ name: "", email: "a@x", display_name: "Amber Fox" })).toBe("a@x");
    expect(visitorLabel(null)).toBe("Visitor");
  });

  it("shows the email beside a name only", () => {
    expect(visitorEmail({ name: "Ann", email: "a@x" })).toBe("a@x");
    expect(visitorEmail({ name: "", email: "a@x" })).toBe("");
  });

  it("collapses whitespace, counts code points and bytes", () => {
    expect(oneLine(" a\n\n b\tc ")).toBe("a b c");
    expect(oneLine(undefined)).toBe("");
    expect(codePointLength("a😀")).toBe(2);
    expect(utf8Bytes("é")).toBe(2);
  });

  it("picks a stable bucket and an initial", () => {
    expect(hashBucket("abc", 8)).toBe(hashBucket("abc", 8));
    expect(hashBucket("abc", 8)).toBeLessThan(8);
    expect(initial("  élodie")).toBe("É");
    expect(initial("")).toBe("?");
  });
});
