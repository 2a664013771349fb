// Ratings and the visitor's email (docs/offline.md): a conversation's rating in the sidebar, live; the
// visitor's email, live; and the per-agent counts the ratings dialog asks for. Its own store, like tools.ts.

import type { AgentRatings, Rating } from "../shared/protocol";
import type { ConsoleController } from "./controller";
import type { FrameHandlers } from "./dispatch";
import { Store } from "./store";

export interface RatingsState {
  /** Ratings heard live, by conversation id (the sidebar's past conversations carry the stored ones). */
  byConversation: Record<string, Rating>;
  /** The ratings dialog is open. */
  open: boolean;
  /** The last `ratings` answer, null until one arrives. */
  agents: AgentRatings[] | null;
  days: number;
}

export type RatingsFrames = Pick<FrameHandlers, "visitor.email" | "conversation.rated" | "ratings">;

export class RatingsTool {
  readonly store = new Store<RatingsState>({ byConversation: {}, open: false, agents: null, days: 0 });

  constructor(
    private readonly c: ConsoleController,
    /** Applies a visitor's new email to the sidebar's visitor (tools.ts). */
    private readonly onEmail: (visitorId: string, email: string) => void,
  ) {}

  /** Opens (asking the server for fresh counts) or closes the ratings dialog. */
  setOpen(open: boolean): void {
    if (open) this.c.send({ type: "ratings.get" });
    this.store.set({ open });
  }

  frameHandlers(): RatingsFrames {
    return {
      "visitor.email": (frame) => {
        for (const conversation of this.c.model.conversations.all()) {
          const visitor = conversation.summary.visitor;
          if (visitor?.id === frame.visitor_id) {
            conversation.summary = { ...conversation.summary, visitor: { ...visitor, email: frame.email } };
          }
        }
        this.onEmail(frame.visitor_id, frame.email);
        this.c.touch();
      },
      "conversation.rated": (frame) => {
        this.store.set({ byConversation: { ...this.store.get().byConversation, [frame.conversation_id]: frame.rating } });
      },
      ratings: (frame) => {
        this.store.set({ agents: frame.agents, days: frame.days });
      },
    };
  }
}
