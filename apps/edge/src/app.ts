import { browsableHost, createLogger, exitIfInvalidConfiguration, InvalidConfiguration, onlyOwnShutdown, readConfigOrExit } from '@agora/platform';
import { EtcdServiceRegistry } from '@agora/registry';
import { stopTelemetry } from '@agora/telemetry';
import { NginxEdge } from './nginx-edge.js';

// The public entry of the distributed mode: nginx, with its upstreams rendered from the
// service registry and reloaded on every change. HOST and PORT are nginx's; the
// registry is REGISTRY_ENDPOINTS (required here).
const config = readConfigOrExit({ HOST: '127.0.0.1', PORT: '8080', ...process.env });
const logger = createLogger({ name: 'agora-edge', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
if (!config.REGISTRY_ENDPOINTS) exitIfInvalidConfiguration(new InvalidConfiguration(['REGISTRY_ENDPOINTS is required by the edge: it routes to the instances registered there']));

const registry = new EtcdServiceRegistry({
  endpoints: config.REGISTRY_ENDPOINTS.split(','),
  prefix: config.REGISTRY_PREFIX,
  logger: { log: (message) => logger.info(message), warn: (message) => logger.warn(message) },
});
let edge: NginxEdge;
try {
  const discovery = await registry.discover();
  edge = await NginxEdge.start({ discovery, template: config.NGINX_TEMPLATE, dir: config.NGINX_DIR, listen: { host: config.HOST, port: config.PORT }, nginx: config.NGINX_BINARY, logger });
  let stopping = false;
  onlyOwnShutdown(async (signal) => {
    stopping = true;
    logger.info(`Shutting down on ${signal}`);
    await edge.stop();
    await discovery.close();
    await registry.close();
    await stopTelemetry();
    process.exit(0);
  });
  // nginx ending on its own (killed, crashed) ends the edge: a supervisor restarts both.
  void edge.exited.then(({ code, signal }) => {
    if (stopping) return;
    logger.fatal(`nginx exited (code ${code}, signal ${signal}); the edge stops`);
    process.exit(1);
  });
} catch (error) {
  logger.fatal({ err: error }, `The edge could not start: ${(error as Error).message}`);
  await registry.close();
  process.exit(1);
}
process.stdout.write(`\n  Agora edge (nginx) is ready\n    Public entry  http://${browsableHost(config.HOST)}:${config.PORT}\n    Registry      ${config.REGISTRY_ENDPOINTS} (${config.REGISTRY_PREFIX}services/)\n  Ctrl-C stops it.\n\n`);
