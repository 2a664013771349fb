// The reply box: Enter sends, Shift+Enter starts a new line, errors show briefly under it.

import { useEffect, useRef } from "preact/hooks";
import type { CannedReply } from "../../shared/protocol";
import { CANNED, COMPOSER, NOTES } from "../strings";
import type { ComposerMode } from "../tools";

export interface ComposerProps {
  text: string;
  error: string | null;
  /** Increases when the cursor should go into the box. */
  focusRequest: number;
  onInput: (text: string) => void;
  onSubmit: () => void;
  /** Escape on a narrow screen: back to the inbox. */
  onBack: () => void;
  /** A reply to the visitor, or a private note for the team. */
  mode?: ComposerMode;
  onMode?: (mode: ComposerMode) => void;
  /** Canned replies matching a "/shortcut" typed in the box, and the highlighted one. */
  suggestions?: readonly CannedReply[];
  suggestion?: number;
  onSuggestion?: (index: number) => void;
  onExpand?: (reply: CannedReply) => void;
  /** The box lost the focus (typing stops). */
  onBlur?: () => void;
}

const NARROW = "(max-width: 760px)";
// keyCode 229: a key pressed while an input method composes (some browsers leave isComposing false).
const IME_KEY_CODE = 229;

export function Composer(props: ComposerProps) {
  const { text, error, focusRequest, onInput, onSubmit, onBack, onBlur } = props;
  const { mode = "reply", onMode, suggestions = [], suggestion = 0, onSuggestion, onExpand } = props;
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (focusRequest) box.current?.focus();
  }, [focusRequest]);
  const note = mode === "note";
  const highlighted = Math.min(suggestion, Math.max(0, suggestions.length - 1));

  const onKeyDown = (event: KeyboardEvent): void => {
    if (suggestions.length && onSuggestion && onExpand) {
      const step = event.key === "ArrowDown" ? 1 : event.key === "ArrowUp" ? -1 : 0;
      if (step) {
        event.preventDefault();
        onSuggestion((highlighted + step + suggestions.length) % suggestions.length);
        return;
      }
      if ((event.key === "Tab" || event.key === "Enter") && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        const chosen = suggestions[highlighted];
        if (chosen) onExpand(chosen);
        return;
      }
    }
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== IME_KEY_CODE) {
      event.preventDefault();
      onSubmit();
    } else if (event.key === "Escape" && window.matchMedia?.(NARROW).matches) {
      onBack();
    }
  };

  return (
    <form
      class={`composer${note ? " is-note" : ""}`}
      data-console="composer"
      data-mode={mode}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {onMode ? (
        <div class="composer-modes" role="group" aria-label={NOTES.modeLabel}>
          <button
            type="button"
            class="composer-mode"
            data-console="mode-reply"
            aria-pressed={!note}
            onClick={() => onMode("reply")}
          >
            {NOTES.reply}
          </button>
          <button
            type="button"
            class="composer-mode"
            data-console="mode-note"
            aria-pressed={note}
            onClick={() => onMode("note")}
          >
            {NOTES.note}
          </button>
          {note ? <span class="composer-note-hint">{NOTES.noteHint}</span> : null}
        </div>
      ) : null}
      {suggestions.length ? (
        <ul class="canned-suggestions" data-console="canned-suggestions" role="listbox" aria-label={CANNED.suggestions}>
          {suggestions.map((reply, index) => (
            <li
              key={reply.id}
              role="option"
              class="canned-suggestion"
              data-console="canned-suggestion"
              aria-selected={index === highlighted}
              onMouseDown={(event) => {
                event.preventDefault();
                onExpand?.(reply);
              }}
            >
              <span class="canned-shortcut">/{reply.shortcut}</span>
              <span class="canned-preview">{reply.title || reply.body}</span>
            </li>
          ))}
          <li class="canned-suggestion-hint" aria-hidden="true">
            {CANNED.suggestionHint}
          </li>
        </ul>
      ) : null}
      <label for="reply" class="visually-hidden">
        {note ? NOTES.note : COMPOSER.label}
      </label>
      <textarea
        ref={box}
        id="reply"
        class="reply"
        data-console="reply"
        rows={3}
        placeholder={note ? NOTES.notePlaceholder : COMPOSER.placeholder}
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
          {note ? NOTES.addNote : COMPOSER.send}
        </button>
      </div>
    </form>
  );
}
