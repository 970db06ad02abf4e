export * from './ports.js';
export * from './schema.js';
export * from './checkpoint-store.js';
export * from './dead-letters.js';
export * from './message-metadata.js';
export * from './transport.js';
export * from './in-process-transport.js';
export * from './relay.js';
