// The map picker's tile source: a dashboard preference kept in this
// browser (localStorage), OpenStreetMap's standard tiles by default. The
// server's Content-Security-Policy must allow the tile host in img-src:
// it allows OpenStreetMap unless BASALT_ADMIN_TILE_ORIGINS lists others.

/** DEFAULT_TILES is OpenStreetMap's standard tile layer. */
export const DEFAULT_TILES = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
const KEY = 'basalt_map_tiles';

/** tileUrl returns the tile URL template in use. */
export function tileUrl(): string {
  try { return localStorage.getItem(KEY) || DEFAULT_TILES; } catch { return DEFAULT_TILES; }
}

/** validTemplate reports whether t is an http(s) URL with {z}, {x} and {y}. */
export function validTemplate(t: string): boolean {
  if (!/^https?:\/\/[^\s/]+\//i.test(t)) return false;
  return ['{z}', '{x}', '{y}'].every((p) => t.includes(p));
}

/** setTileUrl stores the template ('' or the default: back to the default). */
export function setTileUrl(t: string): void {
  try {
    if (!t || t === DEFAULT_TILES) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, t);
  } catch { /* storage disabled: this page only */ }
}

/** tileOrigin is the scheme://host[:port] of a template (what the CSP must allow). */
export function tileOrigin(t: string): string {
  const m = /^(https?:\/\/[^/]+)/i.exec(t.replace(/\{s\}\./, 'a.'));
  return m ? m[1].toLowerCase() : '';
}
