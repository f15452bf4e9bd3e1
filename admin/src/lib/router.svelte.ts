// Hash routing (#/collections/posts?filter=...): default e-mail links use
// /_/#/auth/..., and the server's SPA fallback needs no route list.

export interface Route { path: string; segments: string[]; query: URLSearchParams }

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  return { path, segments: path.split('/').filter(Boolean).map(decodeURIComponent), query };
}

export const route: Route = $state(parseHash(typeof location !== 'undefined' ? location.hash : ''));

/** LeaveGuard is asked before the route changes; false keeps the page
 * (it is then up to the guard to ask and navigate on). */
export type LeaveGuard = (toHash: string) => boolean;
let guard: LeaveGuard | null = null;
let current = typeof location !== 'undefined' ? location.hash : '';

/** setLeaveGuard installs g (a page with unsaved changes); clearing with
 * setLeaveGuard(null, g) removes it only if it is still g's. */
export function setLeaveGuard(g: LeaveGuard | null, only?: LeaveGuard) {
  if (g === null && only && guard !== only) return;
  guard = g;
}

function sync() {
  if (guard && location.hash !== current && !guard(location.hash)) {
    // stay: put the address back without a new history entry
    history.replaceState(history.state, '', current || '#/');
    return;
  }
  current = location.hash;
  const r = parseHash(location.hash);
  route.path = r.path;
  route.segments = r.segments;
  route.query = r.query;
}

if (typeof window !== 'undefined') window.addEventListener('hashchange', sync);

/** navigate goes to a path ("/collections/posts"), optionally with query. */
export function navigate(path: string, query?: Record<string, string | undefined>, replace = false) {
  let h = '#' + path;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
    const s = q.toString();
    if (s) h += '?' + s;
  }
  if (replace) {
    history.replaceState(history.state, '', h);
    sync();
  } else if (location.hash !== h) {
    location.hash = h;
  }
}

/** setQuery updates query params of the current route without a new history entry. */
export function setQuery(patch: Record<string, string | undefined>) {
  const q = new URLSearchParams(route.query);
  for (const [k, v] of Object.entries(patch)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  const s = q.toString();
  history.replaceState(history.state, '', '#' + route.path + (s ? '?' + s : ''));
  route.query = q;
}
