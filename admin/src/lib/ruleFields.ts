// The "available fields" list beside each API rule: what a rule of this
// collection can reference, grouped as the rule language names them.

import type { SuggestContext } from './filter';

/** FieldGroup is one titled group of insertable names. */
export interface FieldGroup { title: string; items: string[] }

/** availableFields lists the collection's fields, the @request.* values
 * (auth record, body fields, query, headers, method, context) and one
 * @collection.<name>. entry per other collection. */
export function availableFields(ctx: SuggestContext): FieldGroup[] {
  const fields = (ctx.collection?.fields || []).map((f) => f.name).filter(Boolean);
  const req = ['@request.auth.id', '@request.auth.collectionName', '@request.method', '@request.context', '@request.query.', '@request.headers.',
    ...fields.filter((n) => n !== 'id').map((n) => '@request.body.' + n)];
  const cols = ctx.collections.map((c) => c.name).filter((n) => n && n !== ctx.collection?.name).sort();
  return [
    { title: 'Fields', items: fields },
    { title: '@request', items: req },
    { title: '@collection', items: cols.map((n) => `@collection.${n}.`) },
  ].filter((g) => g.items.length);
}
