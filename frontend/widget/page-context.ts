// The visitor's page and context for the agents' sidebar (referrer, time zone, language): sent by the
// panel once online and with each later `ready`, then whenever the page changes. One check a second
// catches links, pushState, replaceState, back and forward, and titles a single-page app sets later,
// without wrapping the page's History API; the server applies one `page` a second (the latest of those
// sooner) and writes only what changed. Without the panel, the loader names the page in its keepalive
// ping (transport.ts), every 5 s while the socket is quiet.

import type { PanelApi } from "./types";

export function sendPageContext(api: PanelApi): void {
  let sentPage = "";
  const send = (): void => {
    sentPage = location.href + document.title;
    api.send({
      type: "page",
      url: location.href,
      title: document.title,
      referrer: document.referrer,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      language: navigator.language,
    });
  };
  api.listen((type) => {
    if (type === "ready") send();
  });
  if (api.state() === "online") send();
  setInterval(() => {
    if (api.state() === "online" && location.href + document.title !== sentPage) send();
  }, 1e3);
}
