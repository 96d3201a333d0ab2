/** Abort helpers: settle as soon as a signal aborts even if the awaited engine call ignores it. */

/** `p`, or a rejection with `signal.reason` as soon as `signal` aborts, whichever comes first. */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}

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
