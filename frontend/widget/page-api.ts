// The part of the page's JS API (docs/widget-api.md) that lives in the panel: events through
// Parley('on', name, fn) and Parley('off', name, fn), and Parley('setAttributes', {...}). The loader
// hands over these calls (those made before the panel arrived first, in order) and loads the panel
// as soon as a page makes one, so pages that use none of them load the small loader alone.

import type { Availability, ErrorFrame, Message, MessageNew, VisitorReady } from "../shared/protocol";
import type { PanelApi } from "./types";

type Handler = (detail?: unknown) => void;

/** The `message` event's detail: a message of the visitor's current conversation, as it arrives. */
export interface MessageEvent {
  id: number;
  author: "agent" | "visitor";
  text: string;
  created_at: string;
}

export interface PageApi {
  /** Runs a call the loader handed over: on, off, setAttributes (anything else only warns). */
  run: (command: string, argument?: unknown, handler?: unknown) => void;
  /** Tells the page's handlers of `name`; with `changes`, only a detail unlike the last one told. */
  tell: (name: string, detail?: unknown, changes?: boolean) => void;
  /** Follows the loader's events (the panel's listener hands each one on). */
  onEvent: (type: string, detail?: unknown) => void;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function createPageApi(api: PanelApi): PageApi {
  let handlers: [string, Handler][] = [];
  // The last detail told of each event: `ready` is told at once to a handler added after it.
  const told: Record<string, unknown> = {};
  const toldMessages = new Set<number>();
  // Names of unknown commands already warned of: once each.
  const unknown = new Set<string>();
  // What the page said of its visitor, sent with each `ready` (a new socket, or another visitor after
  // identify); null once nothing was said or after a reset.
  let attributes: Record<string, unknown> | null = null;

  // A handler that throws is the page's bug: reported, and the widget and the other handlers go on.
  function call(handler: Handler, detail: unknown): void {
    try {
      handler(detail);
    } catch (error) {
      console.error(error);
    }
  }

  function tell(name: string, detail?: unknown, changes?: boolean): void {
    if (changes && name in told && told[name] === detail) return;
    told[name] = detail;
    for (const [heard, handler] of handlers) if (heard === name) call(handler, detail);
  }

  function sendAttributes(sent: Record<string, unknown>): void {
    api.send({ type: "attributes", attributes: sent });
  }

  function run(command: string, argument?: unknown, handler?: unknown): void {
    if ((command === "on" || command === "off") && typeof argument === "string" && typeof handler === "function") {
      handlers = handlers.filter((pair) => pair[0] !== argument || pair[1] !== handler);
      if (command === "off") return;
      handlers.push([argument, handler as Handler]);
      if (argument === "ready" && "ready" in told) call(handler as Handler, undefined);
    } else if (command === "setAttributes" && isRecord(argument)) {
      attributes = { ...attributes, ...argument };
      // The server checks them (docs/widget-api.md, invalid_attributes); connected, they go now.
      if (api.state() === "online") sendAttributes(argument);
    } else if (/^(on|off|setAttributes)$/.test(command)) {
      console.warn("Parley: bad arguments for", command);
    } else if (!unknown.has(command)) {
      unknown.add(command);
      console.warn("Parley: unknown command", command);
    }
  }

  function onEvent(type: string, detail?: unknown): void {
    if (type === "ready") {
      if (attributes) sendAttributes(attributes);
      tell("availability", (detail as VisitorReady).availability, true);
    } else if (type === "availability") {
      tell("availability", (detail as Availability).status, true);
    } else if (type === "message.new" || type === "message.ack") {
      // Told once: the sending tab hears both its ack and the broadcast. System lines are not messages.
      const message = (detail as MessageNew).message as Message;
      if (message.author !== "system" && !toldMessages.has(message.id)) {
        toldMessages.add(message.id);
        tell("message", { id: message.id, author: message.author, text: message.body, created_at: message.created_at } satisfies MessageEvent);
      }
    } else if (type === "error" && (detail as ErrorFrame).code === "invalid_attributes") {
      // For the site's developer: what the server refused and why.
      console.warn("Parley:", (detail as ErrorFrame).message);
    } else if (type === "reset") {
      // Logged out: what the page said of the previous visitor is not the next one's.
      attributes = null;
    }
  }

  return { run, tell, onEvent };
}
