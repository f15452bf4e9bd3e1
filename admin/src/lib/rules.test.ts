import { describe, expect, it } from 'vitest';
import { access, ruleKeys, ruleLabel, sortFindings, testableRules, recordLabel, type LintFinding } from './rules';

describe('rules', () => {
  it('classifies rules by value, never by expression', () => {
    expect(access(null)).toBe('locked');
    expect(access(undefined)).toBe('locked');
    expect(access('')).toBe('public');
    expect(access('  ')).toBe('public');
    expect(access('id = @request.auth.id')).toBe('expression');
  });
  it('lists the rules each collection type has', () => {
    expect(ruleKeys({ type: 'base' })).toEqual(['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule']);
    expect(ruleKeys({ type: 'auth' }).at(-1)).toBe('manageRule');
    expect(ruleKeys({ type: 'view' })).toEqual(['listRule', 'viewRule']);
    expect(testableRules({ type: 'auth' })).not.toContain('createRule');
    expect(ruleLabel('manageRule')).toBe('Manage');
  });
  it('orders findings by severity first', () => {
    const f = (severity: LintFinding['severity'], collection: string): LintFinding =>
      ({ severity, collection, rule: 'listRule', code: 'x', message: '', expr: '' });
    expect(sortFindings([f('info', 'a'), f('warning', 'b'), f('error', 'c'), f('warning', 'a')]).map((x) => x.severity + x.collection))
      .toEqual(['errorc', 'warninga', 'warningb', 'infoa']);
  });
  it('labels records by their most human field', () => {
    expect(recordLabel({ id: 'x', email: 'a@b.c', name: 'A' })).toBe('a@b.c');
    expect(recordLabel({ id: 'x', title: '' })).toBe('x');
  });
});
