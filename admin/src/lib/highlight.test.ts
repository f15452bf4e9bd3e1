import { describe, it, expect } from 'vitest';
import { highlight, type HlClass } from './highlight';

const classes = (src: string) => highlight(src).filter((s) => s.cls).map((s) => [s.text, s.cls] as [string, HlClass]);

describe('highlight', () => {
  const cases: { name: string; src: string; want: [string, HlClass][] }[] = [
    { name: 'field, operator, string', src: 'title = "a b"', want: [['title', 'field'], ['=', 'op'], ['"a b"', 'string']] },
    { name: 'request macro with modifier', src: '@request.body.role:isset = true',
      want: [['@request.body.role', 'request'], [':isset', 'modifier'], ['=', 'op'], ['true', 'literal']] },
    { name: 'collection macro and join', src: "@collection.users.id ?= id && n > -2.5",
      want: [['@collection.users.id', 'collection'], ['?=', 'op'], ['id', 'field'], ['&&', 'op'], ['n', 'field'], ['>', 'op'], ['-2.5', 'number']] },
    { name: 'date macro, function, parens', src: 'created > @now || geoDistance(a, b) < 5',
      want: [['created', 'field'], ['>', 'op'], ['@now', 'macro'], ['||', 'op'], ['geoDistance', 'func'], ['(', 'punct'], ['a', 'field'],
        [',', 'punct'], ['b', 'field'], [')', 'punct'], ['<', 'op'], ['5', 'number']] },
    { name: 'unterminated string is an error', src: "name = 'abc", want: [['name', 'field'], ['=', 'op'], ["'abc", 'error']] },
    { name: 'comment and null', src: 'x != null // why', want: [['x', 'field'], ['!=', 'op'], ['null', 'literal'], ['// why', 'comment']] },
    { name: 'stray character', src: 'a $ b', want: [['a', 'field'], ['$', 'error'], ['b', 'field']] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(classes(c.src)).toEqual(c.want);
      // the overlay lines up: segments concatenate back to the source
      expect(highlight(c.src).map((s) => s.text).join('')).toBe(c.src);
    });
  }

  it('keeps whitespace and newlines as plain segments', () => {
    const src = '  a =\n\t1  ';
    expect(highlight(src).map((s) => s.text).join('')).toBe(src);
    expect(highlight(src)[0]).toEqual({ text: '  ', cls: '' });
  });

  it('empty text has no segments', () => { expect(highlight('')).toEqual([]); });
});
