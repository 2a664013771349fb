import { describe, expect, it } from "vitest";
import { backoffCeiling, backoffDelay } from "./backoff";

describe("backoffDelay", () => {
  it("doubles from 500 ms up to the 30 s cap", () => {
    expect([0, 1, 2, 3, 6, 7, 20, 1000].map((attempt) => backoffCeiling(attempt))).toEqual([
      500, 1000, 2000, 4000, 30_000, 30_000, 30_000, 30_000,
    ]);
  });

  it("stays within 0..ceiling with full jitter", () => {
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const ceiling = backoffCeiling(attempt);
      expect(backoffDelay(attempt, { random: () => 0 })).toBe(0);
      expect(backoffDelay(attempt, { random: () => 0.999999 })).toBeLessThan(ceiling);
      const delay = backoffDelay(attempt);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceiling);
      expect(Number.isInteger(delay)).toBe(true);
    }
  });

  it("stays within ceiling/2..ceiling with equal jitter", () => {
    expect(backoffDelay(3, { jitter: "equal", random: () => 0 })).toBe(2000);
    expect(backoffDelay(3, { jitter: "equal", random: () => 0.5 })).toBe(3000);
  });

  it("takes its own base and cap", () => {
    expect(backoffDelay(4, { baseMs: 100, maxMs: 1000, random: () => 0.5 })).toBe(500);
    expect(backoffDelay(2, { baseMs: 100, maxMs: 1000, random: () => 0.5 })).toBe(200);
  });
});
