export * from './saga-definition.js';
export * from './saga-stream.js';
export * from './saga-runtime.js';
export * from './saga-outbound.js';
export * from './schema.js';
export * from './deadline-scheduler.js';
export * from './saga-metrics.js';
