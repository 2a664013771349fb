// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from "vitest";
import { createModal } from "./modal";

function setup(narrow: boolean) {
  const changes: (() => void)[] = [];
  const query = { matches: narrow, addEventListener: (_type: string, listener: () => void) => changes.push(listener) };
  vi.stubGlobal("matchMedia", () => query);
  const host = document.createElement("div");
  document.body.append(host);
  const shadow = host.attachShadow({ mode: "open" });
  const panel = document.createElement("section");
  panel.innerHTML = '<button class="close">x</button><ol tabindex="0"></ol><textarea></textarea><button class="send">s</button>';
  shadow.append(panel);
  const modal = createModal(panel, shadow);
  const tab = (shiftKey = false) => {
    const event = new KeyboardEvent("keydown", { key: "Tab", shiftKey, cancelable: true, bubbles: true });
    panel.dispatchEvent(event);
    return event.defaultPrevented;
  };
  const resize = (matches: boolean) => {
    query.matches = matches;
    changes.forEach((change) => change());
  };
  return { panel, shadow, modal, tab, resize };
}

describe("the panel as a modal dialog on a phone", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.innerHTML = "";
    document.documentElement.style.overflow = document.body.style.overflow = "";
  });

  it("locks the host page while open and full screen, and puts its own overflow back", () => {
    document.body.style.overflow = "auto";
    const { panel, modal, resize } = setup(true);
    modal.setOpen(true);
    expect(panel.getAttribute("aria-modal")).toBe("true");
    expect([document.documentElement.style.overflow, document.body.style.overflow]).toEqual(["hidden", "hidden"]);
    // Rotated to a wide screen: no longer modal, the page scrolls again.
    resize(false);
    expect(panel.hasAttribute("aria-modal")).toBe(false);
    expect(document.body.style.overflow).toBe("auto");
    resize(true);
    modal.setOpen(false);
    expect(panel.hasAttribute("aria-modal")).toBe(false);
    expect([document.documentElement.style.overflow, document.body.style.overflow]).toEqual(["", "auto"]);
  });

  it("wraps Tab and Shift+Tab inside the panel only while modal", () => {
    const { panel, shadow, modal, tab } = setup(true);
    const first = panel.querySelector<HTMLElement>(".close")!;
    const last = panel.querySelector<HTMLElement>(".send")!;
    modal.setOpen(true);
    last.focus();
    expect(tab()).toBe(true);
    expect(shadow.activeElement).toBe(first);
    expect(tab(true)).toBe(true);
    expect(shadow.activeElement).toBe(last);
    panel.querySelector("textarea")!.focus();
    expect(tab()).toBe(false);
    modal.setOpen(false);
    last.focus();
    expect(tab()).toBe(false);
  });

  it("is never modal on a wide screen", () => {
    const { panel, modal } = setup(false);
    modal.setOpen(true);
    expect(panel.hasAttribute("aria-modal")).toBe(false);
    expect(document.body.style.overflow).toBe("");
  });
});
