import { describe, it, expect } from 'vitest';
import { nameError, formatSize, sortBackups, NAME_RE } from './backups';

describe('nameError', () => {
  const cases: [string, string, boolean][] = [
    ['empty: the server generates one', '', true],
    ['lowercase, digits, _ and -', 'nightly_2026-12-07.zip', true],
    ['uppercase', 'Nightly.zip', false],
    ['no .zip', 'nightly', false],
    ['other extension', 'nightly.tar', false],
    ['a dot before .zip', 'night.ly.zip', false],
    ['only the extension', '.zip', false],
    ['a path', '../x.zip', false],
    ['a space', 'my backup.zip', false],
    ['150 characters', 'a'.repeat(146) + '.zip', true],
    ['151 characters', 'a'.repeat(147) + '.zip', false],
  ];
  for (const [name, input, ok] of cases) {
    it(name, () => {
      expect(nameError(input) === '').toBe(ok);
      // the same verdict as the server's pattern (length aside)
      if (input !== '' && input.length <= 150) expect(NAME_RE.test(input)).toBe(ok);
    });
  }
});

describe('formatSize', () => {
  const cases: [string, number, string][] = [
    ['zero', 0, '0 B'],
    ['bytes', 1023, '1023 B'],
    ['one KB', 1024, '1.0 KB'],
    ['fractional KB', 1536, '1.5 KB'],
    ['whole KB from 10 up', 200 * 1024 + 300, '200 KB'],
    ['MB', 5 * 1024 * 1024, '5.0 MB'],
    ['GB', 3 * 1024 ** 3, '3.0 GB'],
    ['beyond TB stays in TB', 2048 * 1024 ** 4, '2048 TB'],
    ['negative', -1, ''],
    ['not a number', NaN, ''],
  ];
  for (const [name, n, want] of cases) it(name, () => expect(formatSize(n)).toBe(want));
});

describe('sortBackups', () => {
  it('newest first, ties by key, input untouched', () => {
    const input = [
      { key: 'b.zip', size: 1, modified: '2026-12-01 10:00:00.000Z' },
      { key: 'c.zip', size: 1, modified: '2026-12-02 10:00:00.000Z' },
      { key: 'a.zip', size: 1, modified: '2026-12-01 10:00:00.000Z' },
    ];
    expect(sortBackups(input).map((b) => b.key)).toEqual(['c.zip', 'a.zip', 'b.zip']);
    expect(input[0].key).toBe('b.zip');
  });
});
