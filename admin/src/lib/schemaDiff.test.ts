import { describe, it, expect } from 'vitest';
import { diffSchemas, diffFields, isEmptyDiff, parseImport } from './schemaDiff';
import type { Collection } from './fields';

const cur: Collection[] = [
  { id: 'a1', name: 'posts', type: 'base', system: false, listRule: null, created: 'x', updated: 'y', indexes: [],
    fields: [{ id: 'f1', name: 'title', type: 'text', max: 0 }, { id: 'f2', name: 'views', type: 'number' }] },
  { id: 's1', name: '_superusers', type: 'auth', system: true, fields: [] },
  { id: 'b1', name: 'old', type: 'base', system: false, fields: [] },
];

describe('diffSchemas', () => {
  it('reports nothing for an identical import (ignoring key order and timestamps)', () => {
    const same = [{ fields: [{ type: 'text', name: 'title', id: 'f1', max: 0 }, { id: 'f2', name: 'views', type: 'number' }],
      indexes: [], listRule: null, system: false, type: 'base', name: 'posts', id: 'a1' }] as any;
    const d = diffSchemas(cur, same);
    expect(isEmptyDiff(d)).toBe(true);
    expect(d.unchanged).toEqual(['posts']);
  });
  it('finds added collections and matches by name when there is no id', () => {
    const d = diffSchemas(cur, [{ name: 'POSTS', type: 'base', fields: [] } as any, { name: 'tags', type: 'base', fields: [] } as any]);
    expect(d.added.map((c) => c.name)).toEqual(['tags']);
    expect(d.changed.map((c) => c.name)).toEqual(['POSTS']);
  });
  it('lists changed options and fields', () => {
    const inc = structuredClone(cur[0]);
    inc.listRule = '';
    inc.fields[0].max = 100;
    inc.fields[1].name = 'hits'; // rename keeps the id
    inc.fields.push({ name: 'body', type: 'editor' });
    const d = diffSchemas(cur, [inc]);
    expect(d.changed).toHaveLength(1);
    const c = d.changed[0];
    expect(c.changes).toEqual([{ path: 'listRule', from: null, to: '' }]);
    expect(c.fields.added.map((f) => f.name)).toEqual(['body']);
    expect(c.fields.changed).toEqual([
      { name: 'title', changes: [{ path: 'max', from: 0, to: 100 }] },
      { name: 'hits', changes: [{ path: 'name', from: 'views', to: 'hits' }] },
    ]);
    expect(c.fields.removed).toEqual([]);
  });
  it('with deleteMissing removes absent non-system collections and fields', () => {
    const inc = { ...structuredClone(cur[0]), fields: [cur[0].fields[0]] };
    const d = diffSchemas(cur, [inc], true);
    expect(d.removed.map((c) => c.name)).toEqual(['old']);
    expect(d.changed[0].fields.removed.map((f) => f.name)).toEqual(['views']);
  });
  it('without deleteMissing keeps absent fields (server re-adds them)', () => {
    const inc = { ...structuredClone(cur[0]), fields: [cur[0].fields[0]] };
    expect(diffSchemas(cur, [inc], false).changed).toEqual([]);
  });
});

describe('diffFields', () => {
  it('never removes system fields', () => {
    const d = diffFields([{ id: 'x', name: 'id', type: 'text', system: true }], [], true);
    expect(d.removed).toEqual([]);
  });
});

describe('parseImport', () => {
  it('accepts an array or {collections:[...]}', () => {
    expect(parseImport('[{"name":"a"}]')).toHaveLength(1);
    expect(parseImport('{"collections":[{"name":"a"},{"name":"b"}]}')).toHaveLength(2);
  });
  it('explains bad input', () => {
    expect(() => parseImport('[{')).toThrow(/Invalid JSON/);
    expect(() => parseImport('{}')).toThrow(/array of collections/);
    expect(() => parseImport('[]')).toThrow(/empty/);
    expect(() => parseImport('[{"type":"base"}]')).toThrow(/Item 1 has no collection name/);
    expect(() => parseImport('[{"name":"a","fields":{}}]')).toThrow(/fields must be an array/);
  });
});
