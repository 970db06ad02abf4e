export * from './principal.js';
export * from './auth.guard.js';
export * from './token-holders.js';
export * from './auth.module.js';
export * from './jwt-secret.js';
