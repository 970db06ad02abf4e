import type { ValueTransformer } from 'typeorm';

/**
 * For the `bigint` columns of read models (counts and amounts that outgrow `integer`):
 * pg hands a bigint over as a string, since it may not fit a JavaScript number. What the
 * system accepts keeps every such value far below 2^53, so rows carry numbers; one that a
 * number cannot hold exactly fails the read rather than be rounded.
 */
export const bigintAsNumber: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: string | number | null) => {
    if (value === null) return null;
    const number = Number(value);
    if (!Number.isSafeInteger(number)) throw new RangeError(`The read model holds ${value}, beyond the whole numbers a JavaScript number holds exactly.`);
    return number;
  },
};
