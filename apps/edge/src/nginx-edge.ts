import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isWildcardHost } from '@agora/platform';
import { formatRoutes, type Discovery } from '@agora/registry';
import type pino from 'pino';
import { renderNginxConfig } from './nginx-config.js';

export interface NginxEdgeOptions {
  readonly discovery: Discovery;
  /** The template file (deploy/nginx/agora.conf.template). */
  readonly template: string;
  /** nginx's folder: the rendered configuration, its pid file, its temporary files. */
  readonly dir: string;
  readonly listen: { readonly host: string; readonly port: number };
  /** The nginx to run. */
  readonly nginx: string;
  readonly logger: pino.Logger;
}

const CONFIG_FILE = 'nginx.conf';
/** Changes that come together (instances of a starting system) make one reload. */
const SETTLE_MS = 50;

/**
 * nginx in front of the registered instances: renders its configuration from the registry,
 * runs it in the foreground as a child process, and on every change renders again, has
 * nginx test the new file, and reloads it (SIGHUP: new workers take the new upstreams, the
 * old ones finish their requests).
 */
export class NginxEdge {
  private rendered = '';
  private applying: Promise<void> = Promise.resolve();
  private stopListening?: () => void;
  private stopping = false;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly options: NginxEdgeOptions,
    private readonly templateText: string,
    private readonly child: ChildProcess,
    rendered: string,
  ) {
    this.rendered = rendered;
    this.exited = new Promise((resolveExit) => child.on('exit', (code, signal) => resolveExit({ code, signal })));
  }

  static async start(options: NginxEdgeOptions): Promise<NginxEdge> {
    const dir = resolve(options.dir);
    const templateText = await readFile(options.template, 'utf8');
    for (const folder of ['temp', 'logs']) await mkdir(join(dir, folder), { recursive: true });
    const rendered = renderNginxConfig(templateText, options.discovery.instances(), options.listen);
    await writeFile(join(dir, CONFIG_FILE), rendered);
    const problem = NginxEdge.test(options.nginx, dir, CONFIG_FILE);
    if (problem) throw new Error(`nginx refuses the configuration rendered from ${options.template}: ${problem}`);
    const child = spawn(options.nginx, ['-p', `${dir}/`, '-c', CONFIG_FILE, '-g', 'daemon off; error_log stderr warn;'], { stdio: ['ignore', 'inherit', 'inherit'] });
    // However the edge ends, nginx ends with it: an nginx left behind would hold the port.
    const stopNginx = () => child.kill('SIGQUIT');
    process.once('exit', stopNginx);
    child.once('exit', () => process.off('exit', stopNginx));
    const edge = new NginxEdge({ ...options, dir }, templateText, child, rendered);
    await edge.untilListening();
    edge.stopListening = options.discovery.onChange(() => edge.scheduleRender());
    // What changed between the first read and the subscription.
    edge.scheduleRender();
    options.logger.info({ routes: formatRoutes(options.discovery.instances()) }, `nginx serves on ${options.listen.host}:${options.listen.port}`);
    return edge;
  }

  /** Stops nginx gracefully (SIGQUIT: requests in progress are answered). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopListening?.();
    await this.applying;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGQUIT');
    await this.exited;
  }

  private scheduleRender(): void {
    this.applying = this.applying.then(async () => {
      await sleep(SETTLE_MS);
      if (!this.stopping) await this.render();
    });
  }

  private async render(): Promise<void> {
    const { discovery, logger, dir } = this.options;
    const instances = discovery.instances();
    const next = renderNginxConfig(this.templateText, instances, this.options.listen);
    if (next === this.rendered) return;
    // nginx checks the new file before it replaces the one it runs.
    await writeFile(join(dir, `${CONFIG_FILE}.next`), next);
    const problem = NginxEdge.test(this.options.nginx, dir, `${CONFIG_FILE}.next`);
    if (problem) {
      logger.error(`nginx refused the configuration for the registry's instances; it keeps the previous one: ${problem}`);
      return;
    }
    await rename(join(dir, `${CONFIG_FILE}.next`), join(dir, CONFIG_FILE));
    this.rendered = next;
    this.child.kill('SIGHUP');
    logger.info({ routes: formatRoutes(instances) }, 'nginx reloaded with the registered instances');
  }

  /** nginx's verdict on a configuration file: undefined when good, else what it said. */
  private static test(nginx: string, dir: string, file: string): string | undefined {
    const result = spawnSync(nginx, ['-t', '-q', '-p', `${dir}/`, '-c', file, '-g', 'daemon off; error_log stderr warn;'], { encoding: 'utf8' });
    if (result.error) throw new Error(`Cannot run ${nginx}: ${result.error.message}. Install nginx (apt-get install nginx-light) or set NGINX_BINARY.`);
    return result.status === 0 ? undefined : (result.stderr || result.stdout).trim();
  }

  private async untilListening(): Promise<void> {
    const { host, port } = this.options.listen;
    const connectTo = isWildcardHost(host) ? (host.includes(':') ? '::1' : '127.0.0.1') : host;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(50)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`nginx exited with code ${this.child.exitCode} while starting`);
      const open = await new Promise<boolean>((resolveOpen) => {
        const socket = net.connect({ host: connectTo, port }, () => {
          socket.destroy();
          resolveOpen(true);
        });
        socket.on('error', () => resolveOpen(false));
      });
      if (open) return;
    }
    this.child.kill('SIGKILL');
    throw new Error(`nginx did not listen on ${host}:${port} within 10 s`);
  }
}

