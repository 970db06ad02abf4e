import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cruise, type ICruiseOptions } from 'dependency-cruiser';

const root = process.cwd();
const config = createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs')) as { forbidden: unknown[]; options: ICruiseOptions };

/** Cruises a tree laid out like the repository and returns the names of the broken rules. */
async function brokenRules(baseDir: string, files: string[], from?: string): Promise<string[]> {
  const result = await cruise(files, {
    ...config.options,
    baseDir,
    tsConfig: { fileName: join(root, 'tsconfig.json') },
    ruleSet: { forbidden: config.forbidden },
    validate: true,
  } as ICruiseOptions);
  if (typeof result.output === 'string') throw new Error(result.output);
  const violations = result.output.summary.violations.filter((violation) => from === undefined || violation.from === from);
  return [...new Set(violations.map((violation) => violation.rule.name))].sort();
}

describe('dependency rules', () => {
  let fixture: string;
  const write = async (path: string, source: string) => {
    await mkdir(dirname(join(fixture, path)), { recursive: true });
    await writeFile(join(fixture, path), source);
  };

  beforeAll(async () => {
    // Inside the repository so that imports of installed packages resolve.
    await mkdir(join(root, '.cache'), { recursive: true });
    fixture = await mkdtemp(join(root, '.cache', 'dependency-rules-'));
    await write('libs/order/src/domain/order.ts', "import { Injectable } from '@nestjs/common';\nexport const order = Injectable;\n");
    await write('libs/order/src/domain/order-id.ts', "import { randomUUID } from 'node:crypto';\nexport const id = randomUUID;\n");
    await write('libs/order/src/domain/pricing.ts', "import { store } from '../features/store.js';\nimport type { Shape } from '../features/store.js';\nexport const p: Shape = store;\n");
    await write('libs/order/src/domain/pure.ts', "import type { Shape } from '../features/store.js';\nimport { id } from './order-id.js';\nexport const q: Shape | undefined = undefined;\nexport const r = id;\n");
    await write('libs/order/src/features/store.ts', "import { stock } from '../../../inventory/src/stock.js';\nexport type Shape = object;\nexport const store = stock;\n");
    await write('libs/inventory/src/stock.ts', 'export const stock = {};\n');
    await write('libs/messaging/src/relay.ts', "import { stock } from '../../inventory/src/stock.js';\nexport const relay = stock;\n");
    await write('libs/contracts/src/order.ts', "import { boot } from '../../platform/src/boot.js';\nexport const orderEvents = boot;\n");
    await write('libs/saga/src/saga.ts', "import { orderEvents } from '../../contracts/src/order.js';\nexport const saga = orderEvents;\n");
    await write('libs/platform/src/boot.ts', "import { main } from '../../../apps/shop/src/main.js';\nexport const boot = main;\n");
    await write('apps/shop/src/main.ts', "import { stock } from '../../../libs/inventory/src/stock.js';\nexport const main = stock;\n");
    await write('libs/telemetry/src/start.ts', "import pino from 'pino';\nimport { trace } from '@opentelemetry/api';\nexport const start = [pino, trace];\n");
  });

  afterAll(async () => {
    await rm(fixture, { recursive: true, force: true });
  });

  it('finds every kind of violation in a tree that breaks them', async () => {
    expect(await brokenRules(fixture, ['libs', 'apps'])).toEqual([
      'building-blocks-know-no-context',
      'contexts-are-independent',
      'contracts-are-plain-schemas',
      'domain-has-no-infrastructure',
      'domain-imports-only-domain-code',
      'libs-know-no-app',
      'messaging-and-sagas-know-no-shop',
      'telemetry-loads-before-the-app',
    ]);
  });

  it('allows type-only imports into the domain and imports between domain files, not value imports', async () => {
    const pure = 'libs/order/src/domain/pure.ts';
    expect(await brokenRules(fixture, [pure], pure)).toEqual([]);
    const pricing = 'libs/order/src/domain/pricing.ts';
    expect(await brokenRules(fixture, [pricing], pricing)).toEqual(['domain-imports-only-domain-code']);
  });

  it('holds for the repository itself', async () => {
    expect(await brokenRules(root, ['apps', 'libs', 'test', 'bench'].map((dir) => relative(root, join(root, dir))))).toEqual([]);
  });
});
