export * from './projection.js';
export * from './projection-checkpoints.js';
export * from './projection-runner.js';
export * from './rebuild.js';
export * from './row-projection.js';
export * from './read-models.js';
export * from './projections.js';
export * from './read-side.module.js';
