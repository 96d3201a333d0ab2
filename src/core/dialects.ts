/** Which SQL dialect each frontend protocol speaks (the source dialect for analysis and translation). */
import type { Dialect, Protocol } from './types.js';

export const PROTOCOL_DIALECT: Readonly<Record<Protocol, Dialect>> = {
  postgres: 'postgres',
  mysql: 'mysql',
  'trino-http': 'trino',
  'flight-sql': 'generic',
};
