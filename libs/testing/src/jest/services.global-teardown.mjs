import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const { stopTestPostgres } = await tsImport('./test-postgres.ts', import.meta.url);
  const { stopTestKafka } = await tsImport('./test-kafka.ts', import.meta.url);
  await Promise.all([stopTestPostgres(), stopTestKafka()]);
}
