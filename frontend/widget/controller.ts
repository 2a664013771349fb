// The launcher, the unread badge, opening and closing, and loading the panel on first open.

import type { WidgetConfig, WidgetSite } from "../shared/protocol";
import { addStyles, el } from "./dom";
import { latest, listen } from "./events";
import { fetchJSON } from "./http";
import { load, save } from "./storage";
import { earlierMessages, readMarks, storedMessages } from "./store";
import { launcherLabel } from "./launcher-label";
import { colorCss, LAUNCHER_CSS } from "./styles";
import { configureTransport, latestConversation, resetVisitor, sendFrame, startTransport } from "./transport";
import type { LoaderApi, PanelCall, PanelHandle } from "./types";

// For developers (the console), also when the script tag has no data-site.
export const UNAVAILABLE = "Parley: chat unavailable (check data-site, allowed origins)";

let serverBase = "";
let scriptNonce: string | undefined;
let storagePrefix = "";
let siteSettings: WidgetSite | null = null;
let hostElement: HTMLElement;
// Parley('hide') sets its `hidden` (loader.ts).
export let widgetRoot: HTMLElement;
let launcher: HTMLElement | null = null;
let badge: HTMLElement;
let text: HTMLElement;
let isOpen = false;
// Set by an open asked for on this page (not one restored from the last page): the panel takes the focus.
let focusPanel = false;
let panel: PanelHandle | null = null;
let panelRequested = false;
// Messages a previous page view left unsent (the panel sends them), or calls of the page's API that
// the panel runs (events, attributes): the panel is fetched without waiting for an open.
let panelWanted = false;
// Those calls, until the panel arrives.
const panelCalls: PanelCall[] = [];
// Parley('setLocale'); the server chooses the panel's language from it, else from the site's, else
// from the browser's (Accept-Language): docs/widget.md, "Languages".
let askedLocale: unknown;

export function startWidget(base: string, siteKey: string, nonce: string | undefined): void {
  storagePrefix = "parley:" + siteKey + ":";
  const configKey = storagePrefix + "config";
  serverBase = base;
  scriptNonce = nonce;
  // Made now: Parley('hide') may come before the launcher.
  widgetRoot = el("div");
  // An emailed resume link (`#parley-resume=`, docs/offline.md) opens the chat; the session reads its token from page_url.
  isOpen = !!(load(storagePrefix + "open", true) || /parley-resume=/.test(location.hash));
  // A non-empty outbox ("[{…}]") sorts after an empty one ("[]"); null and "" do not.
  panelWanted = (load(storagePrefix + "outbox") as string) > "[]";
  // Not encoded: a key the server did not make finds no site whatever its characters.
  const siteUrl = base + "/api/widget/sites/" + siteKey;
  const returningVisitor = configureTransport(siteUrl, storagePrefix);
  // A returning visitor sees the launcher at once, drawn from the config an earlier page view
  // fetched. localStorage is per origin and only a config the server gave this origin is saved, so
  // a cached copy exists only where the server already accepted the page; the fetch below still
  // asks again, and takes the launcher away if that has changed.
  const cached = load(configKey);
  try {
    showSite(JSON.parse(cached as string));
  } catch {
    // None or unreadable: wait for the server's.
  }
  fetchJSON<WidgetConfig>(siteUrl + "/config").then(
    (data) => {
      const fresh = JSON.stringify(data.site);
      save(configKey, fresh);
      // The same as the cached copy (the usual case): nothing to redo.
      if (fresh != cached) showSite(data.site);
      // A returning visitor connects at once so replies raise the badge; a new one gets no
      // session (no visitor row) until the chat is first opened. Only now: a cached config
      // does not prove the site still exists.
      if (returningVisitor) startTransport();
    },
    (error) => {
      save(configKey, "");
      showSite(null);
      // Error answers carry no CORS headers for a foreign origin, so the browser often hides the code.
      console.error(UNAVAILABLE, error);
    },
  );
}

// Parley('reset'): also what this browser keeps for a panel not loaded yet (the outbox, this tab's draft).
export function resetWidget(): void {
  save(storagePrefix + "outbox", "");
  save(storagePrefix + "draft", "", true);
  resetVisitor();
}

export function setOpen(open: boolean): void {
  if (open === isOpen) return;
  // Per tab: a reload or the next page of the site opens it again, a new tab does not.
  save(storagePrefix + "open", (focusPanel = isOpen = open) ? "1" : "", true);
  if (!launcher) return; // remembered, and applied once the launcher exists
  render();
}

export function toggleChat(): void {
  setOpen(!isOpen);
}

/** Parley('setLocale', 'fr'): the panel's language, until the panel is asked for (then from the next page). */
export function setLocale(asked: unknown): void {
  askedLocale = asked;
}

/** A call the panel runs (page-api.ts): handed over now, or kept until the panel, fetched at once, arrives. */
export function callPanel(...call: PanelCall): void {
  if (panel) panel.run(...call);
  else {
    panelCalls.push(call);
    panelWanted = true;
    if (launcher) render();
  }
}

// Called by panel.js through Parley('_panel', mount). The panel closes itself with Parley('close').
export function registerPanel(mount: (api: LoaderApi) => PanelHandle): void {
  if (panel || !launcher) return;
  panel = mount({
    root: widgetRoot,
    site: siteSettings as WidgetSite,
    prefix: storagePrefix,
    // Earlier conversations' messages first: one thread, oldest at the top.
    messages: () => earlierMessages.concat(storedMessages()),
    latest: () => latestConversation,
    send: sendFrame,
    marks: readMarks,
    listen,
    heard: latest,
    calls: panelCalls,
  });
  render();
}

// The focus request waits for the panel, which a first open still has to fetch.
function showPanel(): void {
  if (panel) {
    panel.show(isOpen, focusPanel);
    focusPanel = false;
  }
}

// The site's settings (cached, then fresh), or null to show nothing; drawn once <body> exists.
function showSite(site: WidgetSite | null): void {
  siteSettings = site;
  if (document.body) drawSite();
  // DOMContentLoaded bubbles from the document to the window.
  else addEventListener("DOMContentLoaded", drawSite);
}

// Draws the launcher, or applies changed settings to it (the panel reads siteSettings when it
// mounts), or removes it.
function drawSite(): void {
  if (!siteSettings) {
    if (launcher) hostElement.remove();
    launcher = null;
    return;
  }
  if (!launcher) buildLauncher();
  // Added after the earlier colour, so it wins.
  addStyles(hostElement.shadowRoot as ShadowRoot, colorCss(siteSettings.color));
  // The class is the position, "right" or "left"; the styles move things for "left".
  widgetRoot.className = siteSettings.position;
  text.textContent = siteSettings.launcher_text;
  render();
}

function buildLauncher(): void {
  hostElement = el("div", { id: "parley-widget" });
  const shadow = hostElement.attachShadow({ mode: "open" });
  addStyles(shadow, LAUNCHER_CSS);
  // Hidden or not by refreshBadge, which render() calls before the browser paints.
  badge = el("span", { class: "badge", "data-parley": "badge" });
  // The site's launcher text, beside the icon (no room taken when empty).
  text = el("b");
  const button = (launcher = el("button", { class: "launcher", "data-parley": "launcher" }, [el("i"), text, badge]));
  button.onclick = toggleChat;
  widgetRoot.append(button);
  shadow.append(widgetRoot);
  document.body.append(hostElement);
  listen(refreshBadge);
}

// The panel, once there, marks the root open (its styles are the only ones that read it).
function render(): void {
  (launcher as HTMLElement).setAttribute("aria-expanded", "" + isOpen);
  if (isOpen) startTransport();
  if (isOpen || panelWanted) requestPanel();
  showPanel();
  refreshBadge();
}

function requestPanel(): void {
  if (panelRequested) return;
  panelRequested = true;
  const script = el("script", { src: serverBase + "/widget/panel.js?locale=" + (askedLocale || siteSettings!.language) });
  // A nonce-based CSP allowed this loader by its nonce; hand it on to the panel.
  script.nonce = scriptNonce;
  // The browser reports the failed load; closing lets the next click try again.
  script.onerror = () => {
    panelRequested = false;
    setOpen(false);
  };
  document.head.append(script);
}

// Unread = agent messages after the visitor's read mark, which the server keeps and tells every tab
// (`read`): reading in one tab (the panel sends it) clears the badge in all.
function refreshBadge(): void {
  if (!launcher) return; // removed: the site's config could not be fetched
  const unread = storedMessages().filter((message) => message.author === "agent" && message.seq > readMarks.visitor!).length;
  badge.textContent = "" + unread;
  badge.hidden = !unread;
  // The label, which screen readers announce instead of the badge, carries the count too; in English
  // until the panel brings the visitor's language (and tells the page the count).
  launcher.setAttribute("aria-label", panel ? panel.badge(isOpen, unread) : launcherLabel(unread));
}
