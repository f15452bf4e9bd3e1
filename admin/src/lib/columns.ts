// Which columns the records table shows, remembered per collection in
// localStorage. What is stored is the list of HIDDEN columns plus the
// fields known when it was written: a field that is not known yet (added
// to the collection since) is shown, and adding a field never hides a
// column the user had (a "shown" list, or a first-N default recomputed
// over the new field list, would).
import type { Field } from './fields';

/** KeyValue is the part of Storage used here (tests pass a Map-backed one). */
export interface KeyValue { getItem(k: string): string | null; setItem(k: string, v: string): void; removeItem(k: string): void }

/** DEFAULT_VISIBLE is how many columns a collection shows before any choice. */
export const DEFAULT_VISIBLE = 7;

const key = (id: string) => 'basalt_columns_' + id;
const legacyKey = (id: string) => 'basalt_cols_' + id;

/** defaultHidden: long-form kinds (editor, json) and autodates other than
 * "created" are hidden, and past the first DEFAULT_VISIBLE columns. */
export function defaultHidden(cols: Field[]): string[] {
  const shown = cols.filter((f) => f.name === 'id' || !['editor', 'json', 'autodate'].includes(f.type))
    .slice(0, DEFAULT_VISIBLE).map((f) => f.name);
  if (cols.some((f) => f.name === 'created')) shown.push('created');
  return cols.map((f) => f.name).filter((n) => !shown.includes(n));
}

/** loadColumns returns the hidden column names for the collection and
 * stores the result (so fields added later count as new). */
export function loadColumns(st: KeyValue, id: string, cols: Field[]): string[] {
  const names = cols.map((f) => f.name);
  let hidden: string[];
  let known: string[] = names;
  try {
    const saved = JSON.parse(st.getItem(key(id)) || 'null');
    const legacy = JSON.parse(st.getItem(legacyKey(id)) || 'null');
    if (saved && Array.isArray(saved.hidden) && Array.isArray(saved.known)) {
      hidden = saved.hidden;
      known = saved.known;
    } else if (Array.isArray(legacy)) {
      // the older format stored the shown columns
      hidden = names.filter((n) => !legacy.includes(n));
    } else {
      hidden = defaultHidden(cols);
    }
  } catch {
    hidden = defaultHidden(cols);
  }
  // new fields are not in known: they are shown (not in hidden)
  hidden = hidden.filter((n) => names.includes(n) && known.includes(n));
  saveHidden(st, id, hidden, cols);
  return hidden;
}

/** saveHidden stores the choice together with the current field names. */
export function saveHidden(st: KeyValue, id: string, hidden: string[], cols: Field[]): void {
  try {
    st.setItem(key(id), JSON.stringify({ hidden, known: cols.map((f) => f.name) }));
    st.removeItem(legacyKey(id));
  } catch { /* storage full or disabled: the choice lasts this page only */ }
}
