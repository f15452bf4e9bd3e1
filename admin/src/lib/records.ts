// Helpers for records: value conversion for inputs and display.
import type { Collection, Field } from './fields';
import { isMulti } from './fields';
import { quoteText } from './search';

/** toLocalInput turns "2024-01-02 03:04:05.678Z" into a datetime-local value (UTC shown). */
export function toDateInput(v: string): string {
  if (!v) return '';
  return v.replace(' ', 'T').replace(/(\.\d+)?Z$/, '').slice(0, 19);
}

/** fromDateInput turns a datetime-local value (UTC) into the API format. */
export function fromDateInput(v: string): string {
  if (!v) return '';
  const full = v.length === 16 ? v + ':00' : v;
  return full.replace('T', ' ') + '.000Z';
}

export function asArray(v: any): string[] {
  if (Array.isArray(v)) return v;
  return v ? [v] : [];
}

/** displayFields picks the fields that label a record (presentable ones, else a sensible guess). */
export function labelFields(col: Collection | undefined): string[] {
  if (!col) return ['id'];
  const pres = col.fields.filter((f) => f.presentable).map((f) => f.name);
  if (pres.length) return pres;
  for (const n of ['name', 'title', 'label', 'username', 'slug', 'email']) if (col.fields.some((f) => f.name === n && !f.hidden)) return [n];
  const text = col.fields.find((f) => f.type === 'text' && !f.primaryKey && !f.hidden);
  return text ? [text.name] : ['id'];
}

export function recordLabel(rec: any, col: Collection | undefined): string {
  if (!rec) return '';
  const parts = labelFields(col).map((k) => rec[k]).filter((v) => v !== '' && v != null);
  return parts.length ? parts.join(' · ') : rec.id;
}

/** searchFilter builds a filter that finds text in the label fields and id. */
export function searchFilter(col: Collection | undefined, q: string): string {
  const t = q.trim();
  if (!t) return '';
  const lit = quoteText(t);
  if (lit === '""') return '';
  const keys = new Set(['id', ...labelFields(col)]);
  if (col) for (const f of col.fields) if (['text', 'email', 'url', 'editor'].includes(f.type) && !f.hidden) keys.add(f.name);
  return [...keys].map((k) => `${k} ~ ${lit}`).join(' || ');
}

const IMG = /\.(png|jpe?g|gif|webp|svg|bmp|ico)$/i;
export function isImage(name: string): boolean { return IMG.test(name); }

/** shortValue is the text shown in a table cell. */
export function shortValue(f: Field, v: any): string {
  if (v == null || v === '') return '';
  switch (f.type) {
    case 'bool': return v ? 'True' : 'False';
    case 'json': { const s = JSON.stringify(v); return s.length > 80 ? s.slice(0, 80) + '…' : s; }
    case 'geoPoint': return v && (v.lon || v.lat) ? `${v.lat}, ${v.lon}` : '';
    case 'editor': { const s = String(v).replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim(); return s.length > 80 ? s.slice(0, 80) + '…' : s; }
    case 'select': return asArray(v).join(', ');
    // stored and shown in UTC (the column header says so)
    case 'date': case 'autodate': return String(v).slice(0, 19);
    default: { const s = String(v); return s.length > 80 ? s.slice(0, 80) + '…' : s; }
  }
}

/** duplicateValues is the part of rec a duplicate starts with: not the
 * id, autodates, passwords, the token key or files (uploads belong to the
 * source record), and for auth records not the email (it is unique) nor
 * the verified flag. */
export function duplicateValues(col: Collection, rec: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const f of col.fields) {
    if (f.name === 'id' || f.type === 'autodate' || f.type === 'password' || f.type === 'file' || f.name === 'tokenKey') continue;
    if (col.type === 'auth' && ['email', 'verified'].includes(f.name)) continue;
    if (rec[f.name] !== undefined) out[f.name] = structuredClone(rec[f.name]);
  }
  return out;
}

/** formPayload builds the request body for a record save. File fields:
 * removed existing names go to "field-", new uploads to "field+" (multi)
 * or "field" (single, replacing). */
export function formPayload(col: Collection, values: Record<string, any>, uploads: Record<string, File[]>,
  removed: Record<string, string[]>, isNew: boolean): Record<string, any> {
  const body: Record<string, any> = {};
  for (const f of col.fields) {
    if (f.type === 'autodate') continue;
    if (f.name === 'id' && !isNew) continue;
    if (f.name === 'id' && isNew && !values.id) continue;
    if (f.type === 'password') {
      if (values[f.name]) body[f.name] = values[f.name];
      continue;
    }
    if (f.type === 'file') {
      const ups = uploads[f.name] || [];
      const rm = removed[f.name] || [];
      if (isMulti(f)) {
        if (rm.length) body[f.name + '-'] = rm;
        if (ups.length) body[f.name + '+'] = ups;
      } else {
        if (ups.length) body[f.name] = ups[ups.length - 1];
        else if (rm.length) body[f.name] = '';
      }
      continue;
    }
    if (f.hidden && f.name === 'tokenKey') continue;
    body[f.name] = values[f.name];
  }
  if (col.type === 'auth' && values.password) body.passwordConfirm = values.passwordConfirm ?? '';
  return body;
}
