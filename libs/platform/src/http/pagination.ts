import { BadRequestException } from '@nestjs/common';
import { ArgsType, Field, Int } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { textProblem } from './input-text.js';

/** `first`: how many items of a list that has no further pages (best first), as a GraphQL argument. */
@ArgsType()
export class FirstQuery {
  @ApiPropertyOptional({ description: 'How many items, 1 to 100.', minimum: 1, maximum: 100, default: 20 })
  @Field(() => Int, { nullable: true, description: 'How many items, 1 to 100 (default 20).' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  first?: number;
}

/** `?first=&after=`: cursor pagination, as REST lists (query) and GraphQL lists (arguments) both take it. */
@ArgsType()
export class PageQuery extends FirstQuery {
  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
  @Field(() => String, { nullable: true, description: 'The nextCursor of the previous page.' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,500}$/, { message: 'after must be a cursor from a previous page' })
  after?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** Where the next page starts; `null` on the last page. */
  readonly nextCursor: string | null;
}

/** A position in a keyset-ordered list: the sort key values of its last item. */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/**
 * What a position of a cursor holds: `string` any text (well-formed, without NUL),
 * `number` a finite number, `timestamp` an ISO 8601 instant as `Date#toISOString` writes
 * it, `uuid` a UUID, or a pattern the string must match (a sku).
 */
export type CursorValue = 'string' | 'number' | 'timestamp' | 'uuid' | RegExp;

type Decoded<T extends readonly CursorValue[]> = { [K in keyof T]: T[K] extends 'number' ? number : string };

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function holds(value: unknown, expected: CursorValue): boolean {
  if (expected === 'number') return typeof value === 'number' && Number.isFinite(value);
  if (typeof value !== 'string' || textProblem('after', value) !== undefined) return false;
  if (expected === 'string') return true;
  if (expected === 'timestamp') return ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
  if (expected === 'uuid') return UUID.test(value);
  return expected.test(value);
}

/**
 * The values `encodeCursor` wrote, each checked against what its position holds, so that
 * nothing a client made up reaches a query; 400 naming `after` when the cursor is not one
 * of ours (not base64url, not JSON, other values).
 */
export function decodeCursor<T extends readonly CursorValue[]>(cursor: string, expected: T): Decoded<T> {
  let values: unknown;
  try {
    values = BASE64URL.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    values = undefined;
  }
  if (!Array.isArray(values) || values.length !== expected.length || values.some((value, index) => !holds(value, expected[index]!))) {
    throw new BadRequestException(['after must be a cursor from a previous page']);
  }
  return values as Decoded<T>;
}

/** Takes `first` items of `rows` fetched with a limit of `first + 1`, and the cursor after them. */
export function pageOf<Row, T>(rows: readonly Row[], first: number, view: (row: Row) => T, cursorOf: (row: Row) => readonly (string | number)[]): Page<T> {
  const items = rows.slice(0, first);
  return { items: items.map(view), nextCursor: rows.length > first ? encodeCursor(cursorOf(items[items.length - 1]!)) : null };
}
