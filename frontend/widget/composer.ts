// The message box: grows with its text (via the rows attribute, no inline style), sends on
// Enter, keeps Shift+Enter for a new line and leaves Enter alone while an IME is composing. What is
// typed and not sent is kept in sessionStorage, so a reload or the next page of the site shows it again.

import { el, icon } from "./dom";
import { load, save } from "./storage";
import { T } from "./strings";

const { COMPOSER_LABEL, COMPOSER_PLACEHOLDER, SEND_LABEL } = T;

const SEND_ICON = "M3.4 20.4 21 12 3.4 3.6v6.5L15.5 12 3.4 13.9z";
const LINE_HEIGHT = 20;
const VERTICAL_PADDING = 20;
const MAX_ROWS = 5;

export interface Composer {
  form: HTMLFormElement;
  input: HTMLTextAreaElement;
  /** A refused message comes back for editing, unless the visitor already typed something new. */
  restore: (text: string) => void;
}

export function createComposer(onSend: (body: string) => void, draftKey: string): Composer {
  const input = el("textarea", {
    class: "input",
    "data-parley": "input",
    rows: "1",
    placeholder: COMPOSER_PLACEHOLDER,
    "aria-label": COMPOSER_LABEL,
  });
  const sendButton = el("button", { type: "submit", class: "send", "data-parley": "send", "aria-label": SEND_LABEL }, [
    icon(SEND_ICON, "icon"),
  ]);
  const form = el("form", { class: "composer" }, [input, sendButton]);

  const keepDraft = (): void => save(draftKey, input.value, true);
  input.value = load(draftKey, true) || "";

  function fitRows(): void {
    input.rows = 1;
    const rows = Math.round((input.scrollHeight - VERTICAL_PADDING) / LINE_HEIGHT);
    input.rows = Math.min(MAX_ROWS, Math.max(1, rows));
  }

  function submit(): void {
    const body = input.value.trim();
    if (!body) return;
    onSend(body);
    input.value = "";
    keepDraft();
    fitRows();
    input.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener("input", () => {
    keepDraft();
    fitRows();
  });

  function restore(text: string): void {
    if (input.value) return;
    input.value = text;
    keepDraft();
    fitRows();
  }

  // Rows for a restored draft, once the panel is laid out.
  requestAnimationFrame(fitRows);
  return { form, input, restore };
}
