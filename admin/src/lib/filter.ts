// The filter/rule language of spec §3: a tokenizer, a syntax checker that
// points at the offending token, and context-aware autocomplete.

import type { Collection, Field } from './fields';

export type TokType = 'ident' | 'func' | 'text' | 'number' | 'sign' | 'join' | 'lparen' | 'rparen' | 'comma' | 'comment' | 'error';
export interface Token { type: TokType; value: string; start: number; end: number }

const SIGNS = ['?!=', '?>=', '?<=', '?!~', '!=', '>=', '<=', '!~', '?=', '?>', '?<', '?~', '=', '>', '<', '~'];
const identStart = /[A-Za-z@_#]/;
const identChar = /[A-Za-z0-9_.:@#]/;

/** tokenize splits text into tokens; unterminated strings and stray
 * characters become 'error' tokens so the checker can point at them. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const start = i;
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      out.push({ type: 'comment', value: src.slice(start, i), start, end: i });
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      let closed = false;
      while (i < src.length) {
        if (src[i] === '\\' && src[i + 1] === c) { i += 2; continue; }
        if (src[i] === c) { closed = true; i++; break; }
        i++;
      }
      out.push({ type: closed ? 'text' : 'error', value: src.slice(start, i), start, end: i });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] || ''))) {
      i++;
      while (i < src.length && /[0-9.]/.test(src[i])) i++;
      const v = src.slice(start, i);
      out.push({ type: /^-?\d+(\.\d+)?$/.test(v) ? 'number' : 'error', value: v, start, end: i });
      continue;
    }
    if (identStart.test(c)) {
      i++;
      while (i < src.length && identChar.test(src[i])) i++;
      const v = src.slice(start, i);
      if (src[i] === '(') out.push({ type: 'func', value: v, start, end: i });
      else out.push({ type: 'ident', value: v, start, end: i });
      continue;
    }
    if ((c === '&' && src[i + 1] === '&') || (c === '|' && src[i + 1] === '|')) {
      i += 2;
      out.push({ type: 'join', value: src.slice(start, i), start, end: i });
      continue;
    }
    const sign = SIGNS.find((s) => src.startsWith(s, i));
    if (sign) {
      i += sign.length;
      out.push({ type: 'sign', value: sign, start, end: i });
      continue;
    }
    if (c === '(') { out.push({ type: 'lparen', value: c, start, end: ++i }); continue; }
    if (c === ')') { out.push({ type: 'rparen', value: c, start, end: ++i }); continue; }
    if (c === ',') { out.push({ type: 'comma', value: c, start, end: ++i }); continue; }
    i++;
    out.push({ type: 'error', value: c, start, end: i });
  }
  return out;
}

export interface SyntaxError { message: string; start: number; end: number }

const FUNCTIONS = ['geoDistance', 'strftime'];

/** checkSyntax validates the grammar of §3.1 (not field names: the server
 * resolves those). It returns null when the text is well formed. An empty
 * text is valid (an empty rule means "everyone"). */
export function checkSyntax(src: string): SyntaxError | null {
  const toks = tokenize(src).filter((t) => t.type !== 'comment');
  if (!toks.length) return null;
  let p = 0;
  const err = (message: string, t?: Token): SyntaxError => {
    const tok = t ?? toks[p] ?? toks[toks.length - 1];
    return t || toks[p] ? { message, start: tok.start, end: tok.end } : { message, start: src.length, end: src.length };
  };
  const bad = toks.find((t) => t.type === 'error');
  if (bad) {
    if (bad.value[0] === '"' || bad.value[0] === "'") return { message: 'Unterminated string.', start: bad.start, end: bad.end };
    return { message: `Unexpected "${bad.value}".`, start: bad.start, end: bad.end };
  }
  for (const t of toks) {
    if (t.type === 'ident' || t.type === 'func') {
      if (/[.:]$/.test(t.value)) return { message: `Identifier "${t.value}" cannot end with "${t.value.slice(-1)}".`, start: t.start, end: t.end };
      if (['@', '_', '#'].includes(t.value)) return { message: `Invalid identifier "${t.value}".`, start: t.start, end: t.end };
    }
  }

  function operand(depth = 0): SyntaxError | null {
    const t = toks[p];
    if (!t) return err('Expected a value.');
    if (t.type === 'ident' || t.type === 'text' || t.type === 'number') { p++; return null; }
    if (t.type === 'func') {
      if (!FUNCTIONS.includes(t.value)) return err(`Unknown function "${t.value}".`, t);
      if (depth >= 3) return err('Functions nest at most 3 levels.', t);
      p++;
      p++; // "("
      if (toks[p]?.type === 'rparen') { p++; return null; }
      for (;;) {
        const e = operand(depth + 1);
        if (e) return e;
        if (toks[p]?.type === 'comma') { p++; if (toks[p]?.type === 'rparen') { p++; return null; } continue; }
        if (toks[p]?.type === 'rparen') { p++; return null; }
        return err('Expected "," or ")".');
      }
    }
    return err(t ? `Expected a value, got "${t.value}".` : 'Expected a value.');
  }
  function comparison(): SyntaxError | null {
    const e = operand();
    if (e) return e;
    const s = toks[p];
    if (!s || s.type !== 'sign') return err(s ? `Expected an operator, got "${s.value}".` : 'Expected an operator (=, !=, ~, >, …).');
    p++;
    return operand();
  }
  function group(): SyntaxError | null {
    if (toks[p]?.type === 'lparen') {
      const open = toks[p];
      p++;
      const e = expr();
      if (e) return e;
      if (toks[p]?.type !== 'rparen') return toks[p] ? err(`Expected ")", got "${toks[p].value}".`) : err('Missing ")".', open);
      p++;
      return null;
    }
    return comparison();
  }
  function expr(): SyntaxError | null {
    const e = group();
    if (e) return e;
    while (toks[p]?.type === 'join') {
      p++;
      const e2 = group();
      if (e2) return e2;
    }
    return null;
  }
  const e = expr();
  if (e) return e;
  if (p < toks.length) return err(`Unexpected "${toks[p].value}".`);
  return null;
}

// ---- autocomplete ----

export const MACROS = ['@now', '@yesterday', '@tomorrow', '@todayStart', '@todayEnd', '@monthStart', '@monthEnd',
  '@yearStart', '@yearEnd', '@second', '@minute', '@hour', '@day', '@month', '@weekday', '@year'];
export const MODIFIERS = [':isset', ':changed', ':length', ':each', ':lower'];
export const LITERALS = ['null', 'true', 'false'];

export interface SuggestContext {
  collection: Collection;
  collections: Collection[];
  /** rule: API rule editing (offers @request.*, @collection.*); false for record filters. */
  rule?: boolean;
}

export interface Suggestion { label: string; insert: string; hint?: string }

function byIdOrName(cols: Collection[], key: string): Collection | undefined {
  return cols.find((c) => c.id === key) || cols.find((c) => c.name === key);
}

function fieldKeys(col: Collection | undefined, cols: Collection[], withBack: boolean): Suggestion[] {
  if (!col) return [];
  const out: Suggestion[] = col.fields.map((f: Field) => ({ label: f.name, insert: f.name, hint: f.type }));
  if (withBack) {
    for (const other of cols) for (const f of other.fields) {
      if (f.type === 'relation' && (f.collectionId === col.id || f.collectionId === col.name)) {
        const n = `${other.name}_via_${f.name}`;
        out.push({ label: n, insert: n, hint: 'back-relation' });
      }
    }
  }
  return out;
}

/** resolvePath walks dotted segments from a collection through relation,
 * back-relation and geoPoint fields, returning the suggestions for the
 * next segment (or [] when the path ends in a plain field). */
function nextSegment(col: Collection | undefined, segs: string[], cols: Collection[]): Suggestion[] {
  let cur = col;
  for (const seg of segs) {
    if (!cur) return [];
    const f = cur.fields.find((x: Field) => x.name === seg);
    if (f?.type === 'relation') { cur = byIdOrName(cols, f.collectionId); continue; }
    if (f?.type === 'geoPoint') return [{ label: 'lon', insert: 'lon' }, { label: 'lat', insert: 'lat' }];
    // a json field may name its known keys (the logs' data: status, url…)
    if (f?.type === 'json' && Array.isArray(f.keys)) return f.keys.map((k: string) => ({ label: k, insert: k, hint: 'data key' }));
    const via = /^(\w+)_via_(\w+)$/.exec(seg);
    if (via) { cur = cols.find((c) => c.name === via[1]); continue; }
    return [];
  }
  return fieldKeys(cur, cols, true);
}

/** wordAt finds the identifier-like word ending at the cursor. */
export function wordAt(text: string, cursor: number): { from: number; word: string } {
  let i = cursor;
  while (i > 0 && /[A-Za-z0-9_.:@#]/.test(text[i - 1])) i--;
  return { from: i, word: text.slice(i, cursor) };
}

/** insideString reports whether the cursor sits inside a quoted string. */
function insideString(text: string, cursor: number): boolean {
  const toks = tokenize(text.slice(0, cursor));
  const last = toks[toks.length - 1];
  return !!last && last.type === 'error' && (last.value[0] === '"' || last.value[0] === "'") && last.end === cursor;
}

/** suggest returns completions for the word under the cursor. */
export function suggest(text: string, cursor: number, ctx: SuggestContext): { from: number; to: number; items: Suggestion[] } {
  const { from, word } = wordAt(text, cursor);
  const empty = { from, to: cursor, items: [] as Suggestion[] };
  if (insideString(text, cursor)) return empty;
  const cols = ctx.collections;
  let candidates: Suggestion[] = [];
  const colon = word.lastIndexOf(':');
  const lastSeg = word.slice(word.lastIndexOf('.') + 1);
  const isAlias = word.startsWith('@collection.') && word.split('.').length === 2;
  if (colon > 0 && lastSeg.includes(':') && !isAlias) {
    const head = word.slice(0, colon);
    candidates = MODIFIERS.filter((m) => m !== ':changed' || head.startsWith('@request.body.'))
      .map((m) => ({ label: m, insert: head + m, hint: 'modifier' }));
  } else if (word.startsWith('@request.auth.')) {
    const segs = word.slice('@request.auth.'.length).split('.');
    segs.pop();
    let items: Suggestion[];
    if (segs.length === 0) {
      const seen = new Set<string>();
      items = [];
      for (const c of cols.filter((c) => c.type === 'auth')) for (const f of c.fields) {
        if (seen.has(f.name)) continue;
        seen.add(f.name);
        items.push({ label: f.name, insert: f.name, hint: f.type });
      }
      for (const k of ['collectionId', 'collectionName']) if (!seen.has(k)) items.push({ label: k, insert: k });
    } else {
      const auths = cols.filter((c) => c.type === 'auth');
      items = [];
      for (const a of auths) items.push(...nextSegment(a, segs, cols));
    }
    const prefix = '@request.auth.' + (segs.length ? segs.join('.') + '.' : '');
    candidates = dedupe(items.map((s) => ({ ...s, label: prefix + s.label, insert: prefix + s.insert })));
  } else if (word.startsWith('@request.body.')) {
    const segs = word.slice('@request.body.'.length).split('.');
    segs.pop();
    const items = segs.length ? nextSegment(ctx.collection, segs, cols)
      : ctx.collection.fields.filter((f) => f.type !== 'autodate').map((f) => ({ label: f.name, insert: f.name, hint: f.type }));
    const prefix = '@request.body.' + (segs.length ? segs.join('.') + '.' : '');
    candidates = items.map((s) => ({ ...s, label: prefix + s.label, insert: prefix + s.insert }));
  } else if (word.startsWith('@request.')) {
    candidates = ['@request.auth.', '@request.body.', '@request.query.', '@request.headers.', '@request.method', '@request.context']
      .map((s) => ({ label: s, insert: s }));
  } else if (word.startsWith('@collection.')) {
    const rest = word.slice('@collection.'.length).split('.');
    if (rest.length === 1) {
      candidates = cols.map((c) => ({ label: '@collection.' + c.name + '.', insert: '@collection.' + c.name + '.', hint: c.type }));
    } else {
      const name = rest[0].split(':')[0];
      const segs = rest.slice(1, -1);
      const items = nextSegment(cols.find((c) => c.name === name), segs, cols);
      const prefix = '@collection.' + rest.slice(0, -1).join('.') + '.';
      candidates = items.map((s) => ({ ...s, label: prefix + s.label, insert: prefix + s.insert }));
    }
  } else if (word.startsWith('@')) {
    candidates = [...(ctx.rule ? ['@request.', '@collection.'] : ['@collection.']).map((s) => ({ label: s, insert: s })),
      ...MACROS.map((m) => ({ label: m, insert: m, hint: 'macro' }))];
  } else if (word.includes('.')) {
    const segs = word.split('.');
    segs.pop();
    const items = nextSegment(ctx.collection, segs, cols);
    const prefix = segs.join('.') + '.';
    candidates = items.map((s) => ({ ...s, label: prefix + s.label, insert: prefix + s.insert }));
  } else {
    candidates = [...fieldKeys(ctx.collection, cols, true),
      ...(ctx.rule ? [{ label: '@request.auth.', insert: '@request.auth.' }, { label: '@request.body.', insert: '@request.body.' }] : []),
      { label: '@collection.', insert: '@collection.' },
      ...MACROS.map((m) => ({ label: m, insert: m, hint: 'macro' })),
      ...LITERALS.map((l) => ({ label: l, insert: l, hint: 'literal' })),
      { label: 'geoDistance(', insert: 'geoDistance(', hint: 'function' },
      { label: 'strftime(', insert: 'strftime(', hint: 'function' }];
    if (!word) candidates = candidates.filter((c) => !c.label.startsWith('@') || c.label.endsWith('.'));
  }
  const lw = word.toLowerCase();
  const items = dedupe(candidates).filter((c) => c.insert.toLowerCase().startsWith(lw) && c.insert !== word);
  // relations offer both "rel" and "rel." — keep the list short and stable
  return { from, to: cursor, items: items.slice(0, 50) };
}

function dedupe(s: Suggestion[]): Suggestion[] {
  const seen = new Set<string>();
  return s.filter((x) => (seen.has(x.insert) ? false : (seen.add(x.insert), true)));
}

/** applySuggestion replaces the word under the cursor with the suggestion. */
export function applySuggestion(text: string, from: number, to: number, s: Suggestion): { text: string; cursor: number } {
  const next = text.slice(0, from) + s.insert + text.slice(to);
  return { text: next, cursor: from + s.insert.length };
}

/** ruleMode tells how an API rule value behaves (spec §4.1). */
export function ruleMode(v: string | null | undefined): 'superusers' | 'everyone' | 'expression' {
  if (v === null || v === undefined) return 'superusers';
  if (v.trim() === '') return 'everyone';
  return 'expression';
}
