import { describe, it, expect } from 'vitest';
import { tokenize, checkSyntax, suggest, applySuggestion, ruleMode } from './filter';
import type { Collection } from './fields';

const users: Collection = { id: 'u1', name: 'users', type: 'auth', fields: [
  { name: 'id', type: 'text' }, { name: 'email', type: 'email' }, { name: 'name', type: 'text' }, { name: 'verified', type: 'bool' }] };
const posts: Collection = { id: 'p1', name: 'posts', type: 'base', fields: [
  { name: 'id', type: 'text' }, { name: 'title', type: 'text' }, { name: 'author', type: 'relation', collectionId: 'u1', maxSelect: 1 },
  { name: 'loc', type: 'geoPoint' }, { name: 'tags', type: 'select', maxSelect: 3, values: ['a'] }] };
const comments: Collection = { id: 'c1', name: 'comments', type: 'base', fields: [
  { name: 'id', type: 'text' }, { name: 'post', type: 'relation', collectionId: 'p1' }, { name: 'msg', type: 'text' }] };
const all = [users, posts, comments];
const labels = (text: string, rule = true, cursor = text.length) =>
  suggest(text, cursor, { collection: posts, collections: all, rule }).items.map((s) => s.insert);

describe('tokenize', () => {
  it('splits identifiers, operators, strings, numbers and joins', () => {
    const t = tokenize('title ~ "a \\" b" && views >= -2.5 || @request.auth.id != ""');
    expect(t.map((x) => x.type)).toEqual(['ident', 'sign', 'text', 'join', 'ident', 'sign', 'number', 'join', 'ident', 'sign', 'text']);
    expect(t[2].value).toBe('"a \\" b"');
  });
  it('recognises functions and comments', () => {
    const t = tokenize('geoDistance(loc.lon, loc.lat, 1, 2) < 5 // near');
    expect(t[0]).toMatchObject({ type: 'func', value: 'geoDistance' });
    expect(t.at(-1)!.type).toBe('comment');
  });
});

describe('checkSyntax', () => {
  const ok = ['', '  ', 'title = "x"', '(a = 1 || b = 2) && c ?~ "z"', "strftime('%Y', created) = '2024'",
    'geoDistance(loc.lon, loc.lat, 23.3, 42.7) < 5', 'tags:length > 1', '@request.body.title:isset = false', '1 = 1 // comment'];
  for (const src of ok) it(`accepts ${JSON.stringify(src)}`, () => expect(checkSyntax(src)).toBeNull());
  const bad: [string, RegExp, string][] = [
    ['title ~ ', /Expected a value/, ''],
    ['title', /Expected an operator/, ''],
    ['title = "open', /Unterminated string/, '"open'],
    ['a = 1 &&', /Expected a value/, ''],
    ['(a = 1', /Missing "\)"/, '('],
    ['a = 1)', /Unexpected "\)"/, ')'],
    ['a == 1', /Expected a value, got "="/, '='],
    ['author. = 1', /cannot end with/, 'author.'],
    ['nope(1) = 1', /Unknown function/, 'nope'],
    ['a = 5.', /Unexpected "5\."/, '5.'],
    ['a = 1 $ b', /Unexpected "\$"/, '$'],
  ];
  for (const [src, re, marked] of bad) {
    it(`rejects ${JSON.stringify(src)} and points at the token`, () => {
      const e = checkSyntax(src)!;
      expect(e).not.toBeNull();
      expect(e.message).toMatch(re);
      if (marked) expect(src.slice(e.start, e.end)).toBe(marked);
    });
  }
});

describe('suggest', () => {
  it('offers the collection fields, back-relations and literals for a bare word', () => {
    const l = labels('ti');
    expect(l).toEqual(['title']);
    const all0 = labels('');
    expect(all0).toContain('comments_via_post');
    expect(all0).toContain('null');
    expect(all0).toContain('@request.auth.');
  });
  it('walks relations', () => {
    expect(labels('author.')).toEqual(expect.arrayContaining(['author.email', 'author.name', 'author.verified']));
    expect(labels('author.em')).toEqual(['author.email']);
  });
  it('walks back-relations and geoPoint paths', () => {
    expect(labels('comments_via_post.m')).toEqual(['comments_via_post.msg']);
    expect(labels('loc.')).toEqual(['loc.lon', 'loc.lat']);
  });
  it('completes @request.* only in rules', () => {
    expect(labels('@req')).toEqual(['@request.']);
    expect(labels('@req', false)).toEqual([]);
    expect(labels('@request.')).toEqual(expect.arrayContaining(['@request.auth.', '@request.body.', '@request.method', '@request.context']));
  });
  it('completes @request.auth fields from auth collections', () => {
    expect(labels('@request.auth.ve')).toEqual(['@request.auth.verified']);
    expect(labels('@request.auth.')).toContain('@request.auth.collectionName');
  });
  it('completes @request.body fields of the collection', () => {
    expect(labels('@request.body.ti')).toEqual(['@request.body.title']);
  });
  it('completes @collection names and their fields', () => {
    expect(labels('@collection.com')).toEqual(['@collection.comments.']);
    expect(labels('@collection.comments.m')).toEqual(['@collection.comments.msg']);
    expect(labels('@collection.comments:c2.post.ti')).toEqual(['@collection.comments:c2.post.title']);
  });
  it('completes macros and modifiers', () => {
    expect(labels('@tod')).toEqual(['@todayStart', '@todayEnd']);
    expect(labels('tags:le')).toEqual(['tags:length']);
    expect(labels('title:')).not.toContain('title:changed');
    expect(labels('@request.body.title:ch')).toEqual(['@request.body.title:changed']);
  });
  it('stays quiet inside strings', () => {
    expect(labels('title = "ti')).toEqual([]);
  });
  it('uses the word under the cursor and replaces it', () => {
    const text = 'autho = 1';
    const r = suggest(text, 5, { collection: posts, collections: all });
    expect(r.items[0].insert).toBe('author');
    expect(applySuggestion(text, r.from, r.to, r.items[0])).toEqual({ text: 'author = 1', cursor: 6 });
  });
});

describe('ruleMode', () => {
  it('distinguishes null, empty and expressions', () => {
    expect(ruleMode(null)).toBe('superusers');
    expect(ruleMode('')).toBe('everyone');
    expect(ruleMode('id = 1')).toBe('expression');
  });
});
