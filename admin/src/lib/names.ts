// Collection and field names are normalised while they are typed, the way
// PocketBase's dashboard does it: separators (space, "-", ".", "=") become
// "_" (a run of them one "_"), accented letters lose their accent, and any
// other character that cannot appear in a name is dropped. Case is kept.
// The server's validation stays authoritative (e.g. a leading digit).

const SPECIAL: Record<string, string> = { ä: 'ae', æ: 'ae', ö: 'oe', ü: 'ue', Ä: 'Ae', Æ: 'Ae', Ö: 'Oe', Ü: 'Ue', ß: 'ss', ø: 'o', Ø: 'O', '&': 'and' };

/** normalizeName turns typed text into a valid-looking name ("my-posts" → "my_posts"). */
export function normalizeName(v: string): string {
  let s = '';
  for (const ch of v) s += SPECIAL[ch] ?? ch;
  return s
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[.=\-]/g, ' ')
    .replace(/[^A-Za-z0-9_\s]/g, '')
    .replace(/\s+/g, '_');
}
