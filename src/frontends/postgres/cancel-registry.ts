/**
 * Process-wide map of BackendKeyData → connection, so a CancelRequest arriving on another
 * socket (as every client sends it) reaches the connection running the query.
 */
import { randomInt } from 'node:crypto';

/** What a cancel needs from a connection. */
export interface Cancelable {
  /** Abort the statement running now, if any. */
  cancelRunning(): void;
}

interface Entry {
  readonly secret: number;
  readonly target: Cancelable;
}

const entries = new Map<number, Entry>();

/** Register a connection; returns its fresh process id and secret key. */
export function registerCancelable(target: Cancelable): { processId: number; secretKey: number } {
  let processId: number;
  do processId = randomInt(1, 0x7fffffff);
  while (entries.has(processId));
  // Secret keys are int32 on the wire; use the full signed range.
  const secretKey = randomInt(0, 0xffffffff) | 0;
  entries.set(processId, { secret: secretKey, target });
  return { processId, secretKey };
}

/** Forget a connection's key (on close). */
export function unregisterCancelable(processId: number): void {
  entries.delete(processId);
}

/** Handle a CancelRequest; returns whether a query was targeted (the client is told nothing either way). */
export function cancelByKey(processId: number, secretKey: number): boolean {
  const e = entries.get(processId);
  // Integer XOR compare: no early exit on the secret.
  if (e === undefined || ((e.secret ^ secretKey) | 0) !== 0) return false;
  e.target.cancelRunning();
  return true;
}
