// What the loader hands the panel when it mounts (types only: nothing here reaches a bundle).

import type { Message, VisitorClientFrame, VisitorMessageSend, WidgetSite } from "../shared/protocol";

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
  messages: () => Message[];
  pending: () => PendingItem[];
  setPending: (items: PendingItem[]) => void;
  transmit: (items: PendingItem[]) => void;
  /** Sends a frame if the socket is open (only after `ready`: check state() first). */
  send: (frame: VisitorClientFrame) => void;
  /** The conversation's read marks by reader ("visitor", "agent"). */
  marks: Record<string, number>;
  state: () => ConnectionState;
  listen: (listener: Listener) => void;
}

export interface PanelHandle {
  show: (open: boolean) => void;
}

export type MountPanel = (api: PanelApi) => PanelHandle;
