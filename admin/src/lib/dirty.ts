// "Save is enabled only when something changed": forms compare a stable
// key of their current value with the key taken when they were loaded, so
// undoing a change makes the form clean again (no "touched" flag).

function canon(v: any): any {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') {
    const o: Record<string, any> = {};
    for (const k of Object.keys(v).sort()) if (v[k] !== undefined) o[k] = canon(v[k]);
    return o;
  }
  return v;
}

/** stableKey serialises v with sorted object keys and without undefined
 * members, so equal values give equal keys whatever their key order. */
export function stableKey(v: unknown): string {
  return JSON.stringify(canon(v)) ?? '';
}
