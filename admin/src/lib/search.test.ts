import { describe, it, expect } from 'vitest';
import { toFilter, termFilter, isPlainTerm, quoteText } from './search';
import { tokenize, checkSyntax } from './filter';
import type { Collection } from './fields';

const posts: Collection = { id: 'p1', name: 'posts', type: 'base', fields: [
  { name: 'id', type: 'text' }, { name: 'title', type: 'text' }, { name: 'body', type: 'editor' },
  { name: 'site', type: 'url' }, { name: 'secret', type: 'text', hidden: true }, { name: 'views', type: 'number' },
  { name: 'created', type: 'autodate' }] };

// the text literal that the server's lexer reads out of a filter: only \"
// is unescaped (core/filter/lexer.go), mirrored here to check round trips
function serverText(lit: string): string {
  return lit.slice(1, -1).split('\\"').join('"');
}

describe('toFilter', () => {
  const cases: { name: string; q: string; filter: string; plain: boolean }[] = [
    { name: 'empty', q: '   ', filter: '', plain: false },
    { name: 'one word', q: 'hello', filter: 'id ~ "hello" || title ~ "hello" || body ~ "hello" || site ~ "hello"', plain: true },
    { name: 'words with spaces, trimmed', q: '  hello world ', filter: 'id ~ "hello world" || title ~ "hello world" || body ~ "hello world" || site ~ "hello world"', plain: true },
    { name: 'email-looking term', q: 'a@b.co', filter: 'id ~ "a@b.co" || title ~ "a@b.co" || body ~ "a@b.co" || site ~ "a@b.co"', plain: true },
    { name: 'quote injection', q: 'x" || id != "', filter: 'id ~ "x\\" || id != \\"" || title ~ "x\\" || id != \\"" || body ~ "x\\" || id != \\"" || site ~ "x\\" || id != \\""', plain: true },
    { name: 'bare || is a term', q: 'a || b', filter: 'id ~ "a || b" || title ~ "a || b" || body ~ "a || b" || site ~ "a || b"', plain: true },
    { name: 'a filter passes through', q: 'views > 2 && title ~ "x"', filter: 'views > 2 && title ~ "x"', plain: false },
    { name: 'filter with parens', q: '(views > 2 || views < 0)', filter: '(views > 2 || views < 0)', plain: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = toFilter(posts, c.q);
      expect(r.error).toBeNull();
      expect(r.plain).toBe(c.plain);
      expect(r.filter).toBe(c.filter);
      // whatever is sent is well formed
      expect(checkSyntax(r.filter)).toBeNull();
    });
  }

  const invalid: { name: string; q: string; msg: RegExp }[] = [
    { name: 'unterminated quote', q: 'title ~ "abc', msg: /Unterminated string/ },
    { name: 'unbalanced open paren', q: '(title ~ "a"', msg: /Missing "\)"/ },
    { name: 'unbalanced close paren', q: 'title ~ "a")', msg: /Unexpected "\)"/ },
    { name: 'operator without value', q: 'views >', msg: /Expected a value/ },
    { name: 'dangling join', q: 'views > 1 ||', msg: /Expected a value/ },
  ];
  for (const c of invalid) {
    it(`does not send: ${c.name}`, () => {
      const r = toFilter(posts, c.q);
      expect(r.filter).toBe('');
      expect(r.error?.message).toMatch(c.msg);
    });
  }
});

describe('quoteText round-trips through the server lexer', () => {
  const terms: [string, string, string][] = [
    ['plain', 'abc', 'abc'],
    ['double quote', 'say "hi"', 'say "hi"'],
    ['single quote', "it's", "it's"],
    ['backslash in the middle', 'C:\\temp', 'C:\\temp'],
    ['backslash before a quote', 'a\\"b', 'a\\"b'],
    ['trailing backslash is dropped', 'dir\\', 'dir'],
    ['many trailing backslashes', 'x\\\\\\', 'x'],
    ['|| and && inside', '"|| 1=1 && "', '"|| 1=1 && "'],
  ];
  for (const [name, term, want] of terms) {
    it(name, () => {
      const lit = quoteText(term);
      const toks = tokenize(`title ~ ${lit}`);
      // one closed text token: nothing leaked out of the literal
      expect(toks.map((t) => t.type)).toEqual(['ident', 'sign', 'text']);
      expect(serverText(lit)).toBe(want);
    });
  }
});

describe('termFilter and isPlainTerm', () => {
  it('skips hidden and non-text fields', () => {
    expect(termFilter(posts, 'q')).not.toMatch(/secret|views|created/);
  });
  it('only id without a collection', () => {
    expect(termFilter(undefined, 'q')).toBe('id ~ "q"');
  });
  it('a term of only backslashes searches nothing', () => {
    expect(termFilter(posts, '\\\\')).toBe('');
  });
  it.each([['hello', true], ['"quoted =" text', true], ['a = b', false], ['x~y', false], ['a != ', false]])('%s → plain %s', (q, want) => {
    expect(isPlainTerm(q)).toBe(want);
  });
});
