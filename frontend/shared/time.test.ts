import { describe, expect, it } from "vitest";
import { clockTime, fullTime, relativeTime } from "./time";

describe("time formatting", () => {
  const at = new Date(2026, 10, 24, 7, 5, 0);

  it("gives HH:MM in local time", () => {
    expect(clockTime(at.toISOString())).toBe("07:05");
    expect(clockTime("not a time")).toBe("");
    expect(clockTime(null)).toBe("");
  });

  it("gives relative ages, then dates", () => {
    const iso = at.toISOString();
    const now = at.getTime();
    expect(relativeTime(iso, now + 30_000)).toBe("now");
    expect(relativeTime(iso, now + 3 * 60_000)).toBe("3 min");
    expect(relativeTime(iso, now + 2 * 3_600_000 + 5)).toBe("2 h");
    expect(relativeTime(iso, now + 3 * 86_400_000)).toMatch(/24/);
    expect(relativeTime(iso, new Date(2027, 1, 1).getTime())).toMatch(/2026/);
    expect(relativeTime("", now)).toBe("");
  });

  it("gives a full time for tooltips", () => {
    expect(fullTime(at.toISOString())).not.toBe("");
    expect(fullTime(undefined)).toBe("");
  });
});
