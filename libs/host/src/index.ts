export * from './host.module.js';
export * from './host-messaging.js';
export * from './health.controller.js';
export * from './run-host.js';
export * from './on-bootstrap.js';
export * from './context-app.js';
