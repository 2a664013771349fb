// Builders for the widget's tests.

import type { Message, WidgetSite } from "../shared/protocol";

/** A site's widget settings as the config answers them. */
export function widgetSite(fields: Partial<WidgetSite> = {}): WidgetSite {
  return {
    name: "Acme",
    color: "#4f46e5",
    greeting: "Hi",
    position: "right",
    launcher_text: "",
    away_message: "We're away.",
    language: null,
    ask_email: false,
    within_hours: true,
    ...fields,
  };
}

/** A stored visitor message of a conversation (at 07:mm when a minute is given). */
export function message(conversation_id: string, seq: number, fields: Partial<Message> & { minute?: number } = {}): Message {
  const { minute = 26, ...rest } = fields;
  return {
    id: seq,
    conversation_id,
    seq,
    author: "visitor",
    author_name: null,
    agent_id: null,
    body: `${conversation_id}-${seq}`,
    client_id: null,
    created_at: `2026-11-24T07:${String(minute).padStart(2, "0")}:00+00:00`,
    event: null,
    ...rest,
  };
}
