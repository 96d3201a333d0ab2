#!/usr/bin/env node
/** queryflux CLI: serve | check | policy | explain | savings | history | cost. */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load.js';
import { explainCommand } from './explain.js';
import { POLICY_USAGE, policyCommand } from './policy.js';
import { COST_USAGE, costCommand } from './cost.js';
import { SAVINGS_USAGE, historyCommand, savingsCommand } from './savings.js';

const USAGE = `usage: queryflux <command> [options]

commands:
  serve --config FILE     start the gateway
  check --config FILE     validate a config file and exit (0 = valid)
  policy <command>        build | test | fmt | check | eval Rego routing policies
  explain --config FILE [--protocol postgres|mysql|trino|flight] [--user U] [--header k=v]... [--tag t]... [--format table|json] "SQL"
                          print each router's verdict, the estimates and the final route, without executing
${SAVINGS_USAGE}
${COST_USAGE}

options:
  -c, --config FILE       config file (default: $QUERYFLUX_CONFIG or queryflux.yaml)
  -h, --help              this help`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
      output: { type: 'string', short: 'o' },
      input: { type: 'string' },
      policy: { type: 'string' },
      data: { type: 'string' },
      check: { type: 'boolean' },
      protocol: { type: 'string' },
      user: { type: 'string', short: 'u' },
      header: { type: 'string', multiple: true },
      tag: { type: 'string', multiple: true },
      format: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      baseline: { type: 'string' },
      top: { type: 'string' },
      limit: { type: 'string' },
      status: { type: 'string' },
      holdout: { type: 'string' },
    },
  });
  const command = positionals[0];
  if (values.help || command === undefined) {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'policy') {
    if (values.help) console.log(POLICY_USAGE);
    return values.help ? 0 : policyCommand(positionals.slice(1), values);
  }
  const file = values.config ?? process.env.QUERYFLUX_CONFIG ?? 'queryflux.yaml';
  switch (command) {
    case 'check': {
      const cfg = loadConfig(file);
      console.log(`${file}: OK (${cfg.groups.size} cluster groups, ${cfg.raw.routers.length} routers, fallback ${cfg.raw.routingFallback})`);
      return 0;
    }
    case 'explain': {
      const sql = positionals.slice(1).join(' ');
      if (!sql) throw new Error('explain needs the SQL text as an argument');
      return explainCommand(loadConfig(file), sql, values);
    }
    case 'savings':
      return savingsCommand(loadConfig(file), values);
    case 'cost':
      return costCommand(loadConfig(file), positionals[1], values);
    case 'history':
      return historyCommand(loadConfig(file), values);
    case 'serve': {
      const cfg = loadConfig(file);
      // Loaded on demand so `check` and `policy` start fast and need no engine libraries.
      const { startGateway } = await import('../server.js');
      const gw = await startGateway(cfg);
      process.on('SIGHUP', () => void gw.reload());
      const signal = await new Promise<string>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      // SIGTERM drains (orchestrators send it before killing); a second signal stops at once.
      process.once('SIGTERM', () => process.exit(1));
      process.once('SIGINT', () => process.exit(1));
      await gw.drain(signal === 'SIGTERM' ? cfg.raw.queryflux.shutdownDrainTimeoutSecs * 1000 : 0);
      return 0;
    }
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) console.error(`invalid configuration:\n${err.message}`);
    else if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
      const e = err as NodeJS.ErrnoException & { port?: number };
      console.error(`cannot listen: address already in use (${e.message}). Another server (e.g. a local PostgreSQL on 5432) holds the port: stop it, or set the port in the config (the demo reads QF_PG_PORT / QF_ADMIN_PORT).`);
    } else console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
