// Entry point of dist/console.js: reads the page's config, mounts the console and opens the socket.

import { render } from "preact";
import { App } from "./components/App";
import { parseConfig } from "./config";
import { ConsoleController } from "./controller";

const LOGOUT_FORM = "logout-form";

const root = document.querySelector<HTMLElement>('[data-console="app"]');
if (root) {
  const config = parseConfig(document.getElementById("console-config")?.textContent);
  const controller = new ConsoleController({ config });
  render(<App controller={controller} root={root} logoutForm={LOGOUT_FORM} />, root);
  controller.start();
}
