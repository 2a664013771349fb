// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { mountPanel } from "./panel-view";
import { T } from "./strings";
import { widgetSite } from "./testing";
import type { ConnectionState, Listener, PanelApi } from "./types";

const { STATUS_TEXT } = T;

const readyFrame = (availability: "online" | "away") => ({
  type: "ready",
  visitor: { id: "8d3f0b1e-0000-4000-8000-000000000000" },
  conversation: null,
  messages: [],
  has_more: false,
  availability,
});

function mountWith(latest: Record<string, unknown>, state: ConnectionState = "online") {
  const host = document.createElement("div");
  const shadow = host.attachShadow({ mode: "open" });
  const root = document.createElement("div");
  shadow.append(root);
  document.body.append(host);
  const listeners: Listener[] = [];
  const api: PanelApi = {
    root,
    site: widgetSite({ greeting: "Hi!" }),
    prefix: "parley:test:",
    calls: [],
    messages: () => [],
    send: () => {},
    state: () => state,
    listen: (listener) => void listeners.push(listener),
    latest: () => null,
    heard: latest,
    marks: {},
  };
  mountPanel(api);
  const status = root.querySelector<HTMLElement>('[data-parley="status"]')!;
  return { status, emit: (type: string, detail?: unknown) => listeners.forEach((listener) => listener(type, detail)) };
}

describe("panel header", () => {
  it("shows the team's availability from the ready frame that came before the panel", () => {
    const { status } = mountWith({ ready: readyFrame("away") });
    expect(status.dataset.state).toBe("online");
    expect(status.dataset.availability).toBe("away");
    expect(status.textContent).toBe("Away — we'll reply here");
  });

  it("prefers a later availability frame, and follows live ones", () => {
    const { status, emit } = mountWith({
      ready: readyFrame("away"),
      availability: { type: "availability", status: "online" },
    });
    expect(status.textContent).toBe("Online — usually replies in a few minutes");
    emit("availability", { type: "availability", status: "away" });
    expect(status.textContent).toBe("Away — we'll reply here");
    emit("ready", readyFrame("online"));
    expect(status.dataset.availability).toBe("online");
  });

  it("shows the connection's state while it is not connected", () => {
    const { status, emit } = mountWith({ ready: readyFrame("online") }, "offline");
    expect(status.textContent).toBe(STATUS_TEXT.offline);
    emit("state", "online");
    expect(status.textContent).toBe("Online — usually replies in a few minutes");
  });
});
