// The open conversation's visitor: who, where they are now (live), where from, their clock, their
// other conversations.

import { useEffect, useState } from "preact/hooks";
import type { AgentTools } from "../tools";
import { attributeRows, pastRows, sidebarRows } from "../sidebar";
import { useStore } from "../store";
import { clockTime, fullTime } from "../../shared/time";
import { NOTES, SIDEBAR } from "../strings";
import { RatingLine } from "./RatingsDialog";

export interface SidebarProps {
  tools: AgentTools;
  openId: string | null;
  /** The open conversation's visitor as its inbox row names it (shown until the detail arrives). */
  label: string;
  onOpenConversation: (id: string) => void;
}

// The visitor's clock shows minutes; checking every few seconds keeps it right without much work.
const CLOCK_TICK_MS = 5_000;

function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function Sidebar({ tools, openId, label, onOpenConversation }: SidebarProps) {
  const state = useStore(tools.store);
  const now = useNow();
  const visitor = state.visitor;
  if (!openId) return null;
  return (
    <aside class="sidebar" data-console="sidebar" aria-label={SIDEBAR.label}>
      <h2 class="sidebar-name" data-console="sidebar-name">
        {visitor ? visitor.name || visitor.display_name : label}
      </h2>
      {visitor ? null : <p class="sidebar-loading">{SIDEBAR.loading}</p>}
      {visitor ? (
        <dl class="sidebar-facts">
          {sidebarRows(visitor, now).map((row) => (
            <div class="sidebar-fact" key={row.key} data-console={`sidebar-${row.key}`}>
              <dt>{row.label}</dt>
              <dd title={row.title || undefined}>
                {row.href ? (
                  <a href={row.href} target="_blank" rel="noopener noreferrer nofollow">
                    {row.text}
                  </a>
                ) : (
                  row.text
                )}
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
      {visitor && attributeRows(visitor).length ? (
        <section class="sidebar-attributes">
          <h3>{SIDEBAR.attributes}</h3>
          <dl class="sidebar-facts" data-console="sidebar-attributes">
            {attributeRows(visitor).map((row) => (
              <div class="sidebar-fact" key={row.key} data-console="sidebar-attribute" data-key={row.key}>
                <dt>{row.key}</dt>
                <dd>{row.text}</dd>
              </div>
            ))}
          </dl>
        </section>
      ) : null}
      <RatingLine
        ratings={tools.ratings}
        openId={openId}
        stored={state.pastConversations.find((past) => past.id === openId)?.rating ?? null}
      />
      <Notes tools={tools} openId={openId} />
      {visitor && state.pastConversations.length ? (
        <section class="sidebar-past">
          <h3>{SIDEBAR.conversations}</h3>
          <ul data-console="sidebar-conversations">
            {pastRows(state.pastConversations, openId, now).map((row) => (
              <li key={row.id}>
                <button
                  type="button"
                  class="sidebar-past-button"
                  data-console="past-conversation"
                  data-conversation-id={row.id}
                  aria-current={row.current ? "true" : undefined}
                  disabled={row.current}
                  onClick={() => onOpenConversation(row.id)}
                >
                  <span>{row.text}</span> <span class="sidebar-past-status">{row.status}</span>
                  {row.current ? <span class="visually-hidden"> {SIDEBAR.current}</span> : null}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </aside>
  );
}

/** The open conversation's private notes: apart from the messages, never shown to the visitor. */
function Notes({ tools, openId }: { tools: AgentTools; openId: string }) {
  const stored = tools.notes.of(openId);
  const pending = tools.notes.pending(openId);
  if (!stored.length && !pending.length) return null;
  return (
    <section class="sidebar-notes" aria-label={SIDEBAR.notes}>
      <h3>{SIDEBAR.notes}</h3>
      <p class="sidebar-notes-hint">{NOTES.noteHint}</p>
      <ol class="notes" data-console="notes">
        {stored.map((note) => (
          <li key={note.id} class="note" data-console="note" data-client-id={note.client_id || undefined}>
            <p class="note-meta">
              <span class="note-author">{note.author_name}</span>{" "}
              <time dateTime={note.created_at} title={fullTime(note.created_at)}>
                {clockTime(note.created_at)}
              </time>
            </p>
            <p class="note-body">{note.body}</p>
          </li>
        ))}
        {pending.map((note) => (
          <li key={note.client_id} class="note is-pending" data-console="note" data-pending="true">
            <p class="note-meta">{SIDEBAR.saving}</p>
            <p class="note-body">{note.body}</p>
          </li>
        ))}
      </ol>
    </section>
  );
}
