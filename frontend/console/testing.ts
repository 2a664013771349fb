// Builders for tests: protocol objects with sensible defaults, and a socket that records what is sent.

import { render } from "preact";
import { act } from "preact/test-utils";
import { memoryStorage } from "../shared/outbox";
import type {
  Activity,
  AgentReady,
  AgentServerFrame,
  ConversationOpened,
  ConversationSummary,
  Message,
  VisitorDetail,
} from "../shared/protocol";
import { parseConfig } from "./config";
import { ConsoleController, type Socket, type SocketCallbacks } from "./controller";
import { ConsoleModel } from "./model";
import { mountApp } from "./mount";
import type { Notifier } from "./notify";
import { viewsOf } from "./state/inbox";
import { ReplyOutbox } from "./state/outbox";

export const AGENT_ID = 7;
/** Another agent of site 1. */
export const COLLEAGUE_ID = 8;

export function message(fields: Partial<Message> & { seq: number }): Message {
  return {
    id: fields.seq,
    conversation_id: "c1",
    author: "visitor",
    author_name: null,
    agent_id: null,
    body: `message ${fields.seq}`,
    client_id: null,
    created_at: `2026-11-24T07:${String(10 + fields.seq).padStart(2, "0")}:00+00:00`,
    event: null,
    ...fields,
  };
}

/** An agent-only activity of conversation c1 (an assignment by default), at 07:mm. */
export function activity(fields: Partial<Activity> & { id: number; minute: number }): Activity {
  const { minute, ...rest } = fields;
  return {
    conversation_id: "c1",
    kind: "assigned",
    agent_id: AGENT_ID,
    author_name: "Dana",
    assignee_id: COLLEAGUE_ID,
    assignee_name: "Eli",
    body: "",
    client_id: null,
    created_at: `2026-11-24T07:${String(minute).padStart(2, "0")}:30+00:00`,
    ...rest,
  };
}

export function summary(fields: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id: "c1",
    site: { id: 1, name: "Demo shop" },
    status: "open",
    visitor: {
      id: "a2b3c4d5e6",
      name: "",
      email: "",
      last_page_url: "http://localhost:8001/",
      display_name: "Amber Fox",
    },
    assignee_id: null,
    assignee_name: null,
    resolved_at: null,
    last_seq: 0,
    last_message: null,
    created_at: "2026-11-24T07:00:00+00:00",
    updated_at: "2026-11-24T07:00:00+00:00",
    last_read_seq: 0,
    visitor_last_read_seq: 0,
    ...fields,
  };
}

export class FakeSocket implements Socket {
  sent: Record<string, unknown>[] = [];
  generation = 1;
  open = true;
  started = false;

  constructor(readonly callbacks: SocketCallbacks) {}

  start(): void {
    this.started = true;
  }

  send(frame: object): boolean {
    if (this.open) this.sent.push(frame as Record<string, unknown>);
    return this.open;
  }

  /** The frames of one type sent so far. */
  ofType(type: string): Record<string, unknown>[] {
    return this.sent.filter((frame) => frame.type === type);
  }

  /** The last frame of one type sent. */
  last(type: string): Record<string, unknown> | undefined {
    return this.ofType(type).slice(-1)[0];
  }

  receive(frame: AgentServerFrame): void {
    this.callbacks.onFrame(frame);
  }
}

/** A controller on a fake socket, with an outbox in memory and a window that has the focus. */
export function consoleOnFakeSocket(options: { focused?: () => boolean; notifier?: Notifier } = {}) {
  let socket: FakeSocket | undefined;
  const navigated: string[] = [];
  const model = new ConsoleModel({ agentId: AGENT_ID, agentName: "Dana", outbox: new ReplyOutbox(memoryStorage()) });
  const controller = new ConsoleController({
    config: parseConfig(JSON.stringify({ agent: { id: AGENT_ID, name: "Dana" }, message_max_length: 20 })),
    model,
    connect: (callbacks) => (socket = new FakeSocket(callbacks)),
    isFocused: options.focused ?? (() => true),
    navigate: (url) => navigated.push(url),
    ...(options.notifier ? { notifier: options.notifier } : {}),
  });
  if (!socket) throw new Error("no socket");
  return { controller, socket, model, navigated };
}

/** The agent's `ready` with one conversation per summary, counted in its views. */
export function ready(...inbox: ConversationSummary[]): AgentReady {
  const counts = { site_id: 1, mine: 0, unassigned: 0, open: 0, resolved: 0 };
  for (const row of inbox) for (const view of viewsOf(row, AGENT_ID)) counts[view] += 1;
  return {
    type: "ready",
    agent: { id: AGENT_ID, name: "Dana" },
    sites: [{ id: 1, name: "Demo shop" }],
    inbox,
    inbox_next: null,
    counts: [{ ...counts, over: [] }],
    agents: [
      { id: AGENT_ID, name: "Dana", site_ids: [1] },
      { id: COLLEAGUE_ID, name: "Eli", site_ids: [1] },
      { id: 9, name: "Finn", site_ids: [2] },
    ],
    canned: [],
    presence: [{ agent_id: AGENT_ID, status: "online" }],
    preferences: { desktop: true, push: false, sound: false, title_count: true },
  };
}

/** The whole console rendered into a fresh element of the document (happy-dom), on a fake socket. */
export function mountConsole(placeholder = "") {
  const setup = consoleOnFakeSocket();
  const root = document.createElement("div");
  root.innerHTML = placeholder;
  document.body.append(root);
  act(() => mountApp(root, setup.controller, "logout-form"));
  const unmount = (): void => {
    render(null, root);
    root.remove();
  };
  return { ...setup, root, unmount };
}

/** The console mounted, with conversation c1 in the inbox and open (`opened` overrides its conversation.opened). */
export function mountWithOpenConversation(opened: Partial<ConversationOpened> = {}) {
  const setup = mountConsole();
  act(() => setup.socket.receive(ready(summary({ last_seq: 1, last_message: message({ seq: 1 }) }))));
  act(() => setup.controller.openConversation("c1"));
  act(() =>
    setup.socket.receive({
      type: "conversation.opened",
      conversation: summary(),
      messages: [message({ seq: 1 })],
      has_more: false,
      activity: [],
      ...opened,
    }),
  );
  return setup;
}

/** A visitor's sidebar details (visitor.detail), the visitor of summary()'s conversation. */
export function visitorDetail(fields: Partial<VisitorDetail> = {}): VisitorDetail {
  return {
    id: "a2b3c4d5e6",
    site_id: 1,
    name: "",
    email: "",
    display_name: "Amber Fox",
    page_url: "",
    page_title: "",
    referrer: "",
    browser: "",
    os: "",
    timezone: "",
    language: "",
    attributes: {},
    first_seen_at: "2026-12-01T10:00:00+00:00",
    last_seen_at: "2026-12-06T10:00:00+00:00",
    visits: 1,
    ...fields,
  };
}
