// Jest runs in native ESM mode (see package.json "jest" script): NestJS 12 is ESM-only.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
      target: 'es2023',
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const shared = {
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@agora/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/'],
};

const withPostgres = {
  globalSetup: '<rootDir>/libs/testing/src/jest/services.global-setup.mjs',
  globalTeardown: '<rootDir>/libs/testing/src/jest/services.global-teardown.mjs',
};

export default {
  cacheDirectory: '<rootDir>/.cache/jest',
  // Real servers and processes: a checkout with a payment deadline takes seconds. A global
  // option: jest ignores it inside a project's settings.
  testTimeout: 30_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,test,console}/**/*.spec.ts'] },
    { ...shared, ...withPostgres, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'] },
    { ...shared, ...withPostgres, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
