import { BadRequestException } from '@nestjs/common';

/** Deepest nesting of objects and arrays a JSON body may have; the deepest input (an order's lines) needs 3. */
export const MAX_JSON_DEPTH = 32;

/**
 * The first field of `value` nested deeper than `maxDepth` objects and arrays (the body
 * itself is level 1), as a path (`lines.0.x.0`); undefined when none is. Walks without
 * recursion, so that no depth exhausts the stack.
 */
export function tooDeep(value: unknown, maxDepth: number): string | undefined {
  const pending: { value: unknown; depth: number; path: string }[] = [{ value, depth: 1, path: '' }];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth > maxDepth) return next.path;
    for (const [key, child] of Object.entries(next.value)) pending.push({ value: child, depth: next.depth + 1, path: next.path ? `${next.path}.${key}` : key });
  }
  return undefined;
}

/**
 * Express middleware after the JSON body parser: a body nested deeper than `maxDepth` is
 * refused with 400 naming where, before validation and class-transformer walk it
 * recursively (thousands of levels would overflow their stack: a 500).
 */
export function boundJsonDepth(maxDepth = MAX_JSON_DEPTH) {
  return (request: { body?: unknown }, _response: unknown, next: (error?: unknown) => void): void => {
    const path = tooDeep(request.body, maxDepth);
    if (path === undefined) return next();
    const field = path.split('.')[0];
    next(new BadRequestException([`${field} is nested too deep: the request body may nest objects and arrays at most ${maxDepth} levels (at ${abbreviated(path)})`]));
  };
}

function abbreviated(path: string): string {
  return path.length > 100 ? `${path.slice(0, 100)}…` : path;
}
