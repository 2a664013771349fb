// Entry of panel.js, loaded by widget.js on first open. It registers through the Parley
// command function, so it adds no global of its own.

import { mountPanel } from "./panel-view";

if (typeof window.Parley === "function") window.Parley("_panel", mountPanel);
