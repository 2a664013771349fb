// What the loader hands the panel when it mounts (types only: nothing here reaches a bundle).

import type { Conversation, Message, VisitorClientFrame, VisitorMessageSend, WidgetSite } from "../shared/protocol";

/** A message typed and sent, not yet stored by the server. */
export interface PendingItem extends Omit<VisitorMessageSend, "type"> {
  created_at: string;
}

/** "change" (messages or outbox), "state" (connection state) and every frame by its type. */
export type Listener = (type: string, detail?: unknown) => void;

export type ConnectionState = "connecting" | "online" | "offline";

export interface PanelApi {
  root: HTMLElement;
  site: WidgetSite;
  /** The messages this page holds: earlier conversations' (oldest first), then the latest one's. */
  messages: () => Message[];
  /** The visitor's latest conversation as the server last described it (null before `ready`, or none). */
  latest: () => Conversation | null;
  /** Sends a frame when the socket is open (dropped otherwise). */
  send: (frame: VisitorClientFrame) => void;
  pending: () => PendingItem[];
  setPending: (items: PendingItem[]) => void;
  transmit: (items: PendingItem[]) => void;
  state: () => ConnectionState;
  listen: (listener: Listener) => void;
}

export interface PanelHandle {
  show: (open: boolean) => void;
}

export type MountPanel = (api: PanelApi) => PanelHandle;
