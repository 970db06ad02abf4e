import { startTelemetry } from '@agora/telemetry';

// Tracing starts first: a module is traced only if it is loaded after that.
await startTelemetry('recommendation');
await import('./app.js');
