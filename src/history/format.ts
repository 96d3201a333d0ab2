/** Renders the savings report and history listings as table, json, csv or markdown. */
import type { HistoryEntry } from './record.js';
import type { ErrorStats, FingerprintLine, SavingsLine, SavingsReport } from './savings.js';

export const FORMATS = ['table', 'json', 'csv', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

/** Validates a --format value. */
export function parseFormat(v: string | undefined, allowed: readonly Format[] = FORMATS): Format {
  const f = (v ?? 'table') as Format;
  if (!allowed.includes(f)) throw new Error(`--format must be one of ${allowed.join(', ')} (got "${v}")`);
  return f;
}

const usd = (n: number) => (Math.abs(n) < 0.01 && n !== 0 ? n.toFixed(6) : n.toFixed(2));
const pct = (n: number | null) => (n === null ? '-' : `${n.toFixed(1)}%`);
const ratio = (n: number | null) => (n === null ? '-' : `${(n * 100).toFixed(1)}%`);

type Cell = string | number;
interface Section {
  readonly title: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

const SAVINGS_HEAD = ['queries', 'compared', 'paid $', 'baseline $', 'of it estimated $', 'saved $', 'saved %', 'no baseline', 'no-baseline paid $', 'unpriced'];
const savingsCells = (l: SavingsLine): Cell[] => [l.queries, l.compared, usd(l.paidUsd), usd(l.baselineUsd), usd(l.baselineEstimatedUsd), usd(l.savedUsd), pct(l.savedPct), l.noBaseline, usd(l.noBaselinePaidUsd), l.unpriced];
const fpCells = (l: FingerprintLine): Cell[] => [oneLine(l.sample, 60), l.engines.join(' '), l.compared, usd(l.paidUsd), usd(l.baselineUsd), usd(l.savedUsd), pct(l.savedPct)];
const errCells = (key: string, what: string, e: ErrorStats): Cell[] => [key, what, e.n, ratio(e.median), ratio(e.p90)];

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function sections(r: SavingsReport): Section[] {
  const by = (title: string, key: string, lines: readonly SavingsLine[]): Section => ({ title, head: [key, ...SAVINGS_HEAD], rows: lines.map((l) => [l.key, ...savingsCells(l)]) });
  const fpHead = ['query (sample)', 'engines', 'compared', 'paid $', 'baseline $', 'saved $', 'saved %'];
  return [
    { title: 'Total', head: ['', ...SAVINGS_HEAD], rows: [['total', ...savingsCells(r.total)]] },
    by('By engine', 'engine', r.byEngine),
    by('By group', 'group', r.byGroup),
    by('By user', 'user', r.byUser),
    by('By tag', 'tag', r.byTag),
    { title: 'Top saving queries (by fingerprint)', head: fpHead, rows: r.topSaving.map(fpCells) },
    { title: 'Top losing queries (by fingerprint)', head: fpHead, rows: r.topLosing.map(fpCells) },
    {
      title: 'Estimate accuracy (relative error |estimate - actual| / actual, estimate for the group that ran it)',
      head: ['engine', 'metric', 'n', 'median', 'p90'],
      rows: [r.accuracy.total, ...r.accuracy.byEngine].flatMap((a) => [errCells(a.key, 'seconds', a.seconds), errCells(a.key, 'usd', a.usd)]),
    },
  ];
}

const NUMERIC = /^(?:-?[\d.]+%?|-)$/;

function textTable(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const all = [head, ...rows].map((r) => r.map(String));
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  // Numbers right-aligned, text (names, SQL, times) left-aligned.
  const numeric = head.map((_, i) => i > 0 && all.slice(1).every((r) => NUMERIC.test(r[i]!)));
  const fmt = (r: readonly string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [fmt(all[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(fmt)].join('\n');
}

const mdEscape = (c: Cell) => String(c).replace(/\|/g, '\\|');
function mdTable(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [`| ${head.map(mdEscape).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(mdEscape).join(' | ')} |`)].join('\n');
}

function csvCell(c: Cell | null | undefined): string {
  const s = c === null || c === undefined ? '' : String(c);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV: one flat table, a `section` column telling total / engine / group / user / tag / top_saving / top_losing / accuracy apart; raw numbers. */
function savingsCsv(r: SavingsReport): string {
  const head = ['section', 'key', 'queries', 'compared', 'paid_usd', 'baseline_usd', 'saved_usd', 'saved_pct', 'no_baseline', 'no_baseline_paid_usd', 'unpriced', 'baseline_estimated_usd', 'sample_sql', 'metric', 'n', 'median_rel_error', 'p90_rel_error'];
  const out: string[] = [head.join(',')];
  const line = (section: string, l: SavingsLine, sample = '') =>
    out.push([section, l.key, l.queries, l.compared, l.paidUsd, l.baselineUsd, l.savedUsd, l.savedPct, l.noBaseline, l.noBaselinePaidUsd, l.unpriced, l.baselineEstimatedUsd, sample, '', '', '', ''].map(csvCell).join(','));
  line('total', r.total);
  for (const l of r.byEngine) line('engine', l);
  for (const l of r.byGroup) line('group', l);
  for (const l of r.byUser) line('user', l);
  for (const l of r.byTag) line('tag', l);
  for (const l of r.topSaving) line('top_saving', l, l.sample);
  for (const l of r.topLosing) line('top_losing', l, l.sample);
  for (const a of [r.accuracy.total, ...r.accuracy.byEngine])
    for (const [metric, e] of [['seconds', a.seconds], ['usd', a.usd]] as const) out.push(['accuracy', a.key, '', '', '', '', '', '', '', '', '', '', '', metric, e.n, e.median, e.p90].map(csvCell).join(','));
  return out.join('\n') + '\n';
}

/** The savings report in one format. */
export function formatSavings(r: SavingsReport, format: Format): string {
  if (format === 'json') return JSON.stringify(r, null, 2) + '\n';
  if (format === 'csv') return savingsCsv(r);
  const window = `${r.since ?? 'beginning'} → ${r.until ?? 'now'}`;
  const estimatedShare = r.total.baselineUsd > 0 ? (r.total.baselineEstimatedUsd / r.total.baselineUsd) * 100 : null;
  const headline =
    r.total.savedPct === null
      ? `saved ${usd(r.total.savedUsd)} $`
      : `saved ${usd(r.total.savedUsd)} $ (${pct(r.total.savedPct)}) of ${usd(r.total.baselineUsd)} $ baseline, ${pct(estimatedShare)} of it estimated (queries that ran elsewhere, priced on the baseline before they ran)`;
  if (format === 'markdown') {
    return [`# QueryFlux savings`, '', `Window: ${window}. Baseline: ${r.baseline}. Paid ${usd(r.total.paidUsd)} $, ${headline}.`, ...sections(r).flatMap((s) => ['', `## ${s.title}`, '', s.rows.length ? mdTable(s.head, s.rows) : '_none_'])].join('\n') + '\n';
  }
  return [`QueryFlux savings  ${window}  baseline: ${r.baseline}`, `paid ${usd(r.total.paidUsd)} $, ${headline}`, ...sections(r).flatMap((s) => ['', s.title, s.rows.length ? textTable(s.head, s.rows) : '(none)'])].join('\n') + '\n';
}

const HISTORY_HEAD = ['received', 'user', 'status', 'engine', 'group', 'ms', 'rows', 'cost $', 'sql'];
const historyCells = (e: HistoryEntry): Cell[] => [e.receivedAt, e.user, e.errorCode ? `${e.status} ${e.errorCode}` : e.status, e.engine ?? '-', e.group ?? '-', e.durationMs.toFixed(1), e.rows, e.costUsd === null ? '-' : usd(e.costUsd), oneLine(e.sql, 70)];

/** Recent history rows in one format. */
export function formatHistory(entries: readonly HistoryEntry[], format: Format): string {
  if (format === 'json') return JSON.stringify(entries, null, 2) + '\n';
  if (format === 'csv') {
    const cols = ['id', 'receivedAt', 'user', 'protocol', 'status', 'errorCode', 'engine', 'group', 'cluster', 'rule', 'queuedMs', 'durationMs', 'rows', 'bytesScanned', 'costUsd', 'baselineUsd', 'fingerprint', 'sql'] as const;
    return [cols.join(','), ...entries.map((e) => cols.map((c) => csvCell(e[c] as Cell | null)).join(','))].join('\n') + '\n';
  }
  const rows = entries.map(historyCells);
  return (format === 'markdown' ? mdTable(HISTORY_HEAD, rows) : textTable(HISTORY_HEAD, rows)) + '\n';
}
