export * from './event.js';
export * from './event-store.js';
export * from './errors.js';
export * from './stream-name.js';
export * from './postgres/postgres-event-store.js';
export * from './message-context.js';
export * from './decider.js';
export * from './command-handler.js';
