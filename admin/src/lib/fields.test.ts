import { describe, it, expect } from 'vitest';
import { FIELD_KINDS, newField, validateFieldOptions, moveItem, indexInfo, buildIndex, renameIndexes, renameFieldInIndexes, emptyValue, isMulti } from './fields';
import { formPayload, toDateInput, fromDateInput, searchFilter } from './records';

describe('field kinds', () => {
  it('covers all 14 kinds of the spec', () => {
    expect(FIELD_KINDS.map((k) => k.type).sort()).toEqual(['autodate', 'bool', 'date', 'editor', 'email', 'file', 'geoPoint', 'json',
      'number', 'password', 'relation', 'select', 'text', 'url'].sort());
  });
  it('newField picks a unique name and the kind defaults', () => {
    const a = newField('select');
    expect(a).toMatchObject({ name: 'field', type: 'select', values: [], maxSelect: 1, required: false });
    expect(newField('text', [a, { name: 'field2', type: 'text' }]).name).toBe('field3');
    expect(newField('autodate').name).toBe('created');
  });
  it('empty values follow the record serialisation rules', () => {
    expect(emptyValue({ name: 'x', type: 'select', maxSelect: 3 })).toEqual([]);
    expect(emptyValue({ name: 'x', type: 'relation', maxSelect: 1 })).toBe('');
    expect(emptyValue({ name: 'x', type: 'geoPoint' })).toEqual({ lon: 0, lat: 0 });
    expect(emptyValue({ name: 'x', type: 'json' })).toBeNull();
    expect(isMulti({ name: 'x', type: 'file', maxSelect: 2 })).toBe(true);
  });
});

describe('validateFieldOptions', () => {
  const cases: [string, any, Record<string, RegExp>][] = [
    ['bad name', { name: 'a b', type: 'text' }, { name: /letters/ }],
    ['_via_ name', { name: 'x_via_y', type: 'text' }, { name: /_via_/ }],
    ['reserved', { name: 'expand', type: 'text' }, { name: /Reserved/ }],
    ['select without values', { name: 's', type: 'select', values: [] }, { values: /choice/ }],
    ['relation without target', { name: 'r', type: 'relation', collectionId: '' }, { collectionId: /collection/ }],
    ['autodate with neither', { name: 'd', type: 'autodate', onCreate: false, onUpdate: false }, { onCreate: /create/ }],
    ['bad thumb', { name: 'f', type: 'file', thumbs: ['100x100', 'big'] }, { thumbs: /big/ }],
    ['number min > max', { name: 'n', type: 'number', min: 5, max: 1 }, { max: /≥ min/ }],
    ['bad regex', { name: 't', type: 'text', pattern: '(' }, { pattern: /regular expression/ }],
  ];
  for (const [name, f, want] of cases) {
    it(name, () => {
      const got = validateFieldOptions(f);
      for (const [k, re] of Object.entries(want)) expect(got[k]).toMatch(re);
    });
  }
  it('accepts valid fields', () => {
    expect(validateFieldOptions({ name: 'ok', type: 'file', thumbs: ['100x100', '0x50f'] })).toEqual({});
  });
});

describe('indexes', () => {
  it('parses and builds unique multi-column indexes', () => {
    const i = indexInfo('CREATE UNIQUE INDEX `idx_ab` ON `posts` (`a`, `b`) WHERE a != \'\'');
    expect(i).toEqual({ unique: true, name: 'idx_ab', table: 'posts', columns: ['a', 'b'], where: "a != ''" });
    expect(buildIndex(i)).toBe("CREATE UNIQUE INDEX `idx_ab` ON `posts` (`a`, `b`) WHERE a != ''");
  });
  it('follows collection and field renames', () => {
    const ix = ['CREATE INDEX `i1` ON `posts` (`title`)'];
    expect(renameIndexes(ix, 'posts', 'articles')).toEqual(['CREATE INDEX `i1` ON `articles` (`title`)']);
    expect(renameFieldInIndexes(ix, 'title', 'name')).toEqual(['CREATE INDEX `i1` ON `posts` (`name`)']);
  });
  it('moveItem reorders', () => {
    expect(moveItem([1, 2, 3, 4], 3, 1)).toEqual([1, 4, 2, 3]);
  });
});

describe('record payloads', () => {
  const col: any = { name: 'p', type: 'base', fields: [
    { name: 'id', type: 'text' }, { name: 'title', type: 'text' }, { name: 'docs', type: 'file', maxSelect: 5 },
    { name: 'cover', type: 'file', maxSelect: 1 }, { name: 'created', type: 'autodate' }, { name: 'pw', type: 'password' }] };
  it('sends uploads and removals with modifiers, skips autodate and empty passwords', () => {
    const f = new File(['x'], 'a.txt');
    const body = formPayload(col, { id: 'abc', title: 'T', docs: ['old.txt'], cover: 'c.png', created: 'x', pw: '' },
      { docs: [f] }, { docs: ['old.txt'], cover: ['c.png'] }, false);
    expect(body).toEqual({ title: 'T', 'docs-': ['old.txt'], 'docs+': [f], cover: '' });
  });
  it('sends a custom id only on create', () => {
    expect(formPayload(col, { id: 'abc', title: '' }, {}, {}, true).id).toBe('abc');
    expect('id' in formPayload(col, { id: '', title: '' }, {}, {}, true)).toBe(false);
  });
  it('converts dates between the API and datetime-local', () => {
    expect(toDateInput('2024-05-06 10:20:30.123Z')).toBe('2024-05-06T10:20:30');
    expect(fromDateInput('2024-05-06T10:20')).toBe('2024-05-06 10:20:00.000Z');
    expect(fromDateInput('')).toBe('');
  });
  it('builds a search filter with escaped text', () => {
    expect(searchFilter({ name: 'u', type: 'base', fields: [{ name: 'name', type: 'text' }] } as any, 'a"b'))
      .toBe('id ~ "a\\"b" || name ~ "a\\"b"');
  });
});
