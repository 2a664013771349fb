// The reply box: Enter sends, Shift+Enter starts a new line, errors show briefly under it.

import { useEffect, useRef } from "preact/hooks";
import { COMPOSER } from "../strings";

export interface ComposerProps {
  text: string;
  error: string | null;
  /** Increases when the cursor should go into the box. */
  focusRequest: number;
  onInput: (text: string) => void;
  onSubmit: () => void;
  /** Escape on a narrow screen: back to the inbox. */
  onBack: () => void;
  /** The box lost the focus (typing stops). */
  onBlur?: () => void;
}

const NARROW = "(max-width: 760px)";
// keyCode 229: a key pressed while an input method composes (some browsers leave isComposing false).
const IME_KEY_CODE = 229;

export function Composer({ text, error, focusRequest, onInput, onSubmit, onBack, onBlur }: ComposerProps) {
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (focusRequest) box.current?.focus();
  }, [focusRequest]);

  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== IME_KEY_CODE) {
      event.preventDefault();
      onSubmit();
    } else if (event.key === "Escape" && window.matchMedia?.(NARROW).matches) {
      onBack();
    }
  };

  return (
    <form
      class="composer"
      data-console="composer"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <label for="reply" class="visually-hidden">
        {COMPOSER.label}
      </label>
      <textarea
        ref={box}
        id="reply"
        class="reply"
        data-console="reply"
        rows={3}
        placeholder={COMPOSER.placeholder}
        autocomplete="off"
        value={text}
        onInput={(event) => onInput(event.currentTarget.value)}
        onKeyDown={onKeyDown}
        onBlur={onBlur}
      />
      <div class="composer-bar">
        <p class="composer-error" data-console="reply-error" role="alert" hidden={!error}>
          {error ?? ""}
        </p>
        <p class="composer-hint">
          <kbd>{COMPOSER.enter}</kbd>
          {COMPOSER.sendHint}
          <kbd>{COMPOSER.shift}</kbd>+<kbd>{COMPOSER.enter}</kbd>
          {COMPOSER.newLineHint}
        </p>
        <button type="submit" class="button button-primary" data-console="send">
          {COMPOSER.send}
        </button>
      </div>
    </form>
  );
}
