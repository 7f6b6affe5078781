import { setImmediate as turnOfTheEventLoop } from "node:timers/promises";

/**
 * `pending`'s outcome, with `steps` done one by one while it is still unsettled: work that would
 * come next anyway, moved into a wait (the question's vector, computed on the encoder's thread).
 * The reply from another thread arrives as a message, which only a turn of the event loop
 * delivers: so before each step the loop gets a turn, and no step starts once `pending` has
 * settled. The wait is filled, and lengthened by at most the one step under way when it ends. A
 * promise settled by the time of the call (an encoder on this thread) costs no turn at all.
 */
export async function whilePending<T>(
  pending: Promise<T>,
  steps: Iterable<() => void>,
): Promise<T> {
  let settled = false;
  const settle = () => {
    settled = true;
  };
  pending.then(settle, settle);
  // Settled already, its callback has not run yet: it runs on this microtask turn.
  await Promise.resolve();
  for (const step of steps) {
    if (settled) break;
    await turnOfTheEventLoop();
    if (settled) break;
    step();
  }
  return pending;
}
