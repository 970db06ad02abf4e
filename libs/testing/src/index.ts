export * from './free-port.js';
export * from './postgres.js';
export * from './event-store-contract.js';
export * from './decider-spec.js';
export * from './host-process.js';
export * from './until.js';
export * from './read-models.js';
export * from './auth.js';
