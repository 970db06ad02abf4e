export * from './service-registry.js';
export * from './etcd-registry.js';
export * from './weighted-round-robin.js';
export * from './routes.js';
