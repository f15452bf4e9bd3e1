import { describe, it, expect } from 'vitest';
import { sanitizeHTML, safeUrl } from './sanitize';

// Hostile markup a user with write access to an editor field could store.
const hostile: [string, string][] = [
  ['img onerror', '<img src=x onerror="window.__xss=1">'],
  ['svg onload', '<svg onload="window.__xss=1"><circle r="1"/></svg>'],
  ['script tag', '<p>hi</p><script>window.__xss=1</script>'],
  ['javascript link', '<a href="javascript:window.__xss=1">click</a>'],
  ['javascript link with tab and entity', '<a href="java&#9;script:window.__xss=1">x</a>'],
  ['data html link', '<a href="data:text/html,<script>window.__xss=1</script>">x</a>'],
  ['iframe srcdoc', '<iframe srcdoc="<script>window.__xss=1</script>"></iframe>'],
  ['body onload', '<body onload="window.__xss=1">'],
  ['details ontoggle', '<details open ontoggle="window.__xss=1">x</details>'],
  ['math href', '<math><mi xlink:href="javascript:window.__xss=1">x</mi></math>'],
  ['svg animate href', '<svg><a><animate attributeName="href" values="javascript:window.__xss=1"/><text y="9">x</text></a></svg>'],
  ['mxss noscript', '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">'],
  ['form formaction', '<form><button formaction="javascript:window.__xss=1">x</button></form>'],
  ['object data', '<object data="javascript:window.__xss=1"></object>'],
  ['base href', '<base href="javascript:/">'],
  ['style tag', '<style>@import "//evil.example/x.css";</style><p>x</p>'],
  ['quote breakout', '"><script>window.__xss=1</script>'],
];

describe('sanitizeHTML', () => {
  it.each(hostile)('%s: nothing executable survives', (_name, html) => {
    const out = sanitizeHTML(html);
    expect(out).not.toMatch(/<script|\son\w+\s*=|javascript:|<iframe|<object|<base|<style|<form|<button|data:text\/html/i);
    // and the result is inert when put into a page
    const div = document.createElement('div');
    div.innerHTML = out;
    expect(div.querySelector('script,iframe,object,embed,base,style,form,[onerror],[onload],[ontoggle]')).toBeNull();
  });

  it.each([
    ['formatting', '<h3>Title</h3><p><b>bold</b> <i>it</i></p><ul><li>a</li></ul><ol><li>b</li></ol>'],
    ['http link', '<a href="https://example.com/a?b=1">x</a>'],
    ['mailto link', '<a href="mailto:a@example.com">x</a>'],
    ['relative image', '<img src="/api/files/c/r/pic.png" alt="p">'],
  ])('%s: kept as written', (_name, html) => {
    expect(sanitizeHTML(html)).toBe(html);
  });

  it('prefixes ids and names so they cannot clobber the page (idempotent)', () => {
    const once = sanitizeHTML('<p id="f-title">a</p><a name="top">t</a>');
    expect(once).toBe('<p id="user-content-f-title">a</p><a name="user-content-top">t</a>');
    expect(sanitizeHTML(once)).toBe(once);
  });

  it('drops inline styles (the CSP would refuse them)', () => {
    expect(sanitizeHTML('<p style="color:red">x</p>')).toBe('<p>x</p>');
  });
});

describe('safeUrl', () => {
  it.each([
    ['https', 'https://example.com/x', 'https://example.com/x'],
    ['http', 'http://example.com', 'http://example.com'],
    ['mailto', 'mailto:a@example.com', 'mailto:a@example.com'],
    ['relative', '/api/files/a/b/c.png', '/api/files/a/b/c.png'],
    ['javascript', 'javascript:alert(1)', ''],
    ['javascript upper case', 'JaVaScRiPt:alert(1)', ''],
    ['javascript with spaces', '  javascript:alert(1)', ''],
    ['javascript with a tab inside', 'java\tscript:alert(1)', ''],
    ['javascript with a newline inside', 'java\nscript:alert(1)', ''],
    ['data', 'data:text/html,<script>alert(1)</script>', ''],
    ['vbscript', 'vbscript:msgbox(1)', ''],
    ['empty', '', ''],
    ['null', null, ''],
  ] as [string, string | null, string][])('%s', (_name, url, want) => {
    expect(safeUrl(url)).toBe(want);
  });
});
