// Ratings per agent over the last days (docs/offline.md), opened from the top bar.

import type { RatingsTool } from "../ratings";
import { useStore } from "../store";
import { useModal } from "./modal";
import { RATINGS } from "../strings";

export function RatingsDialog({ ratings }: { ratings: RatingsTool }) {
  const state = useStore(ratings.store);
  const dialog = useModal(state.open);
  const close = (): void => ratings.setOpen(false);
  return (
    <dialog ref={dialog} class="dialog ratings-dialog" data-console="ratings-dialog" aria-labelledby="ratings-title" onClose={close}>
      <header class="dialog-head">
        <h2 id="ratings-title">{RATINGS.title}</h2>
        <button type="button" class="button button-ghost button-small" onClick={close}>
          {RATINGS.close}
        </button>
      </header>
      {state.agents === null ? (
        <p>{RATINGS.loading}</p>
      ) : state.agents.length === 0 ? (
        <p data-console="ratings-none">{RATINGS.none}</p>
      ) : (
        <>
          <p class="ratings-period">{RATINGS.period(state.days)}</p>
          <table class="ratings-table" data-console="ratings-table">
            <thead>
              <tr>
                <th scope="col">{RATINGS.agent}</th>
                <th scope="col">{RATINGS.good}</th>
                <th scope="col">{RATINGS.okay}</th>
                <th scope="col">{RATINGS.bad}</th>
              </tr>
            </thead>
            <tbody>
              {state.agents.map((row) => (
                <tr key={row.agent_id} data-console="ratings-row" data-agent-id={row.agent_id}>
                  <th scope="row">{row.name}</th>
                  <td>{row.good}</td>
                  <td>{row.okay}</td>
                  <td>{row.bad}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </dialog>
  );
}

/** The open conversation's rating, in the sidebar: heard live, else as the visitor's conversations list it. */
export function RatingLine({ ratings, openId, stored }: { ratings: RatingsTool; openId: string; stored: string | null }) {
  const state = useStore(ratings.store);
  const live = state.byConversation[openId];
  const score = live?.score ?? stored;
  if (!score) return null;
  return (
    <p class="sidebar-rating" data-console="sidebar-rating" data-score={score}>
      <strong>{RATINGS.rating}:</strong> {RATINGS.score[score] ?? score}
      {live?.comment ? <span class="sidebar-rating-comment"> “{live.comment}”</span> : null}
    </p>
  );
}
