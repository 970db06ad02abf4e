/**
 * An OTLP/HTTP trace receiver that keeps nothing: it reads each export and answers it as
 * accepted. Next to `npm run bench:checkout`, it takes the apps' spans, exported as a
 * deployment exports them (OTLP, protobuf by default), at a CPU cost close to nothing, so
 * that the benchmark measures what tracing costs the apps rather than what a collector
 * sharing their cores costs (Zipkin, `scripts/zipkin.sh`, stores and indexes each span).
 *
 *   npm run bench:otlp-sink                     listens on 127.0.0.1:4318 until Ctrl-C
 *   BENCH_SINK_PORT=4319 npm run bench:otlp-sink
 *
 * and in another terminal:
 *
 *   BENCH_ENV="OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318" npm run bench:checkout
 *
 * It prints what it received when it stops.
 */
import { createServer } from 'node:http';

const PORT = Number(process.env['BENCH_SINK_PORT'] ?? 4318);

let exports = 0;
let bytes = 0;
const server = createServer((request, response) => {
  request.on('data', (chunk: Buffer) => (bytes += chunk.length));
  request.on('end', () => {
    const traces = request.method === 'POST' && request.url === '/v1/traces';
    if (traces) exports++;
    // An empty ExportTraceServiceResponse means every span was accepted.
    const json = request.headers['content-type'] === 'application/json';
    response.writeHead(traces ? 200 : 404, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
  });
});

server.listen(PORT, '127.0.0.1', () => console.log(`OTLP sink on http://127.0.0.1:${PORT} (POST /v1/traces); Ctrl-C stops it`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`received ${exports} exports, ${(bytes / 1e6).toFixed(1)} MB`);
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
