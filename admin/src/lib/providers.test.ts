import { describe, it, expect } from 'vitest';
import { PROVIDERS, searchProviders } from './providers';

describe('providers', () => {
  it('every provider has a unique name; logos are path data or the fallback', () => {
    expect(new Set(PROVIDERS.map((p) => p.name)).size).toBe(PROVIDERS.length);
    for (const p of PROVIDERS) expect(p.path === '' || /^[Mm]/.test(p.path)).toBe(true);
    expect(PROVIDERS.find((p) => p.name === 'github')!.path).not.toBe('');
    expect(PROVIDERS.find((p) => p.name === 'microsoft')!.path).toBe('');
  });
  it('search matches name and label, case-insensitively', () => {
    expect(searchProviders('GIT').map((p) => p.name)).toEqual(['gitea', 'gitee', 'github', 'gitlab']);
    expect(searchProviders('openid').map((p) => p.name)).toEqual(['oidc', 'oidc2', 'oidc3']);
    expect(searchProviders('  ').length).toBe(PROVIDERS.length);
    expect(searchProviders('nothing-like-this')).toEqual([]);
  });
});
