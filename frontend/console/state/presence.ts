// Who is online (the agents of this agent's sites) and who views which conversation: pure state.

import type { AgentPresence } from "../../shared/protocol";

export type AgentStatus = "online" | "away" | "offline";

export class Presence {
  private readonly statuses = new Map<number, AgentStatus>();
  private readonly viewers = new Map<string, number[]>();

  /** Starts over from `ready.presence` (an agent not listed is offline). */
  reset(entries: readonly AgentPresence[]): void {
    this.statuses.clear();
    this.viewers.clear();
    for (const entry of entries) this.statuses.set(entry.agent_id, entry.status);
  }

  set(agentId: number, status: AgentStatus): void {
    if (status === "offline") this.statuses.delete(agentId);
    else this.statuses.set(agentId, status);
  }

  status(agentId: number | null): AgentStatus {
    return (agentId !== null && this.statuses.get(agentId)) || "offline";
  }

  setViewers(conversationId: string, agentIds: readonly number[]): void {
    if (agentIds.length) this.viewers.set(conversationId, [...agentIds]);
    else this.viewers.delete(conversationId);
  }

  /** The colleagues viewing a conversation; an offline one (its console's process died) no longer counts. */
  othersViewing(conversationId: string | null, selfId: number | null): number[] {
    const ids = (conversationId && this.viewers.get(conversationId)) || [];
    return ids.filter((id) => id !== selfId && this.status(id) !== "offline");
  }
}
