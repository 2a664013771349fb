// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { mountConsole } from "./testing";

// What server/console/templates/agent_console/console.html serves inside the mount element.
const PLACEHOLDER = '<p class="inbox-loading">Loading…</p>';

describe("mountApp", () => {
  it("replaces the template's placeholder with the console", () => {
    const { root, unmount } = mountConsole(PLACEHOLDER);
    const first = root.firstElementChild?.className;
    const placeholders = [...root.children].filter((child) => child.textContent === "Loading…");
    unmount();
    expect(first).toBe("topbar");
    expect(placeholders).toEqual([]);
  });
});
