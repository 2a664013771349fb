// The visitor's earlier conversations, shown above the latest one as one thread. The loader keeps
// what this page saw; a fresh page (another device, a cleared cache) walks the latest conversation's
// `previous_id` with `sync`, a few conversations at a time, more when the visitor scrolls up. Every
// message is kept by conversation and seq, so nothing is shown twice, whatever delivered it.

import type { ErrorFrame, History, Message } from "../shared/protocol";
import type { PanelApi } from "./types";

/** How many earlier conversations are fetched up front, and again each time the visitor scrolls to the top. */
export const EARLIER_STEP = 5;

export interface Earlier {
  /** Every message held, earlier conversations first (oldest first), each in seq order. */
  messages: () => Message[];
  /** Handles a frame the loader emitted; true when the messages changed. */
  onFrame: (type: string, detail: unknown) => boolean;
  /** The visitor scrolled to the top: walk further back. */
  more: () => void;
  /** Starts (or resumes, after a reconnect) the walk. */
  step: () => void;
}

const keyOf = (message: Pick<Message, "conversation_id" | "seq">): string => message.conversation_id + ":" + message.seq;

export function createEarlier(api: Pick<PanelApi, "messages" | "latest" | "send" | "state">): Earlier {
  // Messages fetched here, by conversation and seq.
  const fetched = new Map<string, Message>();
  // Each conversation's previous one, as far as known (null: none, or the server does not say).
  const previousOf = new Map<string, string | null>();
  // Conversations fetched to their end.
  const complete = new Set<string>();
  let inFlight: string | null = null;
  let budget = EARLIER_STEP;

  function noteLatest(): void {
    const latest = api.latest();
    if (latest) previousOf.set(latest.id, latest.previous_id ?? null);
  }

  function highestOf(id: string): number {
    let highest = 0;
    for (const message of fetched.values()) if (message.conversation_id === id) highest = Math.max(highest, message.seq);
    return highest;
  }

  function fetch(id: string, afterSeq: number): void {
    inFlight = id;
    api.send({ type: "sync", conversation_id: id, after_seq: afterSeq });
  }

  // The next conversation back that is neither fetched nor (with a known predecessor) held by the loader.
  function step(): void {
    noteLatest();
    // Before `ready` the server refuses anything but hello; the next `ready` steps again.
    if (inFlight || api.state() !== "online") return;
    const held = new Set(api.messages().map((message) => message.conversation_id));
    let id = api.latest()?.previous_id ?? null;
    let walked = 0;
    while (id && (complete.has(id) || (held.has(id) && previousOf.has(id)))) {
      walked += 1;
      id = previousOf.get(id) ?? null;
    }
    if (id && walked < budget) fetch(id, 0);
  }

  function onHistory(frame: History): boolean {
    if (frame.conversation_id !== inFlight) return false;
    const id = frame.conversation_id;
    const messages = Array.isArray(frame.messages) ? frame.messages : [];
    for (const message of messages) if (message.conversation_id === id && !fetched.has(keyOf(message))) fetched.set(keyOf(message), message);
    if (frame.has_more && messages.length) {
      fetch(id, highestOf(id));
    } else {
      inFlight = null;
      complete.add(id);
      // Without previous_id in `history` the walk ends here.
      previousOf.set(id, frame.previous_id ?? null);
      step();
    }
    return messages.length > 0;
  }

  function messages(): Message[] {
    const byKey = new Map<string, Message>();
    for (const message of fetched.values()) byKey.set(keyOf(message), message);
    // The loader's copy wins: it is the one the rest of the widget (outbox, badge) knows.
    const held = api.messages();
    for (const message of held) byKey.set(keyOf(message), message);
    // The loader's own conversation (its messages come last) stays at the bottom, even in the moment
    // between a new conversation's first message and its `conversation.started`.
    const latestId = held.length ? (held[held.length - 1] as Message).conversation_id : api.latest()?.id;
    const startOf = new Map<string, number>();
    for (const message of byKey.values()) {
      const id = message.conversation_id;
      const time = id === latestId ? Infinity : Date.parse(message.created_at) || 0;
      startOf.set(id, Math.min(startOf.get(id) ?? Infinity, time));
    }
    const rank = (message: Message): number => startOf.get(message.conversation_id) as number;
    return [...byKey.values()].sort(
      (a, b) => rank(a) - rank(b) || (a.conversation_id < b.conversation_id ? -1 : a.conversation_id > b.conversation_id ? 1 : a.seq - b.seq),
    );
  }

  function onFrame(type: string, detail: unknown): boolean {
    if (type === "history") return onHistory(detail as History);
    if (type === "visitor") {
      // Another visitor (identify, reset): nothing fetched for the previous one is theirs.
      fetched.clear();
      previousOf.clear();
      complete.clear();
      inFlight = null;
      budget = EARLIER_STEP;
    } else if (type === "ready") {
      // A sync sent on the previous socket may be lost with it.
      inFlight = null;
      step();
    } else if (type === "conversation.started") {
      step();
    } else if (type === "error" && inFlight && (detail as ErrorFrame).ref === "sync") {
      // Not this visitor's, or refused for now: the walk stops, and resumes after the next `ready`.
      inFlight = null;
    }
    return false;
  }

  return {
    messages,
    onFrame,
    more() {
      budget += EARLIER_STEP;
      step();
    },
    step,
  };
}
