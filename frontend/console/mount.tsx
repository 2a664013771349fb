// Puts the console on the page: a fresh render into the `.app` element the template serves.

import { render } from "preact";
import { App } from "./components/App";
import type { ConsoleController } from "./controller";

/** Renders the console into `root`, replacing the template's static placeholder. */
export function mountApp(root: HTMLElement, controller: ConsoleController, logoutForm: string): void {
  // The placeholder is not the console's markup: render from scratch (render would adopt the nodes it finds).
  root.textContent = "";
  render(<App controller={controller} root={root} logoutForm={logoutForm} />, root);
}
