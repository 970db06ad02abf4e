import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const { stopTestPostgres } = await tsImport('./test-postgres.ts', import.meta.url);
  const { stopScriptedServer, TEST_KAFKA, TEST_ETCD, TEST_ZIPKIN } = await tsImport('./scripted-servers.ts', import.meta.url);
  await Promise.all([stopTestPostgres(), stopScriptedServer(TEST_KAFKA), stopScriptedServer(TEST_ETCD), stopScriptedServer(TEST_ZIPKIN)]);
}
