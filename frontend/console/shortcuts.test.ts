// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { shortcutAction } from "./shortcuts";

describe("keyboard shortcuts", () => {
  it("maps the listed keys", () => {
    expect(["j", "k", "r", "n", "e", "a", "/", "?", "Escape"].map((key) => shortcutAction({ key }))).toEqual([
      "next",
      "previous",
      "reply",
      "note",
      "resolve",
      "assign-me",
      "search",
      "help",
      "escape",
    ]);
    expect(shortcutAction({ key: "x" })).toBeNull();
  });

  it("never fires while typing, except Escape", () => {
    const box = document.createElement("textarea");
    const field = document.createElement("input");
    expect(shortcutAction({ key: "j", target: box })).toBeNull();
    expect(shortcutAction({ key: "?", target: field })).toBeNull();
    expect(shortcutAction({ key: "Escape", target: box })).toBe("escape");
  });

  it("leaves keys with modifiers to the browser", () => {
    expect(shortcutAction({ key: "r", ctrlKey: true })).toBeNull();
    expect(shortcutAction({ key: "k", metaKey: true })).toBeNull();
    expect(shortcutAction({ key: "a", altKey: true })).toBeNull();
  });
});
