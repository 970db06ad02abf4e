// The most one command may put in the catalog or the stock. Stock levels add up over many
// additions: the read model keeps them as bigint, and 2^53 (exact in a JavaScript number)
// is billions of maximal additions away.

/** Price of one unit, in the smallest unit of the currency: 1,000,000.00. */
export const MAX_PRICE_CENTS = 100_000_000;

/** Units put in stock at once: a product's initial stock, or one addition. */
export const MAX_STOCK_ADDITION = 1_000_000;
