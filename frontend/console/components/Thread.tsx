// The open conversation: who and where, the messages (following the newest unless scrolled up), the reply box.

import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import { SIGNALS, THREAD } from "../strings";
import type { PendingItem, StoredItem, ThreadItem, ThreadView } from "../view";
import { Line, ThreadActions, type LifecycleActions } from "./Lifecycle";
import { Time } from "./Time";
import { Viewers } from "./Presence";
import type { ComponentChildren } from "preact";
import { Linked } from "./Linked";

export interface ThreadProps {
  view: ThreadView | null;
  /** Increases when the thread should jump to its newest message. */
  scrollRequest: number;
  onBack: () => void;
  /** Assign, resolve, reopen. */
  actions: LifecycleActions;
  /** The reply box. */
  children?: ComponentChildren;
}

// How close to the bottom still counts as "following the newest message".
const NEAR_BOTTOM_PX = 80;

function Stored({ item }: { item: StoredItem }) {
  return (
    <li
      class={`message message-${item.author}${item.mine ? " is-mine" : ""}`}
      data-console="message"
      data-author={item.author}
      data-seq={String(item.seq)}
      data-client-id={item.clientId || undefined}
    >
      <div class="message-meta">
        <span class="message-author">{item.authorName}</span>
        <Time item={item} />
      </div>
      <div class="message-body">
        <Linked text={item.body} />
      </div>
      {item.seenByVisitor ? (
        <p class="message-seen" data-console="seen">
          {SIGNALS.seenByVisitor}
        </p>
      ) : null}
    </li>
  );
}

function Pending({ item }: { item: PendingItem }) {
  return (
    <li
      class="message message-agent is-mine is-pending"
      data-console="message"
      data-author="agent"
      data-pending="true"
      data-client-id={item.clientId}
    >
      <div class="message-meta">
        <span class="message-author">{item.authorName}</span>
        <span class="message-time pending-label">{item.label}</span>
      </div>
      <div class="message-body">
        <Linked text={item.body} />
      </div>
    </li>
  );
}

function useFollowNewest(scrollRequest: number) {
  const list = useRef<HTMLOListElement>(null);
  const stuck = useRef(true);
  const handled = useRef(-1);
  useLayoutEffect(() => {
    const element = list.current;
    if (!element) return;
    if (handled.current !== scrollRequest) {
      handled.current = scrollRequest;
      stuck.current = true;
    }
    if (stuck.current) element.scrollTop = element.scrollHeight;
  });
  useEffect(() => {
    const element = list.current;
    if (!element || typeof ResizeObserver !== "function") return undefined;
    // Keep the newest message in view when the window or the reply box changes size.
    const observer = new ResizeObserver(() => {
      if (stuck.current) element.scrollTop = element.scrollHeight;
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const onScroll = (): void => {
    const element = list.current;
    if (element) stuck.current = element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM_PX;
  };
  return { list, onScroll };
}

// A stored message or a line of the lifecycle (system line, activity, note), in the thread's order.
function Shown({ item }: { item: Exclude<ThreadItem, PendingItem> }) {
  if (item.kind === "event" || item.kind === "activity") return <Line item={item} />;
  return <Stored item={item} />;
}

export function Thread({ view, scrollRequest, onBack, actions, children }: ThreadProps) {
  const { list, onScroll } = useFollowNewest(scrollRequest);
  const stored = view?.items.filter((item): item is Exclude<ThreadItem, PendingItem> => item.kind !== "pending") ?? [];
  const pending = view?.items.filter((item): item is PendingItem => item.kind === "pending") ?? [];
  return (
    <section class="thread-pane" data-console="thread" aria-label={THREAD.label}>
      <div class="thread-placeholder" data-console="thread-placeholder" hidden={view !== null}>
        <p class="thread-placeholder-title">{THREAD.placeholderTitle}</p>
        <p>{THREAD.placeholderText}</p>
      </div>
      <div class="thread-body" data-console="thread-body" hidden={view === null}>
        <header class="thread-head">
          <button
            type="button"
            class="button button-ghost button-small back-button"
            data-console="back"
            onClick={onBack}
          >
            <span aria-hidden="true">←</span> {THREAD.back}
          </button>
          <div class="thread-who">
            <h2 class="thread-title" data-console="thread-title">
              {view?.title ?? ""}
            </h2>
            <p class="thread-meta">
              <span data-console="thread-site">{view?.site ?? ""}</span>
              <span class="thread-email" data-console="thread-email" hidden={!view?.email}>
                {view?.email ?? ""}
              </span>
              <span class="thread-status" data-console="thread-status" hidden={!view?.resolved}>
                {view?.resolved ? THREAD.resolved : ""}
              </span>
            </p>
            <p class="thread-url" data-console="thread-url" hidden={!view?.url}>
              <span class="thread-url-label">{THREAD.page}</span>{" "}
              <span data-console="thread-url-text" title={view?.url || undefined}>
                {view?.url ?? ""}
              </span>
            </p>
            <Viewers viewers={view?.viewers ?? []} />
          </div>
          {view ? <ThreadActions view={view.assignment} actions={actions} /> : null}
        </header>
        <ol
          ref={list}
          class="messages"
          data-console="messages"
          // A list (role="log" would make its <li>s invalid) that announces additions like a log, and
          // is focusable so keyboard users can scroll it.
          tabIndex={0}
          aria-live="polite"
          aria-relevant="additions"
          aria-label={THREAD.messagesLabel}
          onScroll={onScroll}
        >
          {stored.map((item) => (
            <Shown key={item.key} item={item} />
          ))}
          {view?.loading ? <li class="messages-loading">{THREAD.loading}</li> : null}
          {pending.map((item) => (
            <Pending key={item.key} item={item} />
          ))}
          {view?.notice ? <li class="messages-notice">{view.notice}</li> : null}
        </ol>
        <p class="typing-line" data-console="typing" aria-live="polite" hidden={!view?.typing}>
          {view?.typing ?? ""}
        </p>
        {children}
      </div>
    </section>
  );
}
