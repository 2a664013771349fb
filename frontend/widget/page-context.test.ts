// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { VisitorClientFrame } from "../shared/protocol";
import { sendPageContext } from "./page-context";
import type { ConnectionState, Listener, PanelApi } from "./types";

function fakeApi(initial: ConnectionState) {
  let state = initial;
  const sent: VisitorClientFrame[] = [];
  const listeners: Listener[] = [];
  const api = {
    send: (frame: VisitorClientFrame) => sent.push(frame),
    state: () => state,
    listen: (listener: Listener) => listeners.push(listener),
  } as unknown as PanelApi;
  const emit = (type: string): void => listeners.forEach((listener) => listener(type));
  return { api, sent, emit, setState: (next: ConnectionState) => void (state = next) };
}

describe("page context", () => {
  it("is sent at once when online, and again with every ready", () => {
    const { api, sent, emit } = fakeApi("online");
    sendPageContext(api);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: "page", timezone: Intl.DateTimeFormat().resolvedOptions().timeZone });
    emit("message.new");
    emit("ready");
    expect(sent).toHaveLength(2);
  });

  it("waits for ready while offline", () => {
    const { api, sent, emit } = fakeApi("connecting");
    sendPageContext(api);
    expect(sent).toEqual([]);
    emit("ready");
    expect(sent).toHaveLength(1);
  });
});

// Page tracking for single-page apps: no History API wrapping, one check a second.
describe("page tracking", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reports the page once online, then each pushState, replaceState or title change, once", async () => {
    const { api, sent, emit, setState } = fakeApi("connecting");
    sendPageContext(api);
    await vi.advanceTimersByTimeAsync(1_000);
    const pages = () => sent.filter((frame) => frame.type === "page") as { url: string; title: string }[];
    expect(pages()).toEqual([]);
    setState("online");
    emit("ready");
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
