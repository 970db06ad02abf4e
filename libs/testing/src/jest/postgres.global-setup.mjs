// Jest loads global setup outside its ESM module graph, without the path and `.js`
// mappings of the test files; tsx loads the TypeScript setup with the project's settings.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { startTestPostgres } = await tsImport('./test-postgres.ts', import.meta.url);
  await startTestPostgres();
}
