export * from './service-registry.js';
export * from './etcd-registry.js';
