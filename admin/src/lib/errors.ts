// Helpers that turn PocketBase error envelopes (spec §8.1) into per-field
// messages shown next to the inputs they concern.

export type FieldErrors = Record<string, any>;

/** errorData returns the `data` object of a ClientResponseError (or {}). */
export function errorData(err: any): FieldErrors {
  const d = err?.response?.data ?? err?.data?.data;
  return d && typeof d === 'object' ? d : {};
}

/** errorMessage returns the envelope's top-level message. */
export function errorMessage(err: any): string {
  if (!err) return '';
  if (err.isAbort) return '';
  return err.response?.message || err.message || 'Something went wrong.';
}

/** errAt walks a dotted path (e.g. "fields.2.name") in nested error data
 * and returns the message at that spot, or "". */
export function errAt(data: FieldErrors | undefined, path: string): string {
  let cur: any = data;
  for (const seg of path.split('.')) {
    if (cur == null || typeof cur !== 'object') return '';
    cur = cur[seg];
  }
  if (cur && typeof cur === 'object' && typeof cur.message === 'string') return cur.message;
  return '';
}

/** hasErrAt reports whether anything (a message or nested errors) sits at path. */
export function hasErrAt(data: FieldErrors | undefined, path: string): boolean {
  let cur: any = data;
  for (const seg of path.split('.')) {
    if (cur == null || typeof cur !== 'object') return false;
    cur = cur[seg];
  }
  return cur != null && (typeof cur !== 'object' || Object.keys(cur).length > 0);
}

/** flattenErrors lists every leaf error as "path: message". */
export function flattenErrors(data: FieldErrors, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(data || {})) {
    const p = prefix ? prefix + '.' + k : k;
    if (v && typeof v === 'object' && typeof (v as any).message === 'string' && typeof (v as any).code === 'string') {
      out.push(p + ': ' + (v as any).message);
    } else if (v && typeof v === 'object') {
      out.push(...flattenErrors(v as any, p));
    }
  }
  return out;
}
