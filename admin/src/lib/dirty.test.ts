import { describe, it, expect } from 'vitest';
import { stableKey } from './dirty';

describe('stableKey', () => {
  it('ignores key order and undefined members', () => {
    expect(stableKey({ a: 1, b: { c: [1, { d: 2, e: undefined }] } })).toBe(stableKey({ b: { c: [1, { d: 2 }] }, a: 1 }));
  });
  it('sees real changes, and an undo restores the key', () => {
    const v: any = { name: 'posts', fields: [{ name: 'a' }] };
    const k = stableKey(v);
    v.fields[0].name = 'b';
    expect(stableKey(v)).not.toBe(k);
    v.fields[0].name = 'a';
    expect(stableKey(v)).toBe(k);
  });
  it('null and missing differ (a rule set to null is a change)', () => {
    expect(stableKey({ r: null })).not.toBe(stableKey({}));
  });
});
