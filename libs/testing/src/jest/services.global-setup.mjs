// Jest loads global setup outside its ESM module graph, without the path and `.js`
// mappings of the test files; tsx loads the TypeScript setup with the project's settings.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  // Jest does not print the output of a test file whose tests are all skipped, so the
  // notice that the EventStoreDB suite did not run is printed here, once per run.
  if (!process.env.EVENTSTORE_URL && !process.env.AGORA_ESDB_NOTICE_SHOWN) {
    process.env.AGORA_ESDB_NOTICE_SHOWN = '1';
    console.log('\nEventStoreDB contract suite NOT run: EVENTSTORE_URL is not set (README, "EventStoreDB", says how to run it).');
  }
  const { startTestPostgres, stopTestPostgres } = await tsImport('./test-postgres.ts', import.meta.url);
  const { requireProgram, startScriptedServer, stopScriptedServer, TEST_KAFKA, TEST_ETCD, TEST_ZIPKIN } = await tsImport('./scripted-servers.ts', import.meta.url);
  const started = await Promise.allSettled([
    startTestPostgres(),
    startScriptedServer(TEST_KAFKA),
    startScriptedServer(TEST_ETCD),
    startScriptedServer(TEST_ZIPKIN),
    // The edge of the distributed mode runs nginx (NGINX_BINARY) itself.
    requireProgram(process.env.NGINX_BINARY || 'nginx', '-v', 'apt-get install nginx-light (Debian), or set NGINX_BINARY'),
    // The metrics tests scrape with a real Prometheus and lint expositions with promtool.
    requireProgram('prometheus', '--version', 'apt-get install prometheus (Debian)'),
    requireProgram('promtool', '--version', 'apt-get install prometheus (Debian)'),
  ]);
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    // Jest runs no teardown after a failed setup: leave no server behind.
    await Promise.allSettled([stopTestPostgres(), stopScriptedServer(TEST_KAFKA), stopScriptedServer(TEST_ETCD), stopScriptedServer(TEST_ZIPKIN)]);
    throw failed.reason;
  }
}
