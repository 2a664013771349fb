// Entry point of dist/console.js: reads the page's config, mounts the console and opens the socket.

import { parseConfig } from "./config";
import { ConsoleController } from "./controller";
import { mountApp } from "./mount";

const LOGOUT_FORM = "logout-form";

const root = document.querySelector<HTMLElement>('[data-console="app"]');
if (root) {
  const config = parseConfig(document.getElementById("console-config")?.textContent);
  const controller = new ConsoleController({ config });
  mountApp(root, controller, LOGOUT_FORM);
  controller.start();
}
