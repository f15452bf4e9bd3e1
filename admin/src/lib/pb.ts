import PocketBase, { ClientResponseError } from 'pocketbase';
import { SessionAuthStore, AUTH_KEY, dropLegacyToken } from './authstore';

/** apiBase is the server root: the dashboard lives at <root>/_/. */
export function apiBase(loc: { origin: string; pathname: string } = location): string {
  const i = loc.pathname.indexOf('/_/');
  const prefix = i >= 0 ? loc.pathname.slice(0, i) : '';
  return loc.origin + prefix;
}

export const SUPERUSERS = '_superusers';

dropLegacyToken();
export const pb = new PocketBase(apiBase(), new SessionAuthStore(AUTH_KEY));
pb.autoCancellation(false);

/** tokenExp returns the exp claim (seconds) of a JWT, or 0. */
export function tokenExp(token: string): number {
  try {
    const part = token.split('.')[1];
    const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
    return typeof json.exp === 'number' ? json.exp : 0;
  } catch {
    return 0;
  }
}

/** tokenClaims decodes a JWT payload ({} on failure). */
export function tokenClaims(token: string): Record<string, any> {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
}

export { ClientResponseError };
