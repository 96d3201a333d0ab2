/** `protocolBased` router: one target group per frontend protocol. */
import type { Protocol } from '../core/types.js';
import type { Decision, Router, RoutingInput } from './types.js';

/** Config keys per protocol, as the Rust QueryFlux names them. */
export const PROTOCOL_CONFIG_KEY: Readonly<Record<Protocol, 'postgresWire' | 'mysqlWire' | 'trinoHttp' | 'flightSql'>> = {
  postgres: 'postgresWire',
  mysql: 'mysqlWire',
  'trino-http': 'trinoHttp',
  'flight-sql': 'flightSql',
};

export class ProtocolBasedRouter implements Router {
  readonly kind = 'protocolBased';
  private readonly decisions: Partial<Record<Protocol, Decision>> = {};

  constructor(
    readonly rule: string,
    targets: Partial<Record<'postgresWire' | 'mysqlWire' | 'trinoHttp' | 'flightSql', string>>,
  ) {
    // Decisions are constant per protocol: build them once so matching allocates nothing.
    for (const [protocol, key] of Object.entries(PROTOCOL_CONFIG_KEY) as [Protocol, keyof typeof targets][]) {
      const group = targets[key];
      if (group !== undefined) this.decisions[protocol] = Object.freeze({ group, rule, reason: `protocol ${key} → ${group}` });
    }
  }

  match(input: RoutingInput): Decision | undefined {
    return this.decisions[input.request.protocol];
  }
}
