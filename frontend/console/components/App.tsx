// The whole console screen, rendered from the store.

import { useEffect, useLayoutEffect } from "preact/hooks";
import type { ConsoleController } from "../controller";
import { useStore } from "../store";
import { TITLE } from "../strings";
import { inboxEmptyText, inboxLoading, inboxRows, threadView, unreadTotal, viewTabs } from "../view";
import { Composer } from "./Composer";
import { Inbox } from "./Inbox";
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
  const unread = unreadTotal(c.model);
  const view = threadView(c.model, state);

  useEffect(() => {
    const title = unread ? `(${unread}) ${TITLE}` : TITLE;
    if (document.title !== title) document.title = title;
  }, [unread]);
  // Before the children's effects run, so a pane is shown before the focus moves into it.
  useLayoutEffect(() => {
    root.dataset.view = state.openId ? "thread" : "inbox";
  }, [root, state.openId]);

  const close = (): void => c.closeConversation();
  return (
    <>
      <StatusBar state={state} agentName={c.config.agent.name} logoutForm={logoutForm} />
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
        <Thread view={view} scrollRequest={state.scrollRequest} onBack={close}>
          <Composer
            text={state.reply}
            error={state.replyError}
            focusRequest={state.replyFocusRequest}
            onInput={(text) => c.setReply(text)}
            onSubmit={() => c.submitReply()}
            onBack={close}
          />
        </Thread>
      </main>
      <Toasts toasts={state.toasts} onDismiss={(id) => c.dismissToast(id)} />
    </>
  );
}
