// The dependency rules of the layout (README, "Layout"), checked by `npm run check:deps` inside `npm test`.
// Dependencies point one way: apps → libs/<context> → building blocks → nothing of ours.
const CONTEXTS = '(user|order|inventory|payment|recommendation)';
const BUILDING_BLOCKS = '(contracts|event-sourcing|messaging|projections|saga|platform|registry|host|telemetry|testing)';
// Only apps compose contexts (apps/shop: all five, and the GraphQL fields that join them).
const DOMAIN = '^libs/[^/]+/src/(|.*/)domain/';
// A decider's given/when/then spec may sit beside it; it runs under jest, not in production.
const SPEC = '[.]spec[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-has-no-infrastructure',
      comment: 'Domain code is pure: no Nest, no ORM, no drivers, no Node I/O. Types from elsewhere are fine.',
      severity: 'error',
      from: { path: DOMAIN, pathNot: SPEC },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown', 'core'] },
    },
    {
      name: 'domain-imports-only-domain-code',
      comment: 'At run time a domain folder reaches only domain folders; anything else only as `import type`.',
      severity: 'error',
      from: { path: DOMAIN, pathNot: SPEC },
      to: { pathNot: DOMAIN, dependencyTypesNot: ['type-only', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown', 'core'] },
    },
    {
      name: 'contexts-are-independent',
      comment: 'A context never imports another; what crosses a boundary is a message in libs/contracts.',
      severity: 'error',
      from: { path: `^libs/${CONTEXTS}/` },
      to: { path: `^libs/${CONTEXTS}/`, pathNot: '^libs/$1/' },
    },
    {
      name: 'building-blocks-know-no-context',
      severity: 'error',
      from: { path: `^libs/${BUILDING_BLOCKS}/` },
      to: { path: `^libs/${CONTEXTS}/` },
    },
    {
      name: 'contracts-are-plain-schemas',
      comment: 'libs/contracts holds the shop\'s message schemas and topics, and imports nothing of ours: any service, in any language, may read it.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: '^(libs|apps)/', pathNot: '^libs/contracts/' },
    },
    {
      name: 'messaging-and-sagas-know-no-shop',
      comment: 'The transports, relays and the saga runtime carry whatever contracts a host hands them (`ContractRegistry`); they never import the shop\'s.',
      severity: 'error',
      from: { path: '^libs/(messaging|saga)/' },
      to: { path: '^libs/contracts/' },
    },
    {
      name: 'telemetry-loads-before-the-app',
      comment: 'An app starts libs/telemetry before it loads anything else: modules loaded before tracing starts are not traced, so it reaches only OpenTelemetry, its loader hook (import-in-the-middle) and Node.',
      severity: 'error',
      from: { path: '^libs/telemetry/', pathNot: SPEC },
      to: { pathNot: '^(libs/telemetry/|node_modules/(@opentelemetry|import-in-the-middle)/)', dependencyTypesNot: ['core'] },
    },
    {
      name: 'libs-know-no-app',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|\\.cache|\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
