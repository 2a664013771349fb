import { describe, expect, it, vi } from "vitest";
import { Store } from "./store";

describe("Store", () => {
  it("replaces the state on every change and tells subscribers until they leave", () => {
    const store = new Store({ a: 1, b: "x" });
    const first = store.get();
    const listener = vi.fn();
    const leave = store.subscribe(listener);
    store.set({ a: 2 });
    expect(store.get()).toEqual({ a: 2, b: "x" });
    expect(store.get()).not.toBe(first);
    expect(listener).toHaveBeenCalledTimes(1);
    leave();
    store.set({ a: 3 });
    expect(listener).toHaveBeenCalledTimes(1);
  });
});
