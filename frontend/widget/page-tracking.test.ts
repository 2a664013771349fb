// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { configureTransport, startTransport } from "./transport";

class FakeSocket {
  static last: FakeSocket | null = null;
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.last = this;
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(): void {}
}

describe("page tracking", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal("WebSocket", FakeSocket);
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => ({ ok: true, json: async () => ({ visitor_token: "t", socket_url: "ws://parley/ws/visitor/k/" }) })),
    );
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it("reports the page once online, then each pushState, replaceState or title change, once", async () => {
    configureTransport("http://parley/api/widget/sites/k", "parley:k:");
    startTransport();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeSocket.last as FakeSocket;
    socket.readyState = 1;
    socket.onopen?.();
    await vi.advanceTimersByTimeAsync(1_000);
    const pages = () => socket.sent.filter((frame) => frame.type === "page");
    expect(pages()).toEqual([]);
    socket.onmessage?.({
      data: JSON.stringify({ type: "ready", visitor: { id: "v" }, conversation: null, messages: [], has_more: false }),
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pages()).toEqual([{ type: "page", url: location.href, title: document.title }]);
    history.pushState({}, "", "/shoes");
    await vi.advanceTimersByTimeAsync(1_000);
    document.title = "Shoes";
    await vi.advanceTimersByTimeAsync(3_000);
    history.replaceState({}, "", "/shoes?size=42");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pages().map((frame) => [new URL(frame.url as string).pathname + new URL(frame.url as string).search, frame.title])).toEqual([
      ["/", ""],
      ["/shoes", ""],
      ["/shoes", "Shoes"],
      ["/shoes?size=42", "Shoes"],
    ]);
  });
});
