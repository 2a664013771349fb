// Entry of widget.js, the only script a host page loads up front. It must never block or break
// the page: everything runs after this script, async, and a second copy of it does nothing.

import { registerPanel, resetWidget, setOpen, startWidget, toggleChat, UNAVAILABLE } from "./controller";
import { identify } from "./transport";

type Command = (argument?: unknown) => void;
interface ParleyFunction {
  (command: string, argument?: unknown): void;
  _parley?: boolean;
  q?: [string, unknown?][];
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
  ["identify", identify],
  ["reset", resetWidget],
  ["_panel", registerPanel as Command],
]);

// currentScript is only set while this script runs, so it is read at the top.
const ownScript = (document.currentScript || document.querySelector('script[data-site][src*="widget.js"]')) as HTMLScriptElement | null;
const siteKey = ownScript?.getAttribute("data-site");
const queuedParley = window.Parley;

const parley: ParleyFunction = (command, argument) => {
  const run = COMMANDS.get(command);
  if (run) run(argument);
  else {
    console.warn("Parley: unknown command", command);
    COMMANDS.set(command, () => {}); // warn once per name
  }
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
