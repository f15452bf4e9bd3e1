import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { endpoints, fieldRows, snippets, ruleLabel, exampleBody, type OpenAPIDoc } from './apipreview';

// The document the Go generator writes for its test schema (the golden
// file of internal/openapi), so these tests break when the two drift.
const doc: OpenAPIDoc = JSON.parse(readFileSync(resolvePath(__dirname, '../../../internal/openapi/testdata/superuser.golden.json'), 'utf8'));

describe('endpoints', () => {
  it('lists every operation of a collection with its rule', () => {
    const eps = endpoints(doc, 'posts');
    expect(eps.map((e) => `${e.method} ${e.path}`)).toEqual([
      'GET /api/collections/posts/records',
      'POST /api/collections/posts/records',
      'GET /api/collections/posts/records/{id}',
      'PATCH /api/collections/posts/records/{id}',
      'DELETE /api/collections/posts/records/{id}',
    ]);
    const list = eps[0];
    expect(list.rule).toEqual({ name: 'listRule', value: 'published = true || author = @request.auth.id' });
    expect(list.params.map((p) => p.name)).toEqual(['page', 'perPage', 'sort', 'filter', 'expand', 'fields', 'skipTotal']);
    expect(list.response).toBe('page of posts record');
    expect(ruleLabel(eps[4].rule)).toBe('Superusers only');
  });
  it('includes the auth endpoints of an auth collection', () => {
    const actions = endpoints(doc, 'users').map((e) => e.action);
    expect(actions).toContain('auth-with-password');
    expect(actions).toContain('auth-with-otp');
    expect(actions).not.toContain('auth-with-oauth2');
  });
});

describe('fieldRows', () => {
  it('shows select values and relation targets', () => {
    const rows = Object.fromEntries(fieldRows(doc, { $ref: '#/components/schemas/posts_Record' }).map((r) => [r.name, r]));
    expect(rows.status.type).toBe('"draft" | "live" | ""');
    expect(rows.labels.type).toBe('"news" | "howto" | "opinion"[]');
    expect(rows.location.type).toBe('GeoPoint');
    expect(rows.password).toBeUndefined();
  });
});

describe('snippets', () => {
  it('writes SDK calls with an example body', () => {
    const create = endpoints(doc, 'posts').find((e) => e.action === 'create')!;
    const s = snippets(doc, 'posts', create);
    expect(s.js).toContain("pb.collection('posts').create(");
    expect(s.js).toContain('"status": "draft"');
    expect(s.dart).toContain("pb.collection('posts').create(body: {");
    expect(s.dart).toContain("'status': 'draft'");
    const body = exampleBody(doc, { $ref: '#/components/schemas/users_Create' });
    expect(body.password).toBe('12345678');
    expect(Object.keys(body).some((k) => k.includes('+'))).toBe(false);
    const list = (name: string) => snippets(doc, name, endpoints(doc, name).find((e) => e.action === 'list')!).js;
    expect(list('posts')).toContain("sort: '-created'");
    expect(list('tags')).not.toContain('created');
    const auth = endpoints(doc, 'users').find((e) => e.action === 'auth-with-password')!;
    expect(snippets(doc, 'users', auth).js).toContain("pb.collection('users').authWithPassword(");
  });
});
