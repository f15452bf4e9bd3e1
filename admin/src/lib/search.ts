// The records browser's search box takes either a filter (spec §3) or a
// plain term. A plain term — no comparison operator in it — becomes an OR
// of `field ~ "term"` over the collection's text-like fields, as
// PocketBase's dashboard does, so "alice" finds Alice without the user
// writing a filter. A text with an operator is a filter: the client checks
// its syntax first and does not send one it already knows is invalid.
import type { Collection } from './fields';
import { tokenize, checkSyntax, type SyntaxError } from './filter';

/** SEARCH_TYPES are the field types a plain term is matched against. */
export const SEARCH_TYPES = ['text', 'email', 'url', 'editor'];

/** isPlainTerm reports whether q carries no filter syntax: no comparison
 * operator anywhere outside quotes. "a || b" is still a term (a filter
 * needs an operator to mean anything). */
export function isPlainTerm(q: string): boolean {
  return !tokenize(q).some((t) => t.type === 'sign');
}

/** searchFields lists the fields a plain term searches: id plus the
 * visible text-like fields. */
export function searchFields(col: Collection | undefined): string[] {
  const keys = new Set(['id']);
  if (col) for (const f of col.fields) if (SEARCH_TYPES.includes(f.type) && !f.hidden) keys.add(f.name);
  return [...keys];
}

/** quoteText returns term as a double-quoted filter string. The server's
 * lexer unescapes only \" (other backslashes stay as written), so quotes
 * get a backslash and backslashes are left alone. A closing quote after a
 * backslash would read as \", and the grammar has no way to write a text
 * that ends in a backslash: trailing backslashes are dropped (the match
 * is "contains", so the results are a superset). */
export function quoteText(term: string): string {
  const t = term.replace(/\\+$/, '');
  return '"' + t.replace(/"/g, '\\"') + '"';
}

/** termFilter builds the OR over the searchable fields ('' for an empty
 * term). */
export function termFilter(col: Collection | undefined, term: string): string {
  const t = term.trim().replace(/\\+$/, '');
  if (!t) return '';
  const lit = quoteText(t);
  return searchFields(col).map((k) => `${k} ~ ${lit}`).join(' || ');
}

export interface SearchResult {
  /** filter is what to send ('' = no filter). */
  filter: string;
  /** error is set (and filter is '') when q is a filter the client knows is invalid. */
  error: SyntaxError | null;
  /** plain tells that q was taken as a plain term. */
  plain: boolean;
}

/** toFilter turns what the user typed into the filter to send. */
export function toFilter(col: Collection | undefined, q: string): SearchResult {
  const src = q.trim();
  if (!src) return { filter: '', error: null, plain: false };
  if (isPlainTerm(src)) return { filter: termFilter(col, src), error: null, plain: true };
  const error = checkSyntax(src);
  return error ? { filter: '', error, plain: false } : { filter: src, error: null, plain: false };
}
