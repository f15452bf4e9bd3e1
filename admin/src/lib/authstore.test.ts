import { describe, it, expect, beforeEach } from 'vitest';
import { SessionAuthStore, AUTH_KEY, dropLegacyToken } from './authstore';
import { pb } from './pb';

// a JWT-shaped token with a far exp, so BaseAuthStore.isValid holds
const claims = btoa(JSON.stringify({ exp: 4102444800, type: 'auth', collectionId: 'pbc_3142635823' })).replace(/=+$/, '');
const TOKEN = `eyJhbGciOiJIUzI1NiJ9.${claims}.sig`;
const record = { id: 'su1', collectionName: '_superusers', email: 'a@example.com' } as any;

describe('SessionAuthStore', () => {
  beforeEach(() => { sessionStorage.clear(); localStorage.clear(); });

  it('keeps the token in sessionStorage only, never in localStorage', () => {
    const s = new SessionAuthStore(AUTH_KEY);
    s.save(TOKEN, record);
    expect(JSON.parse(sessionStorage.getItem(AUTH_KEY)!).token).toBe(TOKEN);
    expect(localStorage.length).toBe(0);
  });

  it('survives a reload of the tab (a new store reads it back)', () => {
    new SessionAuthStore(AUTH_KEY).save(TOKEN, record);
    const again = new SessionAuthStore(AUTH_KEY);
    expect(again.token).toBe(TOKEN);
    expect(again.record?.email).toBe('a@example.com');
    expect(again.isValid).toBe(true);
  });

  it('clear removes it', () => {
    const s = new SessionAuthStore(AUTH_KEY);
    s.save(TOKEN, record);
    s.clear();
    expect(sessionStorage.getItem(AUTH_KEY)).toBeNull();
    expect(new SessionAuthStore(AUTH_KEY).token).toBe('');
  });

  it('reads the stored entry on each use, like the SDK\'s LocalAuthStore', () => {
    const s = new SessionAuthStore(AUTH_KEY);
    s.save(TOKEN, record);
    sessionStorage.setItem(AUTH_KEY, JSON.stringify({ token: 'other', record }));
    expect(s.token).toBe('other');
  });

  it('a broken entry is no session', () => {
    sessionStorage.setItem(AUTH_KEY, '{not json');
    expect(new SessionAuthStore(AUTH_KEY).token).toBe('');
  });

  it('dropLegacyToken removes the token an older dashboard left in localStorage', () => {
    localStorage.setItem(AUTH_KEY, JSON.stringify({ token: TOKEN, record }));
    localStorage.setItem('basalt_theme', 'dark');
    dropLegacyToken();
    expect(localStorage.getItem(AUTH_KEY)).toBeNull();
    expect(localStorage.getItem('basalt_theme')).toBe('dark');
  });

  it('is the store of the dashboard\'s client', () => {
    pb.authStore.save(TOKEN, record);
    expect(JSON.parse(sessionStorage.getItem(AUTH_KEY)!).token).toBe(TOKEN);
    expect(localStorage.getItem(AUTH_KEY)).toBeNull();
    pb.authStore.clear();
  });
});
