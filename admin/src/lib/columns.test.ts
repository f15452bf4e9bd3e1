import { describe, it, expect } from 'vitest';
import { loadColumns, saveHidden, defaultHidden } from './columns';
import type { Field } from './fields';

function mem() {
  const m = new Map<string, string>();
  return { m, getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}
const f = (name: string, type = 'text'): Field => ({ name, type });
const base = [f('id'), f('a'), f('b'), f('c'), f('d'), f('e'), f('g'), f('h'), f('body', 'editor'), f('created', 'autodate')];

describe('columns', () => {
  it('defaults: first 7, no editor, created kept', () => {
    expect(defaultHidden(base)).toEqual(['h', 'body']);
  });
  it('a choice survives a reload', () => {
    const st = mem();
    loadColumns(st, 'c1', base);
    saveHidden(st, 'c1', ['a'], base);
    expect(loadColumns(st, 'c1', base)).toEqual(['a']);
  });
  it('adding a field hides no existing column and shows the new one', () => {
    const st = mem();
    const before = loadColumns(st, 'c1', base);
    const grown = [f('id'), f('new1'), ...base.slice(1)];
    const after = loadColumns(st, 'c1', grown);
    expect(after).toEqual(before);
    expect(after).not.toContain('new1');
  });
  it('a removed field drops out of the hidden list', () => {
    const st = mem();
    saveHidden(st, 'c1', ['h', 'body'], base);
    expect(loadColumns(st, 'c1', base.filter((x) => x.name !== 'h'))).toEqual(['body']);
  });
  it('the older "shown" format is read once', () => {
    const st = mem();
    st.setItem('basalt_cols_c1', JSON.stringify(['id', 'a']));
    expect(loadColumns(st, 'c1', base)).toEqual(['b', 'c', 'd', 'e', 'g', 'h', 'body', 'created']);
    expect(st.m.has('basalt_cols_c1')).toBe(false);
  });
  it('choices are per collection', () => {
    const st = mem();
    saveHidden(st, 'c1', ['a'], base);
    expect(loadColumns(st, 'c2', base)).toEqual(defaultHidden(base));
  });
});
