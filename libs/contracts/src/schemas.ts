import { z } from 'zod';

export const orderId = z.uuid();
export const sku = z.string().regex(/^[A-Z0-9][A-Z0-9-]{0,63}$/, 'an upper-case sku of letters, digits and dashes');
export const quantity = z.number().int().positive();
export const cents = z.number().int().nonnegative();
export const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code');
export const stockLine = z.object({ sku, quantity }).strict();
export const stockLines = z.array(stockLine).min(1);
