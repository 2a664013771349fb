// The whole console screen, rendered from the store.

import { useEffect, useLayoutEffect } from "preact/hooks";
import type { ConsoleController } from "../controller";
import { useStore } from "../store";
import { CANNED, RATINGS, SHORTCUTS, TITLE } from "../strings";
import { inboxEmptyText, inboxLoading, inboxRows, threadView, unreadTotal, viewTabs } from "../view";
import { CannedDialog } from "./CannedDialog";
import { Composer } from "./Composer";
import { pushSupported } from "../push";
import { Inbox } from "./Inbox";
import { RatingsDialog } from "./RatingsDialog";
import { ShortcutsDialog } from "./ShortcutsDialog";
import { Sidebar } from "./Sidebar";
import { Settings } from "./Settings";
import { StatusBar } from "./StatusBar";
import { Thread } from "./Thread";
import { Toasts } from "./Toasts";

export interface AppProps {
  controller: ConsoleController;
  /** The page's `.app` element: its data-view says which pane a narrow screen shows. */
  root: HTMLElement;
  logoutForm: string;
}

export function App({ controller: c, root, logoutForm }: AppProps) {
  const state = useStore(c.store);
  const tools = useStore(c.tools.store);
  const unread = unreadTotal(c.model);
  // The count in the title is a preference (on until the agent turns it off).
  const titleCount = state.preferences?.title_count !== false ? unread : 0;
  const view = threadView(c.model, state);

  useEffect(() => {
    const title = titleCount ? `(${titleCount}) ${TITLE}` : TITLE;
    if (document.title !== title) document.title = title;
  }, [titleCount]);
  // Before the children's effects run, so a pane is shown before the focus moves into it.
  useLayoutEffect(() => {
    root.dataset.view = state.openId ? "thread" : "inbox";
  }, [root, state.openId]);

  // Keyboard shortcuts (tools.ts, listed by "?"), never while typing in a box.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (!event.defaultPrevented && c.tools.onKey(event)) event.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [c]);

  const close = (): void => c.closeConversation();
  return (
    <>
      <StatusBar
        state={state}
        agentName={c.config.agent.name}
        accountUrl={c.config.account_url}
        ownerUrl={c.config.owner_url}
        logoutForm={logoutForm}
        presence={c.model.presence.status(c.config.agent.id)}
        onPresence={(status) => c.setPresence(status)}
        onSettings={() => c.openSettings()}
      >
        <button
          type="button"
          class="button button-ghost button-small"
          data-console="canned-open"
          onClick={() => c.tools.openCanned(true)}
        >
          {CANNED.open}
        </button>
        <button
          type="button"
          class="button button-ghost button-small"
          data-console="ratings-open"
          onClick={() => c.tools.ratings.setOpen(true)}
        >
          {RATINGS.open}
        </button>
        <button
          type="button"
          class="button button-ghost button-small"
          data-console="shortcuts-open"
          aria-label={SHORTCUTS.open}
          onClick={() => c.tools.openShortcuts(true)}
        >
          ?
        </button>
      </StatusBar>
      <main class="columns">
        <Inbox
          rows={inboxRows(c.model, state)}
          unread={unread}
          sites={state.sites}
          siteFilter={state.siteFilter}
          loading={inboxLoading(c.model, state)}
          emptyText={inboxEmptyText(c.model, state)}
          focusRequest={state.rowFocusRequest}
          onOpen={(id) => c.openConversation(id, { focusReply: true })}
          onFocusRow={(id) => c.setFocus(id)}
          onSiteFilter={(value) => c.setSiteFilter(value)}
          tabs={viewTabs(c.model, state)}
          search={state.search}
          hasMore={c.model.inbox.hasMore(c.selection)}
          onView={(view) => c.setView(view)}
          onSearch={(text) => c.setSearch(text)}
          onMore={() => c.loadMore()}
        />
        <Thread
          view={view}
          scrollRequest={state.scrollRequest}
          onBack={close}
          actions={{
            onAssign: (assigneeId) => c.assign(assigneeId),
            onResolve: () => c.setStatus("resolved"),
            onReopen: () => c.setStatus("open"),
          }}
        >
          <Composer
            text={state.reply}
            error={state.replyError}
            focusRequest={state.replyFocusRequest}
            onInput={(text) => c.setReply(text)}
            onSubmit={() => (tools.mode === "note" ? c.tools.submitNote() : c.submitReply())}
            onBack={close}
            mode={tools.mode}
            onMode={(mode) => c.tools.setMode(mode)}
            suggestions={tools.mode === "reply" ? c.tools.suggestions(state.reply) : []}
            suggestion={tools.suggestion}
            onSuggestion={(index) => c.tools.setSuggestion(index)}
            onExpand={(reply) => c.tools.expand(reply)}
            onBlur={() => c.stopTyping()}
          />
        </Thread>
        <Sidebar
          tools={c.tools}
          openId={state.openId}
          label={view?.title ?? ""}
          onOpenConversation={(id) => c.tools.openPast(id)}
        />
      </main>
      <Toasts
        toasts={state.toasts}
        onDismiss={(id) => c.dismissToast(id)}
        onOpen={(toast) => {
          c.dismissToast(toast.id);
          if (toast.openId) c.openConversation(toast.openId, { focusReply: true });
        }}
      />
      <CannedDialog tools={c.tools} sites={state.sites} />
      <ShortcutsDialog tools={c.tools} />
      <RatingsDialog ratings={c.tools.ratings} />
      {state.settingsOpen && state.preferences && (
        <Settings
          preferences={state.preferences}
          permission={state.permission}
          pushAvailable={pushSupported(c.config)}
          notice={state.settingsNotice}
          onDesktop={(on) => void c.setDesktop(on)}
          onPush={(on) => void c.setPush(on)}
          onSound={(on) => c.setSound(on)}
          onTitleCount={(on) => c.setPreference("title_count", on)}
          onClose={() => c.closeSettings()}
        />
      )}
    </>
  );
}
