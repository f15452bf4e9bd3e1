// Syntax highlighting of the filter/rule language: the tokens of
// filter.ts's tokenizer, classified for display (fields, @request.* and
// @collection.* macros, date macros, modifiers, operators, strings,
// numbers, literals, comments, errors). The segments cover the whole text,
// whitespace included, so an overlay built from them lines up exactly
// with the input it sits behind.

import { tokenize, LITERALS } from './filter';

/** HlClass is the kind of a highlighted segment ('' = plain text). */
export type HlClass = '' | 'field' | 'request' | 'collection' | 'macro' | 'modifier' | 'literal' | 'op' | 'string' | 'number'
  | 'func' | 'punct' | 'comment' | 'error';

/** Segment is a run of text with its class. */
export interface Segment { text: string; cls: HlClass }

function identClass(v: string): HlClass {
  if (v.startsWith('@request.') || v === '@request') return 'request';
  if (v.startsWith('@collection.') || v === '@collection') return 'collection';
  if (v.startsWith('@')) return 'macro';
  if (LITERALS.includes(v)) return 'literal';
  return 'field';
}

/** highlight splits src into classified segments whose texts concatenate
 * back to src exactly. */
export function highlight(src: string): Segment[] {
  const out: Segment[] = [];
  let pos = 0;
  const push = (text: string, cls: HlClass) => {
    if (!text) return;
    const last = out[out.length - 1];
    if (last && last.cls === cls) last.text += text;
    else out.push({ text, cls });
  };
  for (const t of tokenize(src)) {
    push(src.slice(pos, t.start), '');
    switch (t.type) {
      case 'ident': {
        // a trailing modifier (name:lower, @request.body.x:isset) gets its own class
        const colon = t.value.indexOf(':');
        const head = colon > 0 ? t.value.slice(0, colon) : t.value;
        push(head, identClass(head));
        if (colon > 0) push(t.value.slice(colon), 'modifier');
        break;
      }
      case 'func': push(t.value, 'func'); break;
      case 'text': push(t.value, 'string'); break;
      case 'number': push(t.value, 'number'); break;
      case 'sign': case 'join': push(t.value, 'op'); break;
      case 'lparen': case 'rparen': case 'comma': push(t.value, 'punct'); break;
      case 'comment': push(t.value, 'comment'); break;
      default: push(t.value, 'error');
    }
    pos = t.end;
  }
  push(src.slice(pos), '');
  return out;
}
