// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { mountPanel } from "./panel-view";
import type { ConnectionState, Listener, PanelApi } from "./types";

function mountWith(latest: Record<string, unknown>, state: ConnectionState = "online") {
  const host = document.createElement("div");
  const shadow = host.attachShadow({ mode: "open" });
  const root = document.createElement("div");
  shadow.append(root);
  document.body.append(host);
  const listeners: Listener[] = [];
  const api: PanelApi = {
    root,
    site: { name: "Acme", color: "#4f46e5", greeting: "Hi!", position: "right" },
    messages: () => [],
    pending: () => [],
    setPending: () => {},
    transmit: () => {},
    state: () => state,
    listen: (listener) => void listeners.push(listener),
    latest,
  };
  mountPanel(api);
  const status = root.querySelector<HTMLElement>('[data-parley="status"]')!;
  return { status, emit: (type: string, detail?: unknown) => listeners.forEach((listener) => listener(type, detail)) };
}

describe("panel header", () => {
  it("shows the team's availability from the ready frame that came before the panel", () => {
    const { status } = mountWith({ ready: { type: "ready", availability: "away" } });
    expect(status.dataset.state).toBe("online");
    expect(status.dataset.availability).toBe("away");
    expect(status.textContent).toBe("Away — we'll reply here");
  });

  it("prefers a later availability frame, and follows live ones", () => {
    const { status, emit } = mountWith({
      ready: { type: "ready", availability: "away" },
      availability: { type: "availability", status: "online" },
    });
    expect(status.textContent).toBe("Online — usually replies in a few minutes");
    emit("availability", { type: "availability", status: "away" });
    expect(status.textContent).toBe("Away — we'll reply here");
    emit("ready", { type: "ready", availability: "online" });
    expect(status.dataset.availability).toBe("online");
  });

  it("shows the connection's state while it is not connected", () => {
    const { status, emit } = mountWith({ ready: { type: "ready", availability: "online" } }, "offline");
    expect(status.textContent).toBe("Offline — reconnecting");
    emit("state", "online");
    expect(status.textContent).toBe("Online — usually replies in a few minutes");
  });
});
