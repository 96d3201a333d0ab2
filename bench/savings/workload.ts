/**
 * The savings benchmark's workload: query templates over the generated dataset
 * (examples/savings/generate.sql), instantiated with parameters from a seeded PRNG, so a run is
 * the same sequence of statements every time. Classes mix what a scan-priced engine is good at
 * (CPU-heavy joins, windows, aggregations over few columns) with what a compute-priced cluster
 * is good at (selective lookups, scans of wide columns, light aggregations over the whole table).
 */

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Query {
  /** Position in its sequence. */
  readonly id: number;
  readonly template: string;
  readonly sql: string;
}

interface Template {
  readonly name: string;
  /** Relative frequency in the mix. */
  readonly weight: number;
  readonly sql: (r: () => number, days: number) => string;
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const KINDS = ['view', 'click', 'cart', 'buy'] as const;
const DEVICES = ['web', 'ios', 'android'] as const;
const PLANS = ['free', 'basic', 'pro', 'team'] as const;

function day(r: () => number, days: number): string {
  const d = new Date(Date.UTC(2024, 0, 1) + int(r, 0, Math.max(0, days - 1)) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

function hour(r: () => number, days: number): string {
  return `${day(r, days)} ${String(int(r, 0, 23)).padStart(2, '0')}:00:00`;
}

/** The templates. `days` is how many days the events cover (depends on the dataset size). */
export const TEMPLATES: readonly Template[] = [
  // --- selective: a compute cluster answers in milliseconds; a scan-priced engine pays its minimum
  {
    name: 'user_lookup',
    weight: 3,
    sql: (r) => `select u_id, u_name, u_plan, u_country, u_signup from users where u_id = ${int(r, 0, 399_999)}`,
  },
  {
    name: 'user_day',
    weight: 3,
    sql: (r, d) => {
      const x = day(r, d);
      return `select e_ts, e_kind, e_item, e_amount from events where e_user = ${int(r, 0, 399_999)} and e_ts >= timestamp '${x}' and e_ts < timestamp '${x}' + interval 1 day order by e_ts`;
    },
  },
  {
    name: 'hour_kinds',
    weight: 3,
    sql: (r, d) => {
      const h = hour(r, d);
      return `select e_kind, count(*) as n, sum(e_amount) as amount from events where e_ts >= timestamp '${h}' and e_ts < timestamp '${h}' + interval 1 hour group by e_kind order by e_kind`;
    },
  },
  // --- whole-table scans with light work: cheap in busy seconds, many bytes
  {
    name: 'daily_dashboard',
    weight: 2,
    sql: (r) => `select date_trunc('day', e_ts) as day, e_kind, count(*) as n, sum(e_amount) as amount from events where e_device = '${pick(r, DEVICES)}' group by 1, 2 order by 1, 2`,
  },
  {
    name: 'payload_search',
    weight: 1,
    sql: (r) => `select count(*) as hits from events where e_payload like '%${Math.floor(r() * 0xfffff).toString(16).padStart(5, '0')}%'`,
  },
  // --- CPU-heavy over few columns: seconds of busy cluster, few bytes
  {
    name: 'sessionize',
    weight: 1,
    sql: (r) =>
      `select e_user, count(*) as sessions from (select e_user, e_ts - lag(e_ts) over (partition by e_user order by e_ts) as gap from events where e_kind in ('${pick(r, KINDS)}', 'view')) s where gap is null or gap > interval 30 minute group by e_user order by sessions desc, e_user limit 20`,
  },
  {
    name: 'running_spend',
    weight: 1,
    sql: (r) =>
      `select e_user, max(running) as top from (select e_user, sum(e_amount) over (partition by e_user order by e_ts rows between unbounded preceding and current row) as running from events where e_kind <> '${pick(r, KINDS)}') s group by e_user order by top desc, e_user limit 10`,
  },
  {
    name: 'segment_revenue',
    weight: 2,
    sql: (r) =>
      `select u.u_country, u.u_plan, i.i_category, count(*) as n, sum(e.e_amount) as amount, count(distinct e.e_user) as buyers from events e join users u on u.u_id = e.e_user join items i on i.i_id = e.e_item where e.e_kind = '${pick(r, KINDS)}' group by 1, 2, 3 order by amount desc limit 50`,
  },
  {
    name: 'cohorts',
    weight: 1,
    sql: (r) =>
      `select date_trunc('month', u.u_signup) as cohort, date_trunc('week', e.e_ts) as week, count(distinct e.e_user) as active from events e join users u on u.u_id = e.e_user where u.u_plan = '${pick(r, PLANS)}' group by 1, 2 order by 1, 2`,
  },
  {
    name: 'top_items',
    weight: 1,
    sql: (r) =>
      `select * from (select i.i_category, e.e_item, sum(e.e_amount) as revenue, rank() over (partition by i.i_category order by sum(e.e_amount) desc) as rnk from events e join items i on i.i_id = e.e_item where e.e_device <> '${pick(r, DEVICES)}' group by i.i_category, e.e_item) t where rnk <= 3 order by i_category, rnk`,
  },
];

/** `n` statements drawn from the mix with the given seed. */
export function workload(n: number, seed: number, days: number): Query[] {
  const r = prng(seed);
  const total = TEMPLATES.reduce((s, t) => s + t.weight, 0);
  const out: Query[] = [];
  for (let id = 0; id < n; id++) {
    let x = r() * total;
    let t = TEMPLATES[0]!;
    for (const c of TEMPLATES) {
      x -= c.weight;
      if (x < 0) {
        t = c;
        break;
      }
    }
    out.push({ id, template: t.name, sql: t.sql(r, days) });
  }
  return out;
}
