import { describe, it, expect } from 'vitest';
import { buildFilter, hourBuckets, niceMax, bars, dataRows, levelLabel, formatTime } from './logs';
import { suggest } from './filter';
import { LOG_COLLECTION } from './logs';
import { describeCron } from './crons';

describe('buildFilter', () => {
  const since = new Date(Date.UTC(2026, 10, 21, 19, 0, 0));
  const cases: [string, Parameters<typeof buildFilter>[0], string][] = [
    ['nothing: superusers hidden', { text: '', levels: [], superusers: false }, 'data.auth != "_superusers"'],
    ['everything shown', { text: '', levels: [], superusers: true }, ''],
    ['user text alone is not wrapped', { text: ' data.status >= 400 ', levels: [], superusers: true }, 'data.status >= 400'],
    ['user || stays inside its parentheses', { text: 'level = 0 || level = 8', levels: [], superusers: false },
      'data.auth != "_superusers" && (level = 0 || level = 8)'],
    ['one level', { text: '', levels: [8], superusers: true }, 'level = 8'],
    ['two levels, sorted and deduplicated', { text: '', levels: [8, 4, 8], superusers: true }, '(level = 4 || level = 8)'],
    ['all four levels filter nothing', { text: '', levels: [-4, 0, 4, 8], superusers: true }, ''],
    ['window first', { text: 'message ~ "x"', levels: [0], superusers: false, since },
      'created >= "2026-11-21 19:00:00.000Z" && level = 0 && data.auth != "_superusers" && (message ~ "x")'],
  ];
  for (const [name, q, want] of cases) it(name, () => expect(buildFilter(q)).toBe(want));
});

describe('hourBuckets', () => {
  const from = new Date(Date.UTC(2026, 10, 21, 17, 30));
  const to = new Date(Date.UTC(2026, 10, 21, 20, 10));
  it('fills every hour of the window, zero where the API has no row', () => {
    const b = hourBuckets([{ date: '2026-11-21 19:00:00.000Z', total: 5 }, { date: '2026-11-21 17:00:00.000Z', total: 2 }], from, to);
    expect(b.map((x) => [formatTime(x.at).slice(11, 13), x.total])).toEqual([['17', 2], ['18', 0], ['19', 5], ['20', 0]]);
  });
  it('ignores rows outside the window and bad dates', () => {
    const b = hourBuckets([{ date: '2026-11-20 01:00:00.000Z', total: 9 }, { date: 'nope', total: 3 }], from, to);
    expect(b.reduce((n, x) => n + x.total, 0)).toBe(0);
  });
});

describe('chart scale', () => {
  const cases: [number, number][] = [[0, 1], [1, 1], [3, 5], [7, 10], [10, 10], [11, 20], [99, 100], [120, 200], [4000, 5000]];
  for (const [n, want] of cases) it(`niceMax(${n}) = ${want}`, () => expect(niceMax(n)).toBe(want));
  it('bars fill the box, tallest reaches the scale', () => {
    const at = new Date(0);
    const { bars: bs, max } = bars([{ at, total: 0 }, { at, total: 10 }, { at, total: 1 }, { at, total: 5 }], 400, 100);
    expect(max).toBe(10);
    expect(bs.map((b) => b.h)).toEqual([0, 100, 10, 50]);
    expect(bs.map((b) => b.y)).toEqual([100, 0, 90, 50]);
    expect(bs[3].x + bs[3].w).toBeLessThanOrEqual(400);
    expect(bs[1].x).toBeGreaterThanOrEqual(100);
  });
  it('a tiny count still shows', () => {
    const at = new Date(0);
    expect(bars([{ at, total: 1 }, { at, total: 1000 }], 10, 100).bars[0].h).toBe(1);
  });
});

describe('detail rows and levels', () => {
  it('strings stay as they are, others become JSON', () => {
    expect(dataRows({ url: '/<img src=x>', status: 404, details: null, z: { a: 1 } })).toEqual([
      ['details', 'null'], ['status', '404'], ['url', '/<img src=x>'], ['z', '{\n  "a": 1\n}'],
    ]);
    expect(dataRows(null)).toEqual([]);
    expect(dataRows([1])).toEqual([['data', '[1]']]);
  });
  it('levelLabel', () => {
    expect([-4, 0, 4, 8, 3].map(levelLabel)).toEqual(['DEBUG', 'INFO', 'WARN', 'ERROR', '3']);
  });
});

describe('autocomplete of the logs filter', () => {
  const ctx = { collection: LOG_COLLECTION, collections: [LOG_COLLECTION] };
  it('offers the log columns', () => {
    expect(suggest('le', 2, ctx).items.map((s) => s.insert)).toEqual(['level']);
  });
  it('offers the data keys after data.', () => {
    const items = suggest('data.st', 7, ctx).items.map((s) => s.insert);
    expect(items).toEqual(['data.status']);
    expect(suggest('data.', 5, ctx).items.map((s) => s.insert)).toContain('data.userAgent');
  });
});

describe('describeCron', () => {
  const cases: [string, string][] = [
    ['0 */6 * * *', 'every 6 hours at :00'], ['0 * * * *', 'every hour'], ['5 * * * *', 'every hour at :05'],
    ['* * * * *', 'every minute'], ['*/15 * * * *', 'every 15 minutes'], ['5 4 * * *', 'daily at 04:05'],
    ['@daily', 'daily at 00:00'], ['0 0 1 1 *', ''], ['bogus', ''],
  ];
  for (const [e, want] of cases) it(e, () => expect(describeCron(e)).toBe(want));
});
