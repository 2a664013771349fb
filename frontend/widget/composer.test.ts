// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createComposer } from "./composer";

const DRAFT = "parley:k:draft";

function setup() {
  const onSend = vi.fn();
  const composer = createComposer(onSend, DRAFT);
  document.body.append(composer.form);
  const press = (init: KeyboardEventInit) => composer.input.dispatchEvent(new KeyboardEvent("keydown", { cancelable: true, ...init }));
  return { composer, onSend, press };
}

describe("composer", () => {
  beforeEach(() => sessionStorage.clear());

  it("sends the trimmed text on Enter and empties the box", () => {
    const { composer, onSend, press } = setup();
    composer.input.value = "  Hello  ";
    press({ key: "Enter" });
    expect(onSend).toHaveBeenCalledWith("Hello");
    expect(composer.input.value).toBe("");
    press({ key: "Enter" });
    expect(onSend).toHaveBeenCalledOnce();
  });

  it("keeps Shift+Enter and IME composition for the text", () => {
    const { composer, onSend, press } = setup();
    composer.input.value = "line";
    press({ key: "Enter", shiftKey: true });
    press({ key: "Enter", isComposing: true });
    expect(onSend).not.toHaveBeenCalled();
  });

  it("gives a refused message back only into an empty box", () => {
    const { composer } = setup();
    composer.restore("refused");
    expect(composer.input.value).toBe("refused");
    composer.input.value = "new text";
    composer.restore("refused again");
    expect(composer.input.value).toBe("new text");
  });

  it("labels its controls from strings.ts", () => {
    const { composer } = setup();
    expect(composer.input.getAttribute("placeholder")).toBe("Write a message…");
    expect(composer.form.querySelector("button")?.getAttribute("aria-label")).toBe("Send message");
  });

  it("keeps the unsent draft in sessionStorage and shows it again in the next composer", () => {
    const { composer, press } = setup();
    composer.input.value = "half a thought";
    composer.input.dispatchEvent(new Event("input"));
    expect(sessionStorage.getItem(DRAFT)).toBe("half a thought");
    // A reload or the next page: a new composer starts with the draft.
    expect(setup().composer.input.value).toBe("half a thought");
    press({ key: "Enter" });
    expect(sessionStorage.getItem(DRAFT)).toBe("");
    expect(setup().composer.input.value).toBe("");
  });
});
