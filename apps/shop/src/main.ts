import { startTelemetry } from '@agora/telemetry';

// Tracing starts first: a module is traced only if it is loaded after that.
await startTelemetry('shop');
await import('./app.js');
