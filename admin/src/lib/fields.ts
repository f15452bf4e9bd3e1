// The collection/field model of spec §5: field kinds, their options and
// defaults, and helpers used by the schema editor.

import type { IconName } from '../components/Icon.svelte';

export type Field = Record<string, any> & {
  id?: string;
  name: string;
  type: string;
  system?: boolean;
  hidden?: boolean;
  presentable?: boolean;
  required?: boolean;
};

export type Collection = Record<string, any> & {
  id?: string;
  name: string;
  type: 'base' | 'auth' | 'view';
  fields: Field[];
  indexes?: string[];
  system?: boolean;
};

export interface OptionDef {
  key: string;
  label: string;
  kind: 'number' | 'text' | 'bool' | 'list' | 'collection' | 'datetime' | 'nullableNumber';
  help?: string;
  placeholder?: string;
}

export interface KindDef {
  type: string;
  label: string;
  /** icon is the field kind's picture in Icon.svelte's set */
  icon: IconName;
  defaults: Record<string, any>;
  options: OptionDef[];
}

const num = (key: string, label: string, help?: string): OptionDef => ({ key, label, kind: 'number', help });

export const FIELD_KINDS: KindDef[] = [
  { type: 'text', label: 'Plain text', icon: 'type', defaults: { min: 0, max: 0, pattern: '', autogeneratePattern: '' },
    options: [num('min', 'Min length'), num('max', 'Max length', '0 = default 5000'),
      { key: 'pattern', label: 'Regex pattern', kind: 'text', placeholder: '^\\w+$' },
      { key: 'autogeneratePattern', label: 'Autogenerate pattern', kind: 'text', placeholder: '[a-z0-9]{8}' }] },
  { type: 'editor', label: 'Rich editor', icon: 'pilcrow', defaults: { maxSize: 0, convertURLs: false },
    options: [num('maxSize', 'Max size (bytes)', '0 = default 5 MiB'), { key: 'convertURLs', label: 'Convert URLs', kind: 'bool' }] },
  { type: 'number', label: 'Number', icon: 'hash', defaults: { min: null, max: null, onlyInt: false },
    options: [{ key: 'min', label: 'Min', kind: 'nullableNumber' }, { key: 'max', label: 'Max', kind: 'nullableNumber' },
      { key: 'onlyInt', label: 'No decimals', kind: 'bool' }] },
  { type: 'bool', label: 'Bool', icon: 'toggle', defaults: {}, options: [] },
  { type: 'email', label: 'Email', icon: 'at', defaults: { exceptDomains: [], onlyDomains: [] },
    options: [{ key: 'exceptDomains', label: 'Except domains', kind: 'list' }, { key: 'onlyDomains', label: 'Only domains', kind: 'list' }] },
  { type: 'url', label: 'URL', icon: 'external', defaults: { exceptDomains: [], onlyDomains: [] },
    options: [{ key: 'exceptDomains', label: 'Except domains', kind: 'list' }, { key: 'onlyDomains', label: 'Only domains', kind: 'list' }] },
  { type: 'date', label: 'DateTime', icon: 'calendar', defaults: { min: '', max: '' },
    options: [{ key: 'min', label: 'Min date', kind: 'datetime' }, { key: 'max', label: 'Max date', kind: 'datetime' }] },
  { type: 'autodate', label: 'Autodate', icon: 'clock', defaults: { onCreate: true, onUpdate: false },
    options: [{ key: 'onCreate', label: 'On create', kind: 'bool' }, { key: 'onUpdate', label: 'On update', kind: 'bool' }] },
  { type: 'select', label: 'Select', icon: 'select', defaults: { values: [], maxSelect: 1 },
    options: [{ key: 'values', label: 'Choices', kind: 'list', help: 'comma separated' }, num('maxSelect', 'Max select', '1 = single')] },
  { type: 'file', label: 'File', icon: 'file', defaults: { maxSelect: 1, maxSize: 0, mimeTypes: [], thumbs: [], protected: false },
    options: [num('maxSelect', 'Max files', '1 = single'), num('maxSize', 'Max size (bytes)', '0 = default 5 MiB'),
      { key: 'mimeTypes', label: 'Allowed MIME types', kind: 'list', placeholder: 'image/png, image/jpeg' },
      { key: 'thumbs', label: 'Thumb sizes', kind: 'list', placeholder: '100x100, 0x300, 200x200f' },
      { key: 'protected', label: 'Protected (needs a file token)', kind: 'bool' }] },
  { type: 'relation', label: 'Relation', icon: 'swap', defaults: { collectionId: '', cascadeDelete: false, minSelect: 0, maxSelect: 1 },
    options: [{ key: 'collectionId', label: 'Collection', kind: 'collection' }, num('minSelect', 'Min select'),
      num('maxSelect', 'Max select', '1 = single'), { key: 'cascadeDelete', label: 'Cascade delete', kind: 'bool' }] },
  { type: 'json', label: 'JSON', icon: 'braces', defaults: { maxSize: 0 }, options: [num('maxSize', 'Max size (bytes)', '0 = default 1 MiB')] },
  { type: 'password', label: 'Password', icon: 'key', defaults: { min: 0, max: 0, pattern: '', cost: 0 },
    options: [num('min', 'Min length'), num('max', 'Max length'), { key: 'pattern', label: 'Regex pattern', kind: 'text' }, num('cost', 'Bcrypt cost')] },
  { type: 'geoPoint', label: 'Geo point', icon: 'pin', defaults: {}, options: [] },
];

export const KIND_BY_TYPE: Record<string, KindDef> = Object.fromEntries(FIELD_KINDS.map((k) => [k.type, k]));

/** newField builds a blank field of a kind with a unique name. */
export function newField(type: string, existing: Field[] = []): Field {
  const def = KIND_BY_TYPE[type];
  if (!def) throw new Error('unknown field type ' + type);
  const base = type === 'autodate' ? 'created' : 'field';
  let name = base;
  for (let i = 2; existing.some((f) => f.name.toLowerCase() === name.toLowerCase()); i++) name = base + i;
  return { name, type, system: false, hidden: false, presentable: false, required: false,
    ...structuredClone(def.defaults) };
}

/** isMulti tells whether a select/relation/file field holds an array. */
export function isMulti(f: Field): boolean {
  return ['select', 'relation', 'file'].includes(f.type) && (f.maxSelect ?? 0) > 1;
}

/** emptyValue is the value a record field has when unset (spec §5.8). */
export function emptyValue(f: Field): any {
  switch (f.type) {
    case 'number': return 0;
    case 'bool': return false;
    case 'json': return null;
    case 'geoPoint': return { lon: 0, lat: 0 };
    case 'select': case 'relation': case 'file': return isMulti(f) ? [] : '';
    default: return '';
  }
}

/** parseList splits a comma/newline separated option text. */
export function parseList(text: string): string[] {
  return text.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
}

/** validateFieldOptions runs the client-side checks the schema editor shows
 * before saving (the server stays the authority). Keys are option names. */
export function validateFieldOptions(f: Field): Record<string, string> {
  const e: Record<string, string> = {};
  if (!/^\w+$/.test(f.name || '')) e.name = 'Use letters, digits and _ only.';
  else if (/_via_/i.test(f.name)) e.name = 'The name cannot contain "_via_".';
  else if (['null', 'true', 'false', '_rowid_', 'collectionid', 'collectionname', 'expand'].includes(f.name.toLowerCase()))
    e.name = 'Reserved name.';
  switch (f.type) {
    case 'select':
      if (!f.values?.length) e.values = 'Add at least one choice.';
      break;
    case 'relation':
      if (!f.collectionId) e.collectionId = 'Pick the related collection.';
      if ((f.maxSelect ?? 0) > 1 && (f.minSelect ?? 0) > f.maxSelect) e.minSelect = 'Must not exceed max select.';
      break;
    case 'autodate':
      if (!f.onCreate && !f.onUpdate) e.onCreate = 'Pick on create, on update or both.';
      break;
    case 'file':
      for (const t of f.thumbs || []) if (!/^\d+x\d+[tbf]?$/.test(t) || /^0x0/.test(t)) { e.thumbs = `Invalid thumb size "${t}".`; break; }
      break;
    case 'number':
      if (f.min != null && f.max != null && f.min > f.max) e.max = 'Max must be ≥ min.';
      break;
    case 'text':
      if (f.pattern) try { new RegExp(f.pattern); } catch { e.pattern = 'Invalid regular expression.'; }
      if (f.max && f.min > f.max) e.max = 'Max must be ≥ min.';
      break;
  }
  return e;
}

/** moveItem returns a copy of list with the item at from moved to to. */
export function moveItem<T>(list: T[], from: number, to: number): T[] {
  const out = list.slice();
  const [it] = out.splice(from, 1);
  out.splice(to, 0, it);
  return out;
}

/** indexInfo parses a CREATE INDEX statement into its parts. */
export function indexInfo(sql: string): { unique: boolean; name: string; table: string; columns: string[]; where: string } {
  const m = /create\s+(unique\s+)?index\s+(?:if\s+not\s+exists\s+)?[`"[]?(\w+)[`"\]]?\s+on\s+[`"[]?(\w+)[`"\]]?\s*\(([^)]*)\)\s*(?:where\s+(.*))?$/is.exec(sql.trim());
  if (!m) return { unique: false, name: '', table: '', columns: [], where: '' };
  return { unique: !!m[1], name: m[2], table: m[3],
    columns: m[4].split(',').map((c) => c.trim().replace(/[`"[\]]/g, '')).filter(Boolean), where: (m[5] || '').trim() };
}

/** buildIndex renders a CREATE INDEX statement. */
export function buildIndex(o: { unique: boolean; name: string; table: string; columns: string[]; where?: string }): string {
  const cols = o.columns.map((c) => '`' + c + '`').join(', ');
  return `CREATE ${o.unique ? 'UNIQUE ' : ''}INDEX \`${o.name}\` ON \`${o.table}\` (${cols})${o.where ? ' WHERE ' + o.where : ''}`;
}

/** randomSuffix makes a short id for index names. */
export function randomSuffix(n = 7): string {
  const a = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < n; i++) s += a[Math.floor(Math.random() * a.length)];
  return s;
}

/** renameIndexes rewrites the table name in index statements after a collection rename. */
export function renameIndexes(indexes: string[], oldName: string, newName: string): string[] {
  if (!oldName || oldName === newName) return indexes;
  return indexes.map((ix) => {
    const info = indexInfo(ix);
    if (info.table !== oldName) return ix;
    return buildIndex({ ...info, table: newName });
  });
}

/** renameFieldInIndexes renames a column in index statements after a field rename. */
export function renameFieldInIndexes(indexes: string[], oldName: string, newName: string): string[] {
  if (!oldName || oldName === newName) return indexes;
  return indexes.map((ix) => {
    const info = indexInfo(ix);
    if (!info.columns.includes(oldName)) return ix;
    return buildIndex({ ...info, columns: info.columns.map((c) => (c === oldName ? newName : c)) });
  });
}
