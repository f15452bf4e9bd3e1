import { describe, it, expect, afterEach } from 'vitest';
import { pushLayer, depth, handleEscape, isTop } from './layers';

function esc(key = 'Escape') {
  const ev = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
  window.dispatchEvent(ev);
  return ev;
}

describe('layer stack', () => {
  const pops: (() => void)[] = [];
  afterEach(() => { while (pops.length) pops.pop()!(); });

  it('Escape closes only the innermost layer, then the next one', () => {
    const closed: string[] = [];
    const drawer = () => { closed.push('drawer'); popDrawer(); };
    const popDrawer = pushLayer(drawer);
    const popList = pushLayer(() => { closed.push('list'); popList(); });
    pops.push(popDrawer, popList);
    expect(isTop(drawer)).toBe(false);
    esc();
    expect(closed).toEqual(['list']);
    expect(isTop(drawer)).toBe(true);
    esc();
    expect(closed).toEqual(['list', 'drawer']);
    expect(depth()).toBe(0);
  });

  it('stops the event so bubbling window handlers do not also close', () => {
    let bubbled = 0;
    const on = () => bubbled++;
    window.addEventListener('keydown', on);
    const pop = pushLayer(() => {});
    pops.push(pop);
    const ev = esc();
    expect(ev.defaultPrevented).toBe(true);
    expect(bubbled).toBe(0);
    pop();
    esc();
    expect(bubbled).toBe(1); // no layer: the key passes through untouched
    window.removeEventListener('keydown', on);
  });

  it('other keys pass through; layers removed out of order leave the rest intact', () => {
    const seen: string[] = [];
    const a = pushLayer(() => seen.push('a'));
    const b = pushLayer(() => seen.push('b'));
    const c = pushLayer(() => seen.push('c'));
    pops.push(a, b, c);
    expect(handleEscape({ key: 'Enter', preventDefault() {}, stopImmediatePropagation() {} })).toBe(false);
    b();
    expect(depth()).toBe(2);
    esc();
    c();
    esc();
    expect(seen).toEqual(['c', 'a']);
  });

  it('an Escape that ends an IME composition is not a dismiss', () => {
    const seen: string[] = [];
    pops.push(pushLayer(() => seen.push('x')));
    expect(handleEscape({ key: 'Escape', isComposing: true, preventDefault() {}, stopImmediatePropagation() {} })).toBe(false);
    expect(seen).toEqual([]);
  });
});
