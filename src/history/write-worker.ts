/**
 * Worker thread that owns the history database for writing: migrations, batch inserts and the
 * retention sweep (and the savings report's scan) run here, so neither Prisma nor the (synchronous) SQLite driver ever holds the
 * gateway's event loop. The main thread only hands batches over (src/history/worker-target.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { QueryOutcome } from '../core/outcome.js';
import { openHistoryDb, safeErrorMessage, type PersistenceConfig } from './db.js';
import { migrate } from './migrate.js';
import { savingsReport, type SavingsQuery } from './report.js';
import type { SavingsReport } from './savings.js';
import { HistoryStore } from './store.js';

export interface WorkerInit {
  readonly persistence: PersistenceConfig;
  readonly busyTimeoutMs: number;
}

export type WorkerRequest =
  | { readonly id: number; readonly op: 'ready' }
  | { readonly id: number; readonly op: 'insert'; readonly batch: readonly QueryOutcome[] }
  | { readonly id: number; readonly op: 'insertOne'; readonly outcome: QueryOutcome }
  | { readonly id: number; readonly op: 'sweep'; readonly cutoffMs: number }
  | { readonly id: number; readonly op: 'savings'; readonly query: SavingsQuery }
  | { readonly id: number; readonly op: 'close' };

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly value?: number | string[] | SavingsReport }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly refused: boolean };

const port = parentPort;
if (port) {
  const init = workerData as WorkerInit;
  const dbReady = openHistoryDb(init.persistence, { busyTimeoutMs: init.busyTimeoutMs });
  let migrated: Promise<string[]> | undefined;
  const ready = async (): Promise<string[]> => {
    const db = await dbReady;
    migrated ??= migrate(db).catch((err: unknown) => {
      migrated = undefined;
      throw err;
    });
    return migrated;
  };
  const store = dbReady.then((db) => new HistoryStore(db, init.persistence.redactSql));

  port.on('message', async (req: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      let value: number | string[] | SavingsReport | undefined;
      switch (req.op) {
        case 'ready':
          value = await ready();
          break;
        case 'insert':
          await ready();
          await (await store).insert(req.batch);
          break;
        case 'insertOne':
          await (await store).insertOne(req.outcome);
          break;
        case 'sweep':
          await ready();
          value = await (await store).deleteBefore(new Date(req.cutoffMs));
          break;
        case 'savings':
          // A report scans the whole window: here it never stalls the gateway's event loop.
          value = await savingsReport(await store, req.query);
          break;
        case 'close':
          (await store).close();
          await (await dbReady).close();
          break;
      }
      reply = { id: req.id, ok: true, value };
    } catch (err) {
      reply = { id: req.id, ok: false, message: safeErrorMessage(err), refused: (await store.catch(() => undefined))?.refused(err) ?? false };
    }
    port.postMessage(reply);
  });
}
