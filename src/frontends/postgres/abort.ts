/** Helpers for waiting on engine results without stalling the stream. */

/**
 * True when `p` settles before the event loop turns (an in-memory engine's next batch, rows a
 * network engine has already buffered). process.nextTick runs once the microtask queue queued
 * so far has drained, so this needs neither a timer object nor a turn of the loop (setImmediate
 * did both, on every batch of every query).
 */
export function settlesNow(p: Promise<unknown>): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let settled = false;
    const mark = (): void => {
      settled = true;
    };
    p.then(mark, mark);
    process.nextTick(() => resolve(settled));
  });
}
