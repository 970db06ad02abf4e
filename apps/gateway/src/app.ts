import { fileURLToPath } from 'node:url';
import { runHost } from '@agora/host';
import { InvalidConfiguration } from '@agora/platform';
import { GatewayModule } from './gateway.module.js';
import { GATEWAY_SERVICE } from './gateway.tokens.js';

// The distributed mode's GraphQL: the apps' schemas composed into the shop's, each field
// asked of the app that answers it, found in the service registry (REGISTRY_ENDPOINTS,
// required here). nginx routes /graphql, /health, the console and /api/admin/ to it.
await runHost({
  app: GATEWAY_SERVICE,
  title: 'Agora gateway',
  description: 'The GraphQL of the distributed mode, composed of the apps’ GraphQL, and the health of every app.',
  defaults: { PORT: '3006' },
  graphql: true,
  rest: false,
  // The operations console of the distributed mode, over the apps' operations API joined
  // here (GatewayOperationsController); built beside the app by `npm run build`.
  consoleFolder: fileURLToPath(new URL('../../../console/', import.meta.url)),
  rootModule: (config, logger, secrets) => {
    const endpoints = config.REGISTRY_ENDPOINTS;
    if (!endpoints) throw new InvalidConfiguration(['REGISTRY_ENDPOINTS is required by the gateway: it finds the apps there']);
    return GatewayModule.forRoot({ config: { ...config, REGISTRY_ENDPOINTS: endpoints }, logger, jwtSecret: secrets.jwtSecret });
  },
});
