// Entry of panel.js, loaded by widget.js on first open. It registers through the Parley
// command function, so it adds no global of its own.

import { mountPanel } from "./panel-view";
import type { ConnectionState, LoaderApi } from "./types";

// The connection's state is the loader's last "state" event, "connecting" before the first.
const mount = (api: LoaderApi) => mountPanel({ ...api, state: () => (api.heard.state as ConnectionState) || "connecting" });

if (typeof window.Parley === "function") window.Parley("_panel", mount);
