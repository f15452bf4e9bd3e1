import { describe, it, expect } from 'vitest';
import { availableFields } from './ruleFields';

describe('availableFields', () => {
  it('lists the fields, @request.* and the other collections', () => {
    const posts: any = { name: 'posts', fields: [{ name: 'id' }, { name: 'title' }, { name: 'author' }] };
    const users: any = { name: 'users', fields: [{ name: 'id' }] };
    const g = availableFields({ collection: posts, collections: [users, posts], rule: true });
    expect(g.map((x) => x.title)).toEqual(['Fields', '@request', '@collection']);
    expect(g[0].items).toEqual(['id', 'title', 'author']);
    expect(g[1].items).toContain('@request.auth.id');
    expect(g[1].items).toContain('@request.body.title');
    expect(g[1].items).not.toContain('@request.body.id');
    expect(g[2].items).toEqual(['@collection.users.']);
  });
  it('a collection alone has no @collection group', () => {
    const g = availableFields({ collection: { name: 'a', fields: [{ name: 'x' }] } as any, collections: [] });
    expect(g.map((x) => x.title)).toEqual(['Fields', '@request']);
  });
});
