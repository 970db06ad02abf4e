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
import { OtlpReceiver } from '../libs/testing/src/otlp-receiver.js';

const sink = await OtlpReceiver.start({ port: Number(process.env['BENCH_SINK_PORT'] ?? 4318), keep: false });
console.log(`OTLP sink on ${sink.url} (POST /v1/traces); Ctrl-C stops it`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`received ${sink.received.exports} exports, ${(sink.received.bytes / 1e6).toFixed(1)} MB`);
    void sink.close().then(() => process.exit(0));
  });
}
