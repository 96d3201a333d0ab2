// Entry of the history write worker when the gateway runs from TypeScript sources (tsx, vitest):
// a worker thread does not inherit the parent's loader, so it registers tsx before loading the
// .ts worker. The compiled build (dist/) starts write-worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./write-worker.ts');
