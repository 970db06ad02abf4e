export { startTelemetry, stopTelemetry } from './telemetry.js';
