import { createHash } from 'node:crypto';
import type pg from 'pg';

const names = new Map<string, string>();

/**
 * A query that `pg` prepares once per connection and then only binds and executes: its
 * name is a digest of its text, so the same text always has the same name and another
 * text never shares it. Worth it for the statements run per event or per order: PostgreSQL
 * then parses and plans them once per connection instead of on every run.
 */
export function namedQuery(text: string, values: readonly unknown[]): pg.QueryConfig {
  let name = names.get(text);
  if (name === undefined) {
    name = `agora_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
    // The texts are the program's own, a few dozen; a bound all the same.
    if (names.size < 10_000) names.set(text, name);
  }
  return { name, text, values: values as unknown[] };
}
