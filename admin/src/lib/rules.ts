// Rules workbench: the shapes of Basalt's superuser-only rule endpoints
// (GET /api/_basalt/rules/lint, POST /api/_basalt/rules/test) and the
// small pure helpers the screen needs. The rules themselves are evaluated
// by the server only; nothing here interprets a rule's expression.

import type { Collection } from './fields';

export const LINT_PATH = '/api/_basalt/rules/lint';
export const TEST_PATH = '/api/_basalt/rules/test';

/** RuleKey is a collection JSON key of an API rule. */
export type RuleKey = 'listRule' | 'viewRule' | 'createRule' | 'updateRule' | 'deleteRule' | 'manageRule';

/** Access says who a rule admits without reading its expression. */
export type Access = 'locked' | 'public' | 'expression';

export interface LintFinding {
  collection: string;
  rule: RuleKey;
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  expr: string;
}

export interface Clause {
  expr: string;
  op?: '&&' | '||';
  pass: boolean;
  decisive: boolean;
  children?: Clause[];
}

export interface RuleTestResult {
  collection: string;
  rule: RuleKey;
  expression: string | null;
  access: 'superuser' | Access;
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: Record<string, any>[];
  record?: { id: string; passes: boolean; clauses: Clause | null };
}

/** ruleKeys lists the rules a collection has, in display order (view
 * collections are read-only: no create, update or delete rule). */
export function ruleKeys(c: Pick<Collection, 'type'>): RuleKey[] {
  if (c.type === 'view') return ['listRule', 'viewRule'];
  const keys: RuleKey[] = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'];
  if (c.type === 'auth') keys.push('manageRule');
  return keys;
}

/** ruleLabel is the short column title of a rule ("List", "Manage"). */
export function ruleLabel(k: RuleKey): string {
  return k.charAt(0).toUpperCase() + k.slice(1, -4);
}

/** access classifies a rule value: null is superusers only, "" everyone. */
export function access(rule: string | null | undefined): Access {
  if (rule == null) return 'locked';
  return rule.trim() === '' ? 'public' : 'expression';
}

/** testableRules are the rules "test as user" can evaluate against stored
 * records (a create rule needs a would-be record). */
export function testableRules(c: Pick<Collection, 'type'>): RuleKey[] {
  return ruleKeys(c).filter((k) => k !== 'createRule');
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** sortFindings orders findings by severity, then collection and rule. */
export function sortFindings(list: LintFinding[]): LintFinding[] {
  return [...list].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]
    || a.collection.localeCompare(b.collection) || a.rule.localeCompare(b.rule));
}

/** recordLabel is a human handle for a record: e-mail, name, title or id. */
export function recordLabel(r: Record<string, any>): string {
  for (const k of ['email', 'username', 'name', 'title', 'label', 'slug']) {
    if (typeof r[k] === 'string' && r[k]) return r[k];
  }
  return r.id;
}
