import { describe, it, expect, afterEach } from 'vitest';
import { render, cleanup } from '@testing-library/svelte';
import RichEditor from './RichEditor.svelte';

describe('RichEditor', () => {
  afterEach(cleanup);
  it.each([
    ['img onerror', '<p>a</p><img src="x" onerror="window.__xss=1">', '<p>a</p><img src="x">'],
    ['svg onload', '<svg onload="window.__xss=1"></svg><b>b</b>', '<svg></svg><b>b</b>'],
    ['script', '<script>window.__xss=1</script><i>c</i>', '<i>c</i>'],
    ['javascript link', '<a href="javascript:window.__xss=1">d</a>', '<a>d</a>'],
  ])('renders a stored %s value without its script', (_name, value, shown) => {
    const r = render(RichEditor, { props: { id: 'ed', value } });
    const area = r.baseElement.querySelector('#ed') as HTMLElement;
    expect(area.innerHTML).toBe(shown);
  });
});
