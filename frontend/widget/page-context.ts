// The visitor's context for the agents' sidebar (referrer, time zone, language), sent by the panel once
// online and with each later `ready`: the loader reports only the page itself (transport.ts), to stay
// within its budget.

import type { PanelApi } from "./types";

export function sendPageContext(api: PanelApi): void {
  const send = (): void =>
    api.send({
      type: "page",
      url: location.href,
      title: document.title,
      referrer: document.referrer,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      language: navigator.language,
    });
  api.listen((type) => {
    if (type === "ready") send();
  });
  if (api.state() === "online") send();
}
