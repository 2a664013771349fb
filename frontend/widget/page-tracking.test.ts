// @vitest-environment happy-dom
// Page tracking for single-page apps, by the panel (page-context.ts): no History API wrapping, one check a second.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { VisitorClientFrame } from "../shared/protocol";
import { sendPageContext } from "./page-context";
import type { ConnectionState, Listener, PanelApi } from "./types";

describe("page tracking", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reports the page once online, then each pushState, replaceState or title change, once", async () => {
    let state: ConnectionState = "connecting";
    const sent: VisitorClientFrame[] = [];
    const listeners: Listener[] = [];
    const api = {
      send: (frame: VisitorClientFrame) => sent.push(frame),
      state: () => state,
      listen: (listener: Listener) => listeners.push(listener),
    } as unknown as PanelApi;
    sendPageContext(api);
    await vi.advanceTimersByTimeAsync(1_000);
    const pages = () => sent.filter((frame) => frame.type === "page") as { url: string; title: string }[];
    expect(pages()).toEqual([]);
    state = "online";
    listeners.forEach((listener) => listener("ready"));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pages()).toHaveLength(1);
    expect(pages()[0]).toMatchObject({ type: "page", url: location.href, title: document.title });
    history.pushState({}, "", "/shoes");
    await vi.advanceTimersByTimeAsync(1_000);
    document.title = "Shoes";
    await vi.advanceTimersByTimeAsync(3_000);
    history.replaceState({}, "", "/shoes?size=42");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pages().map((frame) => [new URL(frame.url).pathname + new URL(frame.url).search, frame.title])).toEqual([
      ["/", ""],
      ["/shoes", ""],
      ["/shoes", "Shoes"],
      ["/shoes?size=42", "Shoes"],
    ]);
  });
});
