// The inbox's search box: searched as the agent types (the controller waits for a pause); Esc clears it.

import { INBOX } from "../strings";

export interface SearchBoxProps {
  text: string;
  onSearch: (text: string) => void;
}

export function SearchBox({ text, onSearch }: SearchBoxProps) {
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== "Escape" || !text) return;
    event.preventDefault();
    onSearch("");
  };
  return (
    <div class="inbox-search" role="search">
      <label class="visually-hidden" for="inbox-search">
        {INBOX.search}
      </label>
      <input
        id="inbox-search"
        type="search"
        data-console="search"
        value={text}
        maxLength={200}
        placeholder={INBOX.searchPlaceholder}
        autocomplete="off"
        spellcheck={false}
        onInput={(event) => onSearch(event.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
    </div>
  );
}
