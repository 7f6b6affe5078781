import type { IndexHolder } from "../src/retrieval/index-holder.ts";

/**
 * A run's last step: bring the serving vector index up to date with what the run committed, and
 * say what it holds now and whether it was swapped for a new one.
 */
export function indexRefresher(holder: IndexHolder) {
  return async (): Promise<{ chunks: number; rebuilt: boolean }> => {
    const before = holder.current().index;
    const beforeState = before.state;
    await holder.refresh();
    const after = holder.current().index;
    // The indexes follow a change in place, or are opened afresh: either way they changed.
    return { chunks: after.state.count, rebuilt: after !== before || after.state !== beforeState };
  };
}
