export * from './database/embedded-postgres-server.js';
