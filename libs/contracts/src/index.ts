export * from './topics.js';
export * from './inventory.js';
export * from './payment.js';
export * from './order.js';
export * from './user.js';
export * from './catalog.js';
