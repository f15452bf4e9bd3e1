// Diff of collection configurations: the preview shown before an import
// is applied (spec §1.2 C7 semantics: match by id, else by name).

import type { Collection, Field } from './fields';

export interface Change { path: string; from: any; to: any }
export interface FieldDiff { added: Field[]; removed: Field[]; changed: { name: string; changes: Change[] }[] }
export interface CollectionDiff { name: string; changes: Change[]; fields: FieldDiff }
export interface SchemaDiff { added: Collection[]; removed: Collection[]; changed: CollectionDiff[]; unchanged: string[] }

const IGNORED = new Set(['created', 'updated', 'fields']);

function same(a: any, b: any): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

/** normalize sorts object keys so key order does not count as a change. */
function normalize(v: any): any {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    const out: any = {};
    for (const k of Object.keys(v).sort()) out[k] = normalize(v[k]);
    return out;
  }
  return v === undefined ? null : v;
}

function objectChanges(a: any, b: any, prefix: string, skip: Set<string>, out: Change[]) {
  const keys = new Set([...Object.keys(a || {}), ...Object.keys(b || {})]);
  for (const k of [...keys].sort()) {
    if (skip.has(k)) continue;
    const av = a?.[k], bv = b?.[k];
    if (same(av, bv)) continue;
    const isObj = (x: any) => x && typeof x === 'object' && !Array.isArray(x);
    if (isObj(av) && isObj(bv)) objectChanges(av, bv, prefix + k + '.', new Set(), out);
    else out.push({ path: prefix + k, from: av, to: bv });
  }
}

function match<T extends { id?: string; name: string }>(list: T[], item: T): T | undefined {
  return (item.id && list.find((x) => x.id === item.id)) || list.find((x) => x.name.toLowerCase() === item.name.toLowerCase());
}

/** diffFields compares two field lists (matched by id, then name). */
export function diffFields(oldF: Field[], newF: Field[], deleteMissing = true): FieldDiff {
  const d: FieldDiff = { added: [], removed: [], changed: [] };
  for (const nf of newF) {
    const of = match(oldF, nf);
    if (!of) { d.added.push(nf); continue; }
    const changes: Change[] = [];
    objectChanges(of, { ...nf, id: nf.id ?? of.id }, '', new Set(), changes);
    if (changes.length) d.changed.push({ name: nf.name, changes });
  }
  if (deleteMissing) for (const of of oldF) if (!of.system && !match(newF, of)) d.removed.push(of);
  return d;
}

/** diffSchemas compares current collections with imported ones. With
 * deleteMissing, collections and fields absent from the import count as
 * removed (system ones are always kept). */
export function diffSchemas(current: Collection[], incoming: Collection[], deleteMissing = false): SchemaDiff {
  const out: SchemaDiff = { added: [], removed: [], changed: [], unchanged: [] };
  for (const inc of incoming) {
    const cur = match(current, inc);
    if (!cur) { out.added.push(inc); continue; }
    const changes: Change[] = [];
    objectChanges(cur, { ...inc, id: inc.id ?? cur.id }, '', IGNORED, changes);
    const fields = diffFields(cur.fields || [], inc.fields || [], deleteMissing);
    if (changes.length || fields.added.length || fields.removed.length || fields.changed.length)
      out.changed.push({ name: inc.name, changes, fields });
    else out.unchanged.push(inc.name);
  }
  if (deleteMissing) for (const cur of current) if (!cur.system && !match(incoming, cur)) out.removed.push(cur);
  return out;
}

/** isEmptyDiff tells whether applying the import would change nothing. */
export function isEmptyDiff(d: SchemaDiff): boolean {
  return !d.added.length && !d.removed.length && !d.changed.length;
}

/** parseImport reads the JSON a user pasted or uploaded: an array of
 * collections or {collections:[...]}. It throws with a readable message. */
export function parseImport(text: string): Collection[] {
  let v: any;
  try { v = JSON.parse(text); } catch (e: any) { throw new Error('Invalid JSON: ' + e.message); }
  if (v && !Array.isArray(v) && Array.isArray(v.collections)) v = v.collections;
  if (!Array.isArray(v)) throw new Error('Expected an array of collections.');
  if (!v.length) throw new Error('The list of collections is empty.');
  v.forEach((c: any, i: number) => {
    if (!c || typeof c !== 'object' || typeof c.name !== 'string' || !c.name)
      throw new Error(`Item ${i + 1} has no collection name.`);
    if (c.fields !== undefined && !Array.isArray(c.fields)) throw new Error(`Collection "${c.name}": fields must be an array.`);
  });
  return v;
}
