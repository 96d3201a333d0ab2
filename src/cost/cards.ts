/**
 * Pricing cards (cost-models/*.yaml): how an engine bills a query. Three models:
 * - scan: $ per TB read, with a minimum and a rounding unit per query (Athena, BigQuery);
 * - compute: $ per node-hour × nodes, charged for the seconds a query keeps the cluster busy,
 *   or (billing: uptime) the whole cluster's cost spread over its busy share;
 * - credits: per-second billing in credits with a minimum (Snowflake-like warehouses).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const performance = z
  .object({
    /** Fixed seconds of a trivial query, in ms (prior; calibrated online). */
    overheadMs: z.number().nonnegative(),
    /** Scan throughput in MB/s (prior; calibrated online). */
    mbPerSecond: z.number().positive(),
  })
  .strict();

export const cardSchema = z
  .object({
    name: z.string().min(1),
    /** Engine kind this card prices by default. */
    engine: z.string().min(1),
    model: z.enum(['scan', 'compute', 'credits']),
    scan: z
      .object({
        usdPerTB: z.number().nonnegative(),
        bytesPerTB: z.number().positive().default(1e12),
        minBytesPerQuery: z.number().nonnegative().default(0),
        roundUpToBytes: z.number().positive().default(1),
      })
      .strict()
      .optional(),
    compute: z
      .object({
        usdPerNodeHour: z.number().nonnegative(),
        nodes: z.number().int().positive().default(1),
        billing: z.enum(['busy', 'uptime']).default('busy'),
        /** Share of uptime the cluster is busy (billing: uptime divides by it). */
        utilization: z.number().gt(0).max(1).default(1),
        minimumSeconds: z.number().nonnegative().default(0),
      })
      .strict()
      .optional(),
    credits: z
      .object({
        usdPerCredit: z.number().nonnegative(),
        creditsPerHour: z.number().positive(),
        minimumSeconds: z.number().nonnegative().default(60),
      })
      .strict()
      .optional(),
    /** Columnar storage: a scan reads only the columns a query uses. */
    columnar: z.boolean().default(true),
    performance,
  })
  .strict()
  .refine((c) => c[c.model] !== undefined, { message: 'a card needs the section named by its model (scan, compute or credits)' });

export type PricingCard = z.infer<typeof cardSchema>;

/** What one query used. */
export interface Usage {
  readonly seconds: number;
  readonly bytesScanned: number;
}

/** Dollars for one query's usage under a card (nodes overrides the card's compute size). */
export function priceUsd(card: PricingCard, usage: Usage, nodes?: number): number {
  switch (card.model) {
    case 'scan': {
      const s = card.scan!;
      const billed = Math.max(s.minBytesPerQuery, Math.ceil(Math.max(0, usage.bytesScanned) / s.roundUpToBytes) * s.roundUpToBytes);
      return (billed / s.bytesPerTB) * s.usdPerTB;
    }
    case 'compute': {
      const c = card.compute!;
      const seconds = Math.max(c.minimumSeconds, Math.max(0, usage.seconds));
      const share = c.billing === 'uptime' ? c.utilization : 1;
      return ((seconds * (nodes ?? c.nodes) * c.usdPerNodeHour) / 3600) / share;
    }
    case 'credits': {
      const c = card.credits!;
      const seconds = Math.max(c.minimumSeconds, Math.max(0, usage.seconds));
      return (seconds / 3600) * c.creditsPerHour * c.usdPerCredit;
    }
  }
}

/** Read every card from the given files and directories (relative to `baseDir`); later ones win. */
export function loadCards(paths: readonly string[], baseDir: string): Map<string, PricingCard> {
  const cards = new Map<string, PricingCard>();
  for (const p of paths) {
    const abs = resolve(baseDir, p);
    if (!existsSync(abs)) throw new Error(`costModel.cards: ${abs} does not exist`);
    const files = statSync(abs).isDirectory()
      ? readdirSync(abs).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort().map((f) => join(abs, f))
      : [abs];
    for (const file of files) {
      const parsed = cardSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new Error(`${file}: ${issue.path.join('.') || '(card)'}: ${issue.message}`);
      }
      cards.set(parsed.data.name, parsed.data);
    }
  }
  return cards;
}
