// The most an order may ask for. Inventory bounds a price (MAX_PRICE_CENTS there, 1,000,000.00),
// so the largest total is 100 × 10,000 × 100,000,000 = 10^14 cents: far below 2^53, the
// largest whole number a JavaScript number holds exactly, and stored as bigint.

/** Lines of one order, each sku once. */
export const MAX_ORDER_LINES = 100;

/** Units of one sku in one order. */
export const MAX_LINE_QUANTITY = 10_000;
