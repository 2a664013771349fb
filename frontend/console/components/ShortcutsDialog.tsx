// The list of keyboard shortcuts, opened by "?".

import type { AgentTools } from "../tools";
import { useStore } from "../store";
import { useModal } from "./modal";
import { SHORTCUTS } from "../strings";

export function ShortcutsDialog({ tools }: { tools: AgentTools }) {
  const state = useStore(tools.store);
  const dialog = useModal(state.shortcutsOpen);
  return (
    <dialog
      ref={dialog}
      class="dialog shortcuts-dialog"
      data-console="shortcuts-dialog"
      aria-labelledby="shortcuts-title"
      onClose={() => tools.openShortcuts(false)}
    >
      <header class="dialog-head">
        <h2 id="shortcuts-title">{SHORTCUTS.title}</h2>
        <button type="button" class="button button-ghost button-small" onClick={() => tools.openShortcuts(false)}>
          {SHORTCUTS.close}
        </button>
      </header>
      <dl class="shortcut-list">
        {SHORTCUTS.keys.map(([key, text]) => (
          <div key={key} class="shortcut">
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{text}</dd>
          </div>
        ))}
      </dl>
    </dialog>
  );
}
