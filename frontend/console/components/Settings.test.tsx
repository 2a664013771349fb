// @vitest-environment happy-dom
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { message, mountConsole, ready, summary } from "../testing";

let root: HTMLElement;
let unmount = (): void => {};

afterEach(() => unmount());

function mount() {
  const setup = mountConsole();
  ({ root, unmount } = setup);
  act(() => setup.socket.receive(ready(summary({ last_seq: 1, last_message: message({ seq: 1 }) }))));
  return setup;
}

const find = (name: string) => root.querySelector<HTMLInputElement>(`[data-console="${name}"]`);

describe("Settings", () => {
  it("opens from the top bar as a modal dialog with the agent's preferences", () => {
    mount();
    expect(find("settings")).toBeNull();
    act(() => find("settings-open")!.click());
    const dialog = find("settings")!;
    expect(dialog.getAttribute("role")).toBe("dialog");
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(find("preference-title_count")!.checked).toBe(true);
    expect(find("preference-sound")!.checked).toBe(false);
    // happy-dom has no Notification API: desktop notifications cannot be turned on, and it says why.
    expect(find("preference-desktop")!.disabled).toBe(true);
    expect(find("settings-notice")!.textContent).toBe("This browser cannot show notifications.");
  });

  it("turning the title count off sends preferences.set and drops the count from the title", () => {
    const { socket } = mount();
    expect(document.title).toBe("(1) Parley console");
    act(() => find("settings-open")!.click());
    act(() => find("preference-title_count")!.click());
    expect(socket.last("preferences.set")).toEqual({ type: "preferences.set", title_count: false });
    expect(document.title).toBe("Parley console");
  });

  it("closes with Done or Escape, giving the focus back to the button that opened it", () => {
    mount();
    find("settings-open")!.focus();
    act(() => find("settings-open")!.click());
    expect(document.activeElement).toBe(find("preference-sound"));
    act(() => find("settings-close")!.click());
    expect(find("settings")).toBeNull();
    expect(document.activeElement).toBe(find("settings-open"));
    act(() => find("settings-open")!.click());
    act(() => {
      find("settings")!.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    });
    expect(find("settings")).toBeNull();
  });

  it("keeps Tab inside the dialog", () => {
    mount();
    act(() => find("settings-open")!.click());
    find("settings-close")!.focus();
    act(() => {
      find("settings-close")!.dispatchEvent(new KeyboardEvent("keydown", { key: "Tab", bubbles: true }));
    });
    expect(document.activeElement).toBe(find("preference-sound"));
  });
});
