// The agents of this agent's sites (`ready.agents`): who can be assigned a conversation, and names
// for ids. Pure state.

import type { SiteAgent } from "../../shared/protocol";

export class Team {
  private agents: SiteAgent[] = [];

  /** Replaces the list (each `ready` carries the whole of it). */
  set(agents: unknown): void {
    this.agents = (Array.isArray(agents) ? agents : []).filter(
      (agent): agent is SiteAgent =>
        agent !== null && typeof agent === "object" && typeof agent.id === "number" && Array.isArray(agent.site_ids),
    );
  }

  /** The agents of one site, by name. */
  ofSite(siteId: number | null | undefined): SiteAgent[] {
    return this.agents
      .filter((agent) => siteId !== null && siteId !== undefined && agent.site_ids.includes(siteId))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** An agent's name, or null when unknown. */
  name(id: number | null | undefined): string | null {
    return this.agents.find((agent) => agent.id === id)?.name ?? null;
  }
}
