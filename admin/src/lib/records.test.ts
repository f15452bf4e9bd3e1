import { describe, it, expect } from 'vitest';
import { duplicateValues, shortValue, searchFilter } from './records';
import type { Collection } from './fields';

const posts: Collection = { id: 'p', name: 'posts', type: 'base', fields: [
  { name: 'id', type: 'text' }, { name: 'title', type: 'text' }, { name: 'pic', type: 'file' }, { name: 'secret', type: 'password' },
  { name: 'tags', type: 'select', maxSelect: 3 }, { name: 'created', type: 'autodate' }] };
const users: Collection = { id: 'u', name: 'users', type: 'auth', fields: [
  { name: 'id', type: 'text' }, { name: 'email', type: 'email' }, { name: 'verified', type: 'bool' }, { name: 'tokenKey', type: 'text', hidden: true },
  { name: 'name', type: 'text' }] };

describe('duplicateValues', () => {
  it('drops id, files, passwords and autodates; copies the rest deeply', () => {
    const rec = { id: 'r1', title: 'T', pic: 'a.png', secret: 'x', tags: ['a'], created: '2024-01-01 00:00:00.000Z' };
    const d = duplicateValues(posts, rec);
    expect(d).toEqual({ title: 'T', tags: ['a'] });
    d.tags.push('b');
    expect(rec.tags).toEqual(['a']);
  });
  it('auth records lose the unique email, verified flag and token key', () => {
    expect(duplicateValues(users, { id: 'u1', email: 'a@b.co', verified: true, tokenKey: 'k', name: 'Ann' })).toEqual({ name: 'Ann' });
  });
});

describe('records helpers', () => {
  it('timestamps show to the second', () => {
    expect(shortValue({ name: 'created', type: 'autodate' }, '2024-01-02 03:04:05.678Z')).toBe('2024-01-02 03:04:05');
  });
  it('the relation picker search quotes like the server reads', () => {
    expect(searchFilter(posts, 'a"b')).toBe('id ~ "a\\"b" || title ~ "a\\"b"');
    expect(searchFilter(posts, '\\')).toBe('');
  });
});
