// What the loader hands the panel when it mounts (types only: nothing here reaches a bundle).

import type { Conversation, Message, VisitorClientFrame, VisitorMessageSend, WidgetSite } from "../shared/protocol";

/** A message typed and sent, not yet stored by the server. */
export interface PendingItem extends Omit<VisitorMessageSend, "type"> {
  created_at: string;
}

/** A call of the page's API: Parley(command, argument, handler). */
export type PanelCall = [command: string, argument?: unknown, handler?: unknown];

/** "state" (connection state, as detail) and every frame by its type (the frame as detail). */
export type Listener = (type: string, detail?: unknown) => void;

export type ConnectionState = "connecting" | "online" | "offline";

export interface PanelApi {
  root: HTMLElement;
  site: WidgetSite;
  /** "parley:<site key>:", the start of every localStorage key the widget uses for this site. */
  prefix: string;
  /** The messages this page holds: earlier conversations' (oldest first), then the latest one's. */
  messages: () => Message[];
  /** The visitor's latest conversation as the server last described it (null before `ready`, or none). */
  latest: () => Conversation | null;
  /** Sends a frame on the socket if one is open (frames other than hello wait for state "online"). */
  send: (frame: VisitorClientFrame) => void;
  /** The conversation's read marks by reader ("visitor", "agent"). */
  marks: Record<string, number>;
  state: () => ConnectionState;
  listen: (listener: Listener) => void;
  /** The last detail of each event so far (the panel reads the latest `ready` and `availability`). */
  heard: Record<string, unknown>;
  /** The page's calls for the panel made before it arrived, in order (page-api.ts). */
  calls: readonly PanelCall[];
}

export interface PanelHandle {
  /** The launcher's label in the panel's language, for the unread count it also tells the page. */
  badge: (open: boolean, unread: number) => string;
  /** Runs a call of the page's API that the panel handles (page-api.ts). */
  run: (...call: PanelCall) => void;
  /** Shows or hides the panel; `focus` puts the focus in its message box (an open just asked for). */
  show: (open: boolean, focus?: boolean) => void;
}

/** What the loader hands over: the connection's state is its last "state" event (panel.ts reads it). */
export type LoaderApi = Omit<PanelApi, "state">;
