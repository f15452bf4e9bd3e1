import { describe, it, expect, afterEach, vi } from 'vitest';
import { render, cleanup } from '@testing-library/svelte';
import RichEditor from './RichEditor.svelte';
import { createEditor, outputHTML } from '../lib/richtext';

const hostile: [string, string, RegExp, RegExp][] = [
  // name, stored value, what must not survive, what must
  ['img onerror', '<p>a</p><img src="x.png" onerror="window.__xss=1">', /onerror|__xss/, /<img src="x.png"/],
  ['svg onload', '<svg onload="window.__xss=1"></svg><p><b>b</b></p>', /onload|<svg/, /<strong>b<\/strong>|<b>b<\/b>/],
  ['script', '<script>window.__xss=1</script><p><i>c</i></p>', /<script|__xss/, /<em>c<\/em>|<i>c<\/i>/],
  ['javascript link', '<p><a href="javascript:window.__xss=1">d</a></p>', /javascript:/, />d</],
];

describe('RichEditor', () => {
  afterEach(cleanup);
  it.each(hostile)('shows a stored %s value without its script', async (_n, value, gone, kept) => {
    const r = render(RichEditor, { props: { id: 'ed', value } });
    // the editor chunk loads asynchronously: wait for ProseMirror's element
    await vi.waitFor(() => expect(r.baseElement.querySelector('#ed.ProseMirror')).not.toBeNull(), { timeout: 5000 });
    const html = (r.baseElement.querySelector('#ed') as HTMLElement).innerHTML;
    expect(html).not.toMatch(gone);
    expect(html).toMatch(kept);
  });
  it.each(hostile)('the placeholder before the editor loads is sanitised too (%s)', (_n, value) => {
    const r = render(RichEditor, { props: { id: 'ed2', value } });
    const el = r.container.querySelector('.area') as HTMLElement;
    expect(el.innerHTML).not.toMatch(/\bon\w+=|<script|javascript:|__xss/);
  });
});

describe('richtext output', () => {
  it.each(hostile)('an edit on a stored %s value yields sanitised HTML', (_n, value, gone) => {
    const el = document.createElement('div');
    document.body.append(el);
    let out = '';
    const ed = createEditor({ element: el, html: value, editable: true, id: 'x', onchange: (h) => (out = h) });
    ed.commands.insertContent('<p>more</p>');
    expect(out).toContain('more');
    expect(out).not.toMatch(gone);
    // raw HTML pushed straight into the editor is sanitised on the way out
    ed.commands.setContent('<p>z</p><img src="y.png" onerror="window.__xss=2">', { emitUpdate: true });
    expect(outputHTML(ed)).not.toMatch(/onerror/);
    expect(out).not.toMatch(/onerror/);
    ed.destroy();
    el.remove();
  });
  it('an empty editor is an empty value', () => {
    const el = document.createElement('div');
    const ed = createEditor({ element: el, html: '<p>x</p>', editable: true, id: 'y', onchange: () => {} });
    ed.commands.clearContent(true);
    expect(outputHTML(ed)).toBe('');
    ed.destroy();
  });
});
