import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';

/** The longest string any input takes; fields allow less where they say so (a name 100, an email 254). */
export const MAX_TEXT_LENGTH = 1000;

/** A high surrogate not followed by a low one, or a low one without a high one before it. */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Where input comes from: REST's body, query and path parameters; a GraphQL argument reaches pipes as 'body'. */
const CHECKED: readonly string[] = ['body', 'query', 'param'];

/**
 * What is wrong with a string, as a validation message naming `field`; undefined when
 * nothing is. PostgreSQL stores neither a NUL character nor an unpaired surrogate (half of
 * a UTF-16 pair, which UTF-8 cannot encode), in text or JSON.
 */
export function textProblem(field: string, text: string): string | undefined {
  if (text.includes('\u0000')) return `${field} must not contain a NUL character (\\u0000)`;
  if (UNPAIRED_SURROGATE.test(text)) return `${field} must be well-formed Unicode: it contains an unpaired surrogate`;
  if (text.length > MAX_TEXT_LENGTH) return `${field} must be shorter than or equal to ${MAX_TEXT_LENGTH} characters`;
  return undefined;
}

/**
 * The problems of every string in `value` (object keys included), each naming its field
 * as the validation pipe does (`lines.0.sku`); `field` names a value that is not an
 * object (a path parameter). Walks without recursion: the body's depth is bounded before
 * this, but GraphQL arguments come from the query text too.
 */
export function textProblems(value: unknown, field?: string): string[] {
  const problems: string[] = [];
  const pending: { value: unknown; path: string | undefined }[] = [{ value, path: field }];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const { value: next, path } = pending.pop()!;
    if (typeof next === 'string') {
      const problem = textProblem(path ?? 'value', next);
      if (problem) problems.push(problem);
    } else if (typeof next === 'object' && next !== null && !seen.has(next)) {
      seen.add(next);
      for (const [key, child] of Object.entries(next)) {
        const childPath = path === undefined ? key : `${path}.${key}`;
        const keyProblem = textProblem(`the name of ${childPath}`, key);
        if (keyProblem) problems.push(keyProblem);
        pending.push({ value: child, path: childPath });
      }
    }
  }
  return problems.reverse();
}

/**
 * Refuses with 400, before validation and before anything reads it, an input that holds a
 * string no field takes: a NUL character, an unpaired surrogate, or more than
 * MAX_TEXT_LENGTH characters. Global, so that every body, query, path parameter and
 * GraphQL argument passes it, whatever its type.
 */
@Injectable()
export class InputTextPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (!CHECKED.includes(metadata.type)) return value;
    const problems = textProblems(value, typeof value === 'object' ? undefined : (metadata.data ?? undefined));
    if (problems.length > 0) throw new BadRequestException(problems);
    return value;
  }
}
