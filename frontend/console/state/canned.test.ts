import { describe, expect, it } from "vitest";
import type { CannedReply } from "../../shared/protocol";
import { CannedReplies, slashQuery } from "./canned";

const reply = (id: number, shortcut: string, site_id = 1): CannedReply => ({
  id,
  site_id,
  shortcut,
  title: "",
  body: `body of ${shortcut}`,
  updated_at: "2026-12-06T10:00:00+00:00",
});

describe("canned replies", () => {
  it("reads a slash query only while the box holds nothing else", () => {
    expect(slashQuery("/")).toBe("");
    expect(slashQuery("/ref")).toBe("ref");
    expect(slashQuery("/ref ")).toBeNull();
    expect(slashQuery("hi /ref")).toBeNull();
    expect(slashQuery("/Ref")).toBeNull();
  });

  it("suggests the open conversation's site's replies by prefix, sorted", () => {
    const canned = new CannedReplies();
    canned.reset([reply(1, "refund"), reply(2, "hello"), reply(3, "ref-policy"), reply(4, "refund", 2)]);
    expect(canned.suggestions("/ref", 1).map((r) => r.id)).toEqual([3, 1]);
    expect(canned.suggestions("/", 2).map((r) => r.id)).toEqual([4]);
    expect(canned.suggestions("ref", 1)).toEqual([]);
  });

  it("saves and removes one at a time", () => {
    const canned = new CannedReplies();
    canned.reset([reply(1, "a")]);
    canned.save({ ...reply(1, "b") });
    canned.save(reply(2, "c"));
    canned.remove(1);
    expect(canned.list().map((r) => r.shortcut)).toEqual(["c"]);
  });
});
