// Logs screen logic (spec §1.10): the filter sent to /api/logs and
// /api/logs/stats, the hourly chart's buckets and scale, level names.
import type { Collection } from './fields';

/** LEVELS are the log levels (slog's numbers) with their names. */
export const LEVELS: { value: number; label: string }[] = [
  { value: -4, label: 'DEBUG' }, { value: 0, label: 'INFO' }, { value: 4, label: 'WARN' }, { value: 8, label: 'ERROR' },
];

/** levelLabel names a level; unknown numbers print as themselves. */
export function levelLabel(n: number): string {
  return LEVELS.find((l) => l.value === n)?.label ?? String(n);
}

/** WINDOWS are the time windows the chart and list can cover, in hours. */
export const WINDOWS: { hours: number; label: string }[] = [
  { hours: 1, label: 'Last hour' }, { hours: 24, label: 'Last 24 hours' }, { hours: 24 * 7, label: 'Last 7 days' },
  { hours: 24 * 30, label: 'Last 30 days' },
];

/** LOG_COLLECTION is the logs table as a collection, for the filter's autocomplete. */
export const LOG_COLLECTION: Collection = {
  id: '_logs', name: '_logs', type: 'base', system: true,
  fields: [
    { name: 'id', type: 'text' }, { name: 'created', type: 'autodate' }, { name: 'level', type: 'number' },
    { name: 'message', type: 'text' },
    { name: 'data', type: 'json', keys: ['auth', 'authId', 'details', 'error', 'execTime', 'method', 'referer', 'remoteIP',
      'requestId', 'status', 'type', 'url', 'userAgent', 'userIP'] },
  ],
} as Collection;

/** formatTime renders a Date as the API's datetime ("2026-11-21 19:18:05.000Z", UTC). */
export function formatTime(d: Date): string {
  return d.toISOString().replace('T', ' ');
}

/** parseTime reads an API datetime ("2026-11-21 19:00:00.000Z"). */
export function parseTime(s: string): Date {
  return new Date(s.replace(' ', 'T'));
}

export interface LogQuery {
  /** text is the user's filter expression ('' for none). */
  text: string;
  /** levels lists the levels to show; empty shows all. */
  levels: number[];
  /** superusers includes the requests superusers made (the dashboard's own). */
  superusers: boolean;
  /** since limits to entries created at or after this time. */
  since?: Date;
}

/** buildFilter joins the screen's controls into one filter expression; the
 * user's own expression is parenthesised so its || cannot leak out. */
export function buildFilter(q: LogQuery): string {
  const parts: string[] = [];
  if (q.since) parts.push(`created >= "${formatTime(q.since)}"`);
  const lv = [...new Set(q.levels)].sort((a, b) => a - b);
  if (lv.length && lv.length < LEVELS.length) parts.push(lv.length === 1 ? `level = ${lv[0]}` : '(' + lv.map((l) => `level = ${l}`).join(' || ') + ')');
  if (!q.superusers) parts.push('data.auth != "_superusers"');
  const text = q.text.trim();
  if (text) parts.push(parts.length ? `(${text})` : text);
  return parts.join(' && ');
}

export interface Bucket { at: Date; total: number }

/** hourBuckets lays the stats answer over every hour of the window
 * [from, to], zero where the API has no row, so the chart's x axis is
 * time and not just the hours that had entries. */
export function hourBuckets(stats: { date: string; total: number }[], from: Date, to: Date): Bucket[] {
  const H = 3600_000;
  const start = Math.floor(from.getTime() / H) * H;
  const end = Math.floor(to.getTime() / H) * H;
  const counts = new Map<number, number>();
  for (const s of stats) {
    const t = parseTime(s.date).getTime();
    if (!Number.isNaN(t)) counts.set(t, (counts.get(t) || 0) + (Number(s.total) || 0));
  }
  const out: Bucket[] = [];
  for (let t = start; t <= end && out.length < 24 * 400; t += H) out.push({ at: new Date(t), total: counts.get(t) || 0 });
  return out;
}

/** niceMax rounds a maximum up to 1, 2 or 5 times a power of ten (at least 1). */
export function niceMax(n: number): number {
  if (!(n > 1)) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

export interface Bar { x: number; y: number; w: number; h: number; bucket: Bucket }

/** bars scales buckets into SVG rectangles in a width × height box (y down),
 * with a small gap between bars; a non-zero count is at least 1 unit tall. */
export function bars(buckets: Bucket[], width: number, height: number): { bars: Bar[]; max: number } {
  const max = niceMax(Math.max(0, ...buckets.map((b) => b.total)));
  const n = Math.max(1, buckets.length);
  const step = width / n;
  const gap = step > 4 ? step * 0.15 : 0;
  return {
    max,
    bars: buckets.map((b, i) => {
      const h = b.total > 0 ? Math.max(1, (b.total / max) * height) : 0;
      return { x: i * step + gap / 2, y: height - h, w: step - gap, h, bucket: b };
    }),
  };
}

/** dataRows flattens a log's data object into [key, text] rows for the
 * detail drawer: strings as they are, other values as JSON. */
export function dataRows(data: unknown): [string, string][] {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return data === undefined || data === null ? [] : [['data', JSON.stringify(data)]];
  return Object.keys(data as Record<string, unknown>).sort().map((k) => {
    const v = (data as Record<string, unknown>)[k];
    return [k, typeof v === 'string' ? v : JSON.stringify(v, null, 2) ?? 'null'];
  });
}
