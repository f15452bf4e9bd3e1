// Where the superuser token lives: this tab's sessionStorage (decision and
// reasons in ARCHITECTURE.md, "Dashboard"). Unlike the SDK's
// LocalAuthStore (localStorage), the token is not readable by other pages
// of the same origin — the pb_public site is served there too, with
// whatever scripts its author put in — and it does not outlive the tab.
// A reload keeps the session; a new tab asks for a login.
import { BaseAuthStore, type AuthRecord } from 'pocketbase';

/** AUTH_KEY names the session entry; dashboards before this change kept it in localStorage. */
export const AUTH_KEY = '__basalt_superuser_auth__';

/** SessionAuthStore is the SDK's auth store on window.sessionStorage. */
export class SessionAuthStore extends BaseAuthStore {
  private key: string;
  private storage: Storage;

  constructor(key: string, storage: Storage = sessionStorage) {
    super();
    this.key = key;
    this.storage = storage;
    const saved = this.read();
    if (saved) super.save(saved.token, saved.record);
  }

  // Like the SDK's LocalAuthStore, the stored entry is the truth (memory
  // only when storage is unavailable): what is in storage is what is sent.
  private read(): { token: string; record: AuthRecord } | null {
    try {
      const v = JSON.parse(this.storage.getItem(this.key) || 'null');
      return v?.token ? { token: v.token, record: v.record ?? v.model ?? null } : null;
    } catch {
      return null;
    }
  }

  get token(): string {
    return this.read()?.token ?? this.baseToken;
  }

  get record(): AuthRecord {
    return this.read()?.record ?? this.baseModel;
  }

  get model(): AuthRecord {
    return this.record;
  }

  save(token: string, record?: AuthRecord): void {
    try { this.storage.setItem(this.key, JSON.stringify({ token, record })); } catch { /* private mode: memory only */ }
    super.save(token, record);
  }

  clear(): void {
    try { this.storage.removeItem(this.key); } catch { /* nothing stored */ }
    super.clear();
  }
}

/** dropLegacyToken removes a token an older dashboard left in
 * localStorage, where every page of the origin could read it. */
export function dropLegacyToken(storage: Storage = localStorage) {
  try { storage.removeItem(AUTH_KEY); } catch { /* storage disabled */ }
}
