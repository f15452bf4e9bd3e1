import { describe, it, expect } from 'vitest';
import { normalizeName } from './names';

describe('normalizeName', () => {
  const cases: [string, string, string][] = [
    ['dash', 'my-posts', 'my_posts'],
    ['space', 'my posts', 'my_posts'],
    ['space run', 'my   posts', 'my_posts'],
    ['dot and equals', 'a.b=c', 'a_b_c'],
    ['case kept', 'MyPosts', 'MyPosts'],
    ['underscores kept', 'my__posts_', 'my__posts_'],
    ['other punctuation dropped', 'posts!?#(1)', 'posts1'],
    ['accents', 'café crème', 'cafe_creme'],
    ['umlauts and sharp s', 'Größe', 'Groesse'],
    ['trailing space while typing', 'my ', 'my_'],
    ['empty', '', ''],
  ];
  for (const [name, input, want] of cases) it(name, () => expect(normalizeName(input)).toBe(want));
  it('is idempotent', () => {
    for (const [, input] of cases) expect(normalizeName(normalizeName(input))).toBe(normalizeName(input));
  });
});
