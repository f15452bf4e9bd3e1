// The superuser session: kept in this tab's sessionStorage across reloads,
// refreshed before it expires, and dropped on a 401 (the user returns to
// the login screen and then to the page they were on).

import { pb, tokenExp, SUPERUSERS } from './pb';
import { route, navigate } from './router.svelte';

export const session = $state({
  valid: pb.authStore.isValid && pb.authStore.record?.collectionName === SUPERUSERS,
  email: (pb.authStore.record?.email as string) || '',
  expired: false,
  /** generation grows on every login; pages reload their data when it changes. */
  generation: 0,
});

pb.authStore.onChange(() => {
  session.valid = pb.authStore.isValid;
  session.email = (pb.authStore.record?.email as string) || '';
});

/** returnTo remembers the page to go back to after login. */
export function rememberPage() {
  const here = location.hash;
  if (here && !/^#\/(login|pbinstal)/.test(here)) sessionStorage.setItem('basalt_return', here);
}

export function takeReturn(): string {
  const r = sessionStorage.getItem('basalt_return') || '#/collections';
  sessionStorage.removeItem('basalt_return');
  return r;
}

/** expire ends the session because the server refused the token. */
export function expire() {
  if (!pb.authStore.token) return;
  rememberPage();
  if (pb.authStore.record?.email) sessionStorage.setItem('basalt_last_email', pb.authStore.record.email as string);
  session.expired = true;
  pb.authStore.clear();
}

export function logout() {
  session.expired = false;
  sessionStorage.removeItem('basalt_return');
  pb.authStore.clear();
  navigate('/login');
}

pb.afterSend = function (response: Response, data: any) {
  if (response.status === 401 && !data?.mfaId && pb.authStore.token && !response.url.includes('/auth-with-')) {
    expire();
  }
  return data;
};

let refreshing = false;
/** refreshIfNeeded renews the token when it expires within `within` seconds. */
export async function refreshIfNeeded(within = 30 * 60) {
  const tok = pb.authStore.token;
  if (!tok || refreshing) return;
  const exp = tokenExp(tok);
  const now = Date.now() / 1000;
  if (exp && exp < now) { expire(); return; }
  if (exp && exp - now > within) return;
  refreshing = true;
  try {
    await pb.collection(SUPERUSERS).authRefresh();
  } catch (e: any) {
    if (e?.status === 401 || e?.status === 403 || e?.status === 404) expire();
  } finally {
    refreshing = false;
  }
}

if (typeof window !== 'undefined') {
  setInterval(() => refreshIfNeeded(), 60_000);
  void route;
}
