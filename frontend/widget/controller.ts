// The launcher, the unread badge, opening and closing, and loading the panel on first open.

import type { WidgetConfig, WidgetSite } from "../shared/protocol";
import { addStyles, el } from "./dom";
import { latest, listen } from "./events";
import { fetchJSON } from "./http";
import { load, save } from "./storage";
import { earlierMessages, readMarks, storedMessages } from "./store";
import { CLOSE_CHAT, OPEN_CHAT, unreadLabel } from "./strings";
import { colorCss, LAUNCHER_CSS } from "./styles";
import { configureTransport, currentState, latestConversation, resetVisitor, sendFrame, startTransport } from "./transport";
import type { MountPanel, PanelHandle } from "./types";

// For developers (the console), also when the script tag has no data-site.
export const UNAVAILABLE = "Parley: chat unavailable; check data-site and the allowed origins.";

let serverBase = "";
let scriptNonce: string | undefined;
let storagePrefix = "";
let siteSettings: WidgetSite | null = null;
let hostElement: HTMLElement;
let widgetRoot: HTMLElement;
let launcher: HTMLElement | null = null;
let badge: HTMLElement;
let isOpen = false;
// Set by an open asked for on this page (not one restored from the last page): the panel takes the focus.
let focusPanel = false;
let panel: PanelHandle | null = null;
let panelRequested = false;
// Messages a previous page view left unsent: the panel, which sends them, is fetched without waiting
// for an open.
let pendingLeft = false;

export function startWidget(base: string, siteKey: string, nonce: string | undefined): void {
  storagePrefix = "parley:" + siteKey + ":";
  const keyPath = encodeURIComponent(siteKey);
  const configKey = storagePrefix + "config";
  serverBase = base;
  scriptNonce = nonce;
  // An emailed resume link (`#parley-resume=`, docs/offline.md) opens the chat; the session reads its token from page_url.
  isOpen = !!(load(storagePrefix + "open", true) || /parley-resume=/.test(location.hash));
  // A non-empty outbox ("[{…}]") sorts after an empty one ("[]"); null and "" do not.
  pendingLeft = (load(storagePrefix + "outbox") as string) > "[]";
  const siteUrl = base + "/api/widget/sites/" + keyPath;
  const returningVisitor = configureTransport(siteUrl, storagePrefix);
  // A returning visitor sees the launcher at once, drawn from the config an earlier page view
  // fetched. localStorage is per origin and only a config the server gave this origin is saved, so
  // a cached copy exists only where the server already accepted the page; the fetch below still
  // asks again, and takes the launcher away if that has changed.
  try {
    showSite(JSON.parse(load(configKey) as string));
  } catch {
    // None or unreadable: wait for the server's.
  }
  fetchJSON<WidgetConfig>(siteUrl + "/config").then(
    (data) => {
      save(configKey, JSON.stringify(data.site));
      showSite(data.site);
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
  pendingLeft = false;
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

// Called by panel.js through Parley('_panel', mount). The panel closes itself with Parley('close').
export function registerPanel(mount: MountPanel): void {
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
    state: currentState,
    listen,
    heard: latest,
  });
  showPanel();
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
  // The same as the cached copy (the usual case): nothing to redo.
  if (JSON.stringify(site) === JSON.stringify(siteSettings)) return;
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
  render();
}

function buildLauncher(): void {
  hostElement = el("div", { id: "parley-widget" });
  const shadow = hostElement.attachShadow({ mode: "open" });
  addStyles(shadow, LAUNCHER_CSS);
  // Hidden or not by refreshBadge, which render() calls before the browser paints.
  badge = el("span", { class: "badge", "data-parley": "badge" });
  const button = (launcher = el("button", { class: "launcher", "data-parley": "launcher" }, [el("i"), badge]));
  button.onclick = toggleChat;
  widgetRoot = el("div", {}, [button]);
  shadow.append(widgetRoot);
  document.body.append(hostElement);
  listen(refreshBadge);
}

// The panel, once there, marks the root open (its styles are the only ones that read it).
function render(): void {
  (launcher as HTMLElement).setAttribute("aria-expanded", String(isOpen));
  if (isOpen) startTransport();
  if (isOpen || pendingLeft) requestPanel();
  showPanel();
  refreshBadge();
}

function requestPanel(): void {
  if (panelRequested) return;
  panelRequested = true;
  const script = el("script", { src: serverBase + "/widget/panel.js" });
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
  badge.textContent = String(unread);
  badge.hidden = !unread;
  // The label, which screen readers announce instead of the badge, carries the count too.
  launcher.setAttribute("aria-label", (isOpen ? CLOSE_CHAT : OPEN_CHAT) + (unread ? unreadLabel(unread) : ""));
}
