// The API preview reads the server's OpenAPI document (GET
// /api/openapi.json, the superuser view) and turns one collection's part of
// it into endpoints, field rows and SDK snippets. Nothing here knows the
// API by heart: a schema change shows up once the document is fetched again.

export type OpenAPIDoc = {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any>; parameters?: Record<string, any> };
};

export type Param = { name: string; in: string; required: boolean; description: string };

export type Endpoint = {
  method: string;
  path: string;
  operationId: string;
  action: string;
  summary: string;
  description: string;
  /** The rule in force: name ("listRule") and text (null = superusers only); undefined when no rule applies. */
  rule?: { name: string; value: string | null | undefined };
  params: Param[];
  /** Body fields (JSON body schema), empty when there is no body. */
  body: FieldRow[];
  /** The name of the 2xx response schema ("posts_List"), or a short description. */
  response: string;
};

export type FieldRow = { name: string; type: string; required: boolean; note: string };

/** fetchDoc loads the document with the given client's auth. */
export async function fetchDoc(send: (path: string, opts: any) => Promise<any>): Promise<OpenAPIDoc> {
  return (await send('/api/openapi.json', { method: 'GET', requestKey: null })) as OpenAPIDoc;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** resolve follows one $ref inside the document. */
export function resolve(doc: OpenAPIDoc, node: any): any {
  let n = node;
  for (let i = 0; n && typeof n.$ref === 'string' && i < 8; i++) {
    const parts = n.$ref.replace(/^#\//, '').split('/');
    n = parts.reduce((acc: any, k: string) => acc?.[k], doc);
  }
  return n;
}

/** refName is the component name a $ref points at ('' when none). */
function refName(node: any): string {
  return typeof node?.$ref === 'string' ? node.$ref.split('/').pop() : '';
}

/** typeOf is a short human type of a schema ("string", "draft | live", "users record[]"). */
export function typeOf(doc: OpenAPIDoc, s: any): string {
  if (!s) return 'any';
  const name = refName(s);
  if (name) {
    if (name.endsWith('_Record')) return name.slice(0, -7) + ' record';
    return name;
  }
  if (s.allOf?.length === 1) return typeOf(doc, s.allOf[0]);
  if (s.oneOf) return s.oneOf.map((x: any) => typeOf(doc, x)).join(' | ');
  if (Array.isArray(s.enum)) return s.enum.map((v: any) => JSON.stringify(v)).join(' | ');
  if (s.type === 'array') return typeOf(doc, s.items) + '[]';
  if (s.contentMediaType && s.type === 'string') return 'file';
  if (s.type === 'object' && s.properties && Object.keys(s.properties).length) {
    return '{ ' + Object.entries<any>(s.properties).map(([k, v]) => `${k}?: ${typeOf(doc, v)}`).join(', ') + ' }';
  }
  if (s.type) return String(s.type);
  return 'any';
}

/** fieldRows lists the properties of an object schema. */
export function fieldRows(doc: OpenAPIDoc, schema: any): FieldRow[] {
  const s = resolve(doc, schema);
  if (!s?.properties) return [];
  const req = new Set<string>(s.required || []);
  return Object.entries<any>(s.properties).map(([name, p]) => ({
    name,
    type: typeOf(doc, p),
    required: req.has(name),
    note: [p.writeOnly ? 'write-only' : '', p.description || resolve(doc, p)?.description || ''].filter(Boolean).join(' · '),
  }));
}

/** endpoints returns the operations tagged with the collection, in document path order. */
export function endpoints(doc: OpenAPIDoc, collection: string): Endpoint[] {
  const out: Endpoint[] = [];
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op || !(op.tags || []).includes(collection)) continue;
      const params: Param[] = (op.parameters || []).map((p: any) => {
        const r = resolve(doc, p);
        return { name: r.name, in: r.in, required: !!r.required, description: r.description || '' };
      });
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      const ok = Object.entries<any>(op.responses || {}).find(([code]) => code.startsWith('2'));
      let response = '';
      if (ok) {
        const r = resolve(doc, ok[1]);
        const schema = r?.content?.['application/json']?.schema;
        response = schema ? typeOf(doc, schema) : r?.description || ok[0];
        if (schema && refName(schema).endsWith('_List')) response = 'page of ' + typeOf(doc, resolve(doc, schema).properties.items.items);
      }
      const rule = op['x-basalt-rule'];
      out.push({
        method: m.toUpperCase(),
        path,
        operationId: op.operationId || '',
        action: op['x-basalt-action'] || '',
        summary: op.summary || '',
        description: op.description || '',
        rule: rule ? { name: rule.name, value: rule.value } : undefined,
        params,
        body: bodySchema ? fieldRows(doc, bodySchema) : [],
        response,
      });
    }
  }
  return out;
}

/** exampleValue is a placeholder for a field in a snippet body. */
function exampleValue(doc: OpenAPIDoc, name: string, s: any): any {
  const r = resolve(doc, s);
  if (refName(s) === 'GeoPoint') return { lon: 0, lat: 0 };
  if (refName(s) === 'DateTime') return '2024-01-01 10:00:00.000Z';
  if (r?.allOf?.length === 1) return exampleValue(doc, name, r.allOf[0]);
  if (Array.isArray(r?.enum)) return r.enum.find((v: any) => v !== '') ?? '';
  if (r?.type === 'array') {
    const items = resolve(doc, r.items);
    return Array.isArray(items?.enum) && items.enum.length ? [items.enum[0]] : [];
  }
  if (r?.type === 'boolean') return true;
  if (r?.type === 'integer' || r?.type === 'number') return typeof r.minimum === 'number' && r.minimum > 0 ? r.minimum : 123;
  if (r?.type === 'string') {
    if (name === 'email' || name.toLowerCase().includes('email')) return 'test@example.com';
    if (name === 'password' || name === 'passwordConfirm') return '12345678';
    return 'test';
  }
  if (r?.type === 'object') return {};
  return null;
}

/** exampleBody is the create/update body of a snippet: every plain field
 * of the JSON body schema (no modifiers, no files, no custom id). */
export function exampleBody(doc: OpenAPIDoc, schema: any): Record<string, any> {
  const s = resolve(doc, schema);
  const body: Record<string, any> = {};
  for (const [name, p] of Object.entries<any>(s?.properties || {})) {
    if (/[+\-:@]/.test(name) || name === 'id' || name === 'oldPassword') continue;
    body[name] = exampleValue(doc, name, p);
  }
  return body;
}

function indent(text: string, by: string): string {
  return text.split('\n').map((l, i) => (i ? by + l : l)).join('\n');
}

/** jsLiteral is v as a JS object literal. */
function jsLiteral(v: any): string {
  return JSON.stringify(v, null, 2);
}

/** dartLiteral is v as a Dart map literal (JSON with single-quoted strings). */
function dartLiteral(v: any): string {
  return JSON.stringify(v, null, 2).replace(/"((?:[^"\\]|\\.)*)"/g, (_, s) => `'${s.replace(/'/g, "\\'").replace(/\$/g, '\\$')}'`);
}

export type Snippets = { js: string; dart: string };

/** snippets returns the JS and Dart SDK calls of one endpoint. */
export function snippets(doc: OpenAPIDoc, collection: string, ep: Endpoint): Snippets {
  const c = `pb.collection('${collection}')`;
  const op = doc.paths[ep.path]?.[ep.method.toLowerCase()];
  const bodySchema = op?.requestBody?.content?.['application/json']?.schema;
  const body = bodySchema ? exampleBody(doc, bodySchema) : {};
  const js = (call: string, result = 'const result = await ') => `import PocketBase from 'pocketbase';\n\nconst pb = new PocketBase('${location.origin}');\n\n${result}${c}.${call};`;
  const dart = (call: string, result = 'final result = await ') => `import 'package:pocketbase/pocketbase.dart';\n\nfinal pb = PocketBase('${location.origin}');\n\n${result}${c}.${call};`;
  switch (ep.action) {
    case 'list': {
      // filter and sort on "created" only when the collection has it
      const hasCreated = !!resolve(doc, { $ref: `#/components/schemas/${collection}_Record` })?.properties?.created;
      const f = hasCreated ? `filter: 'created >= "2024-01-01 00:00:00"',\n  sort: '-created',` : `filter: 'id != ""',`;
      return {
        js: js(`getList(1, 30, {\n  ${f}\n})`),
        dart: dart(`getList(\n  page: 1,\n  perPage: 30,\n  ${f}\n)`),
      };
    }
    case 'view':
      return { js: js(`getOne('RECORD_ID')`, 'const record = await '), dart: dart(`getOne('RECORD_ID')`, 'final record = await ') };
    case 'create':
      return {
        js: js(`create(${indent(jsLiteral(body), '')})`, 'const record = await '),
        dart: dart(`create(body: ${dartLiteral(body)})`, 'final record = await '),
      };
    case 'update':
      return {
        js: js(`update('RECORD_ID', ${jsLiteral(body)})`, 'const record = await '),
        dart: dart(`update('RECORD_ID', body: ${dartLiteral(body)})`, 'final record = await '),
      };
    case 'delete':
      return { js: js(`delete('RECORD_ID')`, 'await '), dart: dart(`delete('RECORD_ID')`, 'await ') };
    case 'auth-methods':
      return { js: js('listAuthMethods()'), dart: dart('listAuthMethods()') };
    case 'auth-with-password':
      return {
        js: js(`authWithPassword('test@example.com', '12345678')`, 'const authData = await ') + '\n\nconsole.log(pb.authStore.isValid, pb.authStore.record);',
        dart: dart(`authWithPassword('test@example.com', '12345678')`, 'final authData = await ') + '\n\nprint(pb.authStore.isValid);',
      };
    case 'auth-refresh':
      return { js: js('authRefresh()', 'const authData = await '), dart: dart('authRefresh()', 'final authData = await ') };
    case 'request-otp':
      return { js: js(`requestOTP('test@example.com')`, 'const { otpId } = await '), dart: dart(`requestOTP('test@example.com')`, 'final otp = await ') };
    case 'auth-with-otp':
      return { js: js(`authWithOTP(otpId, 'CODE_FROM_EMAIL')`, 'const authData = await '), dart: dart(`authWithOTP(otp.otpId, 'CODE_FROM_EMAIL')`, 'final authData = await ') };
    case 'auth-with-oauth2':
      return {
        js: js(`authWithOAuth2({ provider: 'google' })`, 'const authData = await '),
        dart: dart(`authWithOAuth2('google', (url) async {\n  // open url in a browser (e.g. with url_launcher)\n})`, 'final authData = await '),
      };
    case 'request-verification':
      return { js: js(`requestVerification('test@example.com')`, 'await '), dart: dart(`requestVerification('test@example.com')`, 'await ') };
    case 'confirm-verification':
      return { js: js(`confirmVerification('TOKEN')`, 'await '), dart: dart(`confirmVerification('TOKEN')`, 'await ') };
    case 'request-password-reset':
      return { js: js(`requestPasswordReset('test@example.com')`, 'await '), dart: dart(`requestPasswordReset('test@example.com')`, 'await ') };
    case 'confirm-password-reset':
      return {
        js: js(`confirmPasswordReset('TOKEN', 'NEW_PASSWORD', 'NEW_PASSWORD')`, 'await '),
        dart: dart(`confirmPasswordReset('TOKEN', 'NEW_PASSWORD', 'NEW_PASSWORD')`, 'await '),
      };
    case 'request-email-change':
      return { js: js(`requestEmailChange('new@example.com')`, 'await '), dart: dart(`requestEmailChange('new@example.com')`, 'await ') };
    case 'confirm-email-change':
      return { js: js(`confirmEmailChange('TOKEN', 'PASSWORD')`, 'await '), dart: dart(`confirmEmailChange('TOKEN', 'PASSWORD')`, 'await ') };
    case 'impersonate':
      return {
        js: js(`impersonate('RECORD_ID', 3600)`, '// as a superuser\nconst client = await '),
        dart: dart(`impersonate('RECORD_ID', 3600)`, '// as a superuser\nfinal client = await '),
      };
  }
  const curl = `curl -X ${ep.method} '${location.origin}${ep.path}'`;
  return { js: curl, dart: curl };
}

/** ruleLabel is how the preview shows the rule in force. */
export function ruleLabel(rule: Endpoint['rule']): string {
  if (!rule) return '';
  if (rule.value === null) return 'Superusers only';
  if (rule.value === '') return 'Everyone (empty rule)';
  if (rule.value === undefined) return 'Set (hidden)';
  return rule.value;
}
