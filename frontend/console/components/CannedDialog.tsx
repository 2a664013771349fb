// Managing the canned replies of the agent's sites: list, create, edit, delete (shared with the team).

import { useEffect, useState } from "preact/hooks";
import type { CannedReply, SiteInfo } from "../../shared/protocol";
import type { AgentTools } from "../tools";
import { useStore } from "../store";
import { useModal } from "./modal";
import { CANNED } from "../strings";

export interface CannedDialogProps {
  tools: AgentTools;
  sites: readonly SiteInfo[];
}

interface Draft {
  id: number | null;
  site_id: number;
  shortcut: string;
  title: string;
  body: string;
}

const SHORTCUT_PATTERN = "[a-z0-9_\\-]{1,40}";

export function CannedDialog({ tools, sites }: CannedDialogProps) {
  const state = useStore(tools.store);
  const dialog = useModal(state.cannedOpen);
  const [draft, setDraft] = useState<Draft | null>(null);
  // This console's save, stored (canned.changed), closes the form; a colleague's change does not.
  useEffect(() => setDraft(null), [state.cannedSaved]);

  const siteName = (id: number): string => sites.find((site) => site.id === id)?.name ?? "";
  const blank = (): Draft => ({ id: null, site_id: sites[0]?.id ?? 0, shortcut: "", title: "", body: "" });
  const edit = (reply: CannedReply): void => setDraft({ ...reply });
  const replies = tools.canned.list();

  return (
    <dialog
      ref={dialog}
      class="dialog canned-dialog"
      data-console="canned-dialog"
      aria-labelledby="canned-title"
      onClose={() => tools.openCanned(false)}
    >
      <header class="dialog-head">
        <h2 id="canned-title">{CANNED.title}</h2>
        <button type="button" class="button button-ghost button-small" onClick={() => tools.openCanned(false)}>
          {CANNED.close}
        </button>
      </header>
      {replies.length ? (
        <ul class="canned-list" data-console="canned-list">
          {replies.map((reply) => (
            <li key={reply.id} class="canned-item" data-console="canned-item" data-shortcut={reply.shortcut}>
              <span class="canned-shortcut">/{reply.shortcut}</span>
              <span class="canned-preview">{reply.title || reply.body}</span>
              {sites.length > 1 ? <span class="canned-site">{siteName(reply.site_id)}</span> : null}
              <button type="button" class="button button-ghost button-small" onClick={() => edit(reply)}>
                {CANNED.edit}
              </button>
              <button
                type="button"
                class="button button-ghost button-small"
                data-console="canned-delete"
                onClick={() => tools.deleteCanned(reply.id)}
              >
                {CANNED.delete}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="canned-empty">{CANNED.empty}</p>
      )}
      {state.cannedError ? (
        <p class="composer-error" role="alert" data-console="canned-error">
          {state.cannedError}
        </p>
      ) : null}
      {draft ? (
        <form
          class="canned-form"
          data-console="canned-form"
          onSubmit={(event) => {
            event.preventDefault();
            tools.saveCanned({ ...draft, shortcut: draft.shortcut.trim(), site_id: Number(draft.site_id) });
          }}
        >
          {sites.length > 1 ? (
            <label>
              {CANNED.site}
              <select
                value={String(draft.site_id)}
                disabled={draft.id !== null}
                onChange={(event) => setDraft({ ...draft, site_id: Number(event.currentTarget.value) })}
              >
                {sites.map((site) => (
                  <option key={site.id} value={String(site.id)}>
                    {site.name}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <label>
            {CANNED.shortcut}
            <input
              data-console="canned-shortcut"
              required
              pattern={SHORTCUT_PATTERN}
              maxLength={40}
              value={draft.shortcut}
              aria-describedby="canned-shortcut-hint"
              onInput={(event) => setDraft({ ...draft, shortcut: event.currentTarget.value })}
            />
          </label>
          <p id="canned-shortcut-hint" class="canned-hint">
            {CANNED.shortcutHint}
          </p>
          <label>
            {CANNED.name}
            <input
              data-console="canned-name"
              maxLength={120}
              value={draft.title}
              onInput={(event) => setDraft({ ...draft, title: event.currentTarget.value })}
            />
          </label>
          <label>
            {CANNED.body}
            <textarea
              data-console="canned-body"
              required
              rows={4}
              value={draft.body}
              onInput={(event) => setDraft({ ...draft, body: event.currentTarget.value })}
            />
          </label>
          <div class="canned-actions">
            <button type="button" class="button button-ghost" onClick={() => setDraft(null)}>
              {CANNED.cancel}
            </button>
            <button type="submit" class="button button-primary" data-console="canned-save">
              {CANNED.save}
            </button>
          </div>
        </form>
      ) : (
        <button type="button" class="button button-primary" data-console="canned-add" onClick={() => setDraft(blank())}>
          {CANNED.add}
        </button>
      )}
    </dialog>
  );
}
