import { BadRequestException } from '@nestjs/common';
import { ArgsType, Field, Int } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

/** `?first=&after=`: cursor pagination, as REST lists (query) and GraphQL lists (arguments) both take it. */
@ArgsType()
export class PageQuery {
  @ApiPropertyOptional({ description: 'How many items, 1 to 100.', minimum: 1, maximum: 100, default: 20 })
  @Field(() => Int, { nullable: true, description: 'How many items, 1 to 100 (default 20).' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  first?: number;

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

/** The values `encodeCursor` wrote, checked against their expected types; 400 when the cursor is not one of ours. */
export function decodeCursor<T extends readonly ('string' | 'number')[]>(cursor: string, types: T): { [K in keyof T]: T[K] extends 'number' ? number : string } {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  if (!Array.isArray(values) || values.length !== types.length || values.some((value, index) => typeof value !== types[index])) {
    throw new BadRequestException(['after must be a cursor from a previous page']);
  }
  return values as { [K in keyof T]: T[K] extends 'number' ? number : string };
}

/** Takes `first` items of `rows` fetched with a limit of `first + 1`, and the cursor after them. */
export function pageOf<Row, T>(rows: readonly Row[], first: number, view: (row: Row) => T, cursorOf: (row: Row) => readonly (string | number)[]): Page<T> {
  const items = rows.slice(0, first);
  return { items: items.map(view), nextCursor: rows.length > first ? encodeCursor(cursorOf(items[items.length - 1]!)) : null };
}
