// Entry of widget.js, the only script a host page loads up front. It must never block or break
// the page: everything runs after this script, async, and a second copy of it does nothing.

import { callPanel, registerPanel, resetWidget, setLocale, setOpen, startWidget, toggleChat, UNAVAILABLE, widgetRoot } from "./controller";
import { identify } from "./transport";

// Every command of docs/widget-api.md; `on` and `off` take two arguments (the event, the handler).
type Command = (argument?: unknown, handler?: unknown) => void;
interface ParleyFunction {
  (command: string, argument?: unknown, handler?: unknown): void;
  _parley?: boolean;
  q?: [string, unknown?, unknown?][];
}

declare global {
  interface Window {
    Parley?: ParleyFunction;
  }
}

const COMMANDS = new Map<string, Command>([
  ["open", () => setOpen(true)],
  ["close", () => setOpen(false)],
  ["toggle", toggleChat],
  // Not remembered: a page that forgot to show it again does not lose the chat on the next one.
  ["show", () => (widgetRoot.hidden = false)],
  ["hide", () => (widgetRoot.hidden = true)],
  ["identify", identify],
  ["setLocale", setLocale],
  ["reset", resetWidget],
  ["_panel", registerPanel as Command],
]);

// currentScript is only set while this script runs, so it is read at the top.
const ownScript = document.currentScript as HTMLScriptElement | null;
const siteKey = ownScript?.dataset.site;
const queuedParley = window.Parley;

const parley: ParleyFunction = (command, argument, handler) => {
  const run = COMMANDS.get(command);
  if (run) run(argument, handler);
  // The rest are the panel's (page-api.ts: on, off, setAttributes; it warns once of any other name),
  // which they fetch at once.
  else callPanel(command, argument, handler);
};

if (queuedParley?._parley) {
  // A second copy of the embed code: the first one runs the widget.
} else if (ownScript && siteKey) {
  parley._parley = true;
  window.Parley = parley;
  startWidget(new URL(ownScript.src).origin, siteKey, ownScript.nonce);
  // Replay what the page queued through the stub before this script arrived.
  for (const args of queuedParley?.q || []) parley(...args);
} else {
  console.error(UNAVAILABLE);
}
