import { z } from 'zod';
import { SECRET_ALLOWS, weakSecret } from './secret-strength.js';

/**
 * How a variable is documented. `allows` completes "NAME must be …" in the start-up
 * error and fills the README's "allowed" column; `secret` keeps a bad value's
 * credentials out of that error.
 */
// A type, not an interface: zod's `.meta()` takes an object with an index signature.
export type VariableDoc = {
  readonly description: string;
  readonly allows: string;
  readonly secret?: boolean;
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const EVENT_STORES = ['postgres', 'esdb'] as const;
const LOG_FORMATS = ['pretty', 'json'] as const;

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const port = () => integer(1, 65_535);
/** The administrator's password outside production when ADMIN_PASSWORD is unset. */
export const DEMO_ADMIN_PASSWORD = 'agora-admin';

const doc = (description: string, allows: string, secret?: boolean): VariableDoc => ({ description, allows, ...(secret && { secret }) });

/**
 * Every environment variable the hosts read: the one place that says what each means,
 * what it allows and what it defaults to. The README's table is written from it
 * (`configReference()`).
 */
export const configSchema = z
  .object({
    PORT: port().default(3000).meta(doc('Port of the HTTP server.', 'an integer from 1 to 65535')),
    HOST: z.string().min(1).default('0.0.0.0').meta(doc('Address the HTTP server binds to.', 'a host name or IP address')),
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/ })
      .optional()
      .meta(doc('PostgreSQL database to use. When unset, the host runs an embedded PostgreSQL server.', 'a postgres:// or postgresql:// URL', true)),
    DATABASE_POOL_SIZE: integer(1, 1000).default(10).meta(doc('Most PostgreSQL connections the host opens.', 'an integer from 1 to 1000')),
    EVENT_STORE: z.enum(EVENT_STORES).default('postgres').meta(doc('Where events are stored.', `one of ${EVENT_STORES.join(', ')}`)),
    EVENTSTORE_URL: z
      // Not a WHATWG URL: a cluster lists its nodes, `esdb://node1:2113,node2:2113`.
      .string()
      .regex(/^esdb(\+discover)?:\/\/[^\s/?#]+/)
      .optional()
      .meta(doc('EventStoreDB connection string; required when EVENT_STORE=esdb.', 'an esdb:// or esdb+discover:// URL', true)),
    EMBEDDED_POSTGRES_PORT: port().default(54329).meta(doc('Port of the embedded PostgreSQL server (without DATABASE_URL).', 'an integer from 1 to 65535')),
    EMBEDDED_POSTGRES_DIR: z
      .string()
      .min(1)
      .default('.data/postgres')
      .meta(doc('Data directory of the embedded PostgreSQL server; kept between runs. Its superuser password is kept beside it, in the same path with .password added.', 'a directory path')),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info').meta(doc('Least severe level that is logged.', `one of ${LOG_LEVELS.join(', ')}`)),
    LOG_FORMAT: z
      .enum(LOG_FORMATS)
      .optional()
      .meta(doc('How log lines look: readable lines (pretty) or one JSON object per line. When unset, pretty when stdout is a terminal.', `one of ${LOG_FORMATS.join(', ')}`)),
    CHECKOUT_RESERVATION_TIMEOUT_MS: integer(1, 86_400_000)
      .default(30_000)
      .meta(doc('How long the checkout saga waits for inventory to answer a reservation.', 'an integer from 1 to 86400000 (milliseconds)')),
    CHECKOUT_PAYMENT_TIMEOUT_MS: integer(1, 86_400_000)
      .default(30_000)
      .meta(doc('How long the checkout saga waits for the payment before it compensates.', 'an integer from 1 to 86400000 (milliseconds)')),
    RESERVATION_TTL_MS: integer(1, 86_400_000)
      .default(20_000)
      .meta(
        doc(
          'How long an order may hold stock before payment has answered, counted from the request to reserve it; then the stock is released and the order rejected (reservation-expired), and a late payment refunded.',
          'an integer from 1 to 86400000 (milliseconds)',
        ),
      ),
    ORDER_MAX_PENDING_PER_CUSTOMER: integer(1, 1_000_000)
      .default(20)
      .meta(doc('Orders one customer may have pending (placed, not yet confirmed, rejected or cancelled) at once; one more is refused with 429.', 'an integer from 1 to 1000000')),
    ORDER_MAX_PENDING_UNITS_PER_CUSTOMER: integer(1, 1_000_000_000)
      .default(10_000)
      .meta(doc('Units (the quantities of all lines) one customer may have in pending orders; an order that would pass it is refused with 429.', 'an integer from 1 to 1000000000')),
    PAYMENT_GATEWAY_LATENCY_MS: integer(0, 600_000)
      .default(0)
      .meta(doc('Latency of the simulated payment gateway.', 'an integer from 0 to 600000 (milliseconds)')),
    PAYMENT_GATEWAY_LATE_ANSWER_MS: integer(0, 86_400_000)
      .optional()
      .meta(doc('When set, the simulator approves `tok_timeout` after this delay instead of never answering.', 'an integer from 0 to 86400000 (milliseconds)')),
    PAYMENT_GATEWAY_TIMEOUT_MS: integer(1, 600_000)
      .default(10_000)
      .meta(
        doc(
          'How long one call to the payment gateway may take; then it is abandoned and asked again with the same idempotency key (twice, with backoff), and after 10 such failures in a row calls fail at once for 5 s (circuit breaker).',
          'an integer from 1 to 600000 (milliseconds)',
        ),
      ),
    PROJECTION_LAG_DEGRADED_MS: integer(1, 86_400_000)
      .default(5_000)
      .meta(doc('/health marks a projection degraded when its oldest unapplied event has waited longer than this.', 'an integer from 1 to 86400000 (milliseconds)')),
    JWT_SECRET: z
      .string()
      .superRefine((secret, context) => {
        const problem = weakSecret(secret);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .meta(doc('Secret that signs access tokens. When unset, one is generated at the first start and kept in JWT_SECRET_FILE.', SECRET_ALLOWS, true)),
    JWT_SECRET_FILE: z.string().min(1).default('.data/jwt-secret').meta(doc('Where the signing secret is kept without JWT_SECRET: generated at the first start, readable by its owner only, and checked as JWT_SECRET is at every start.', 'a file path')),
    JWT_EXPIRES_IN_S: integer(60, 2_592_000).default(3600).meta(doc('Lifetime of an access token.', 'an integer from 60 to 2592000 (seconds)')),
    AUTH_MAX_FAILURES_PER_ACCOUNT: integer(1, 1_000_000)
      .default(10)
      .meta(doc('Failed sign-ins for one email address, from any client, before its sign-in is refused with 429 for the rest of AUTH_FAILURE_WINDOW_S.', 'an integer from 1 to 1000000')),
    AUTH_MAX_FAILURES_PER_ADDRESS: integer(1, 1_000_000)
      .default(100)
      .meta(doc('Failed sign-ins from one client address, for any accounts, before its sign-ins are refused with 429 for the rest of AUTH_FAILURE_WINDOW_S.', 'an integer from 1 to 1000000')),
    AUTH_FAILURE_WINDOW_S: integer(1, 86_400)
      .default(900)
      .meta(doc('Window in which failed sign-ins are counted; the count starts again after it.', 'an integer from 1 to 86400 (seconds)')),
    AUTH_MAX_REGISTRATIONS_PER_ADDRESS: integer(1, 1_000_000)
      .default(100)
      .meta(doc('Registrations one client address may attempt in AUTH_REGISTRATION_WINDOW_S; more get 429.', 'an integer from 1 to 1000000')),
    AUTH_REGISTRATION_WINDOW_S: integer(1, 86_400)
      .default(3600)
      .meta(doc('Window in which registrations are counted.', 'an integer from 1 to 86400 (seconds)')),
    TRUST_PROXY_HOPS: integer(0, 10)
      .default(0)
      .meta(doc('Reverse proxies in front of the host whose X-Forwarded-For is trusted for the client address (0: the address of the connection).', 'an integer from 0 to 10')),
    ADMIN_EMAIL: z.email().default('admin@agora.local').meta(doc('The administrator created at start if no user has this email.', 'an email address')),
    ADMIN_PASSWORD: z
      .string()
      .min(8)
      .max(128)
      .optional()
      .meta(
        doc(
          `Password of that administrator when it is created; later it is changed over the API, not here. Required with NODE_ENV=production; otherwise the demo password ${DEMO_ADMIN_PASSWORD}, with a warning at start.`,
          '8 to 128 characters',
          true,
        ),
      ),
    DEMO_DATA: z
      .stringbool()
      .optional()
      .meta(doc("Add a demo customer and demo products at start when they are missing. When unset, true, but false with NODE_ENV=production, where true is refused: the demo customer's password is public.", 'true or false')),
    NODE_ENV: z
      .string()
      .optional()
      .meta(doc('production (the Docker image sets it) asks for ADMIN_PASSWORD, adds no demo data and serves no GraphQL IDE; any other value or none is development.', 'production, or anything else')),
    KAFKA_BROKERS: z
      .string()
      .regex(/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/)
      .default('127.0.0.1:9092')
      .meta(doc('Kafka brokers of the distributed apps (the all-in-one shop does not use Kafka).', 'comma-separated host:port pairs')),
    KAFKA_TOPIC_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9._-]*$/)
      .default('')
      .meta(doc('Put before every topic and consumer group name, to share a cluster between systems.', 'letters, digits, ., _ and - (may be empty)')),
    KAFKA_PARTITIONS: integer(1, 1000).default(3).meta(doc('Partitions of each topic the apps create at start.', 'an integer from 1 to 1000')),
    REGISTRY_ENDPOINTS: z
      .string()
      .regex(/^https?:\/\/[^\s,/]+(,https?:\/\/[^\s,/]+)*$/)
      .optional()
      .meta(
        doc(
          'etcd endpoints of the service registry. When set, the app registers itself there at start (for nginx and the gateway to find it) and deregisters when it stops; when unset, it registers nowhere.',
          'comma-separated http:// or https:// URLs without a path',
        ),
      ),
    REGISTRY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9._/-]*$/)
      .default('agora/')
      .meta(doc('Put before every key of the registry, to share one etcd between systems.', 'letters, digits, ., _, / and - (may be empty)')),
    REGISTRY_LEASE_TTL_S: integer(2, 300)
      .default(5)
      .meta(doc("How long an instance stays registered after it stops renewing its lease (it renews it every third of this): how soon a killed instance leaves nginx's upstreams.", 'an integer from 2 to 300 (seconds)')),
    INSTANCE_ID: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/)
      .optional()
      .meta(doc('Names this instance in the registry and in the X-Instance-Id header of its every response. When unset, <app>-<host name>-<port>.', 'letters, digits, ., _ and -, at most 100, starting with a letter or digit')),
    INSTANCE_WEIGHT: integer(1, 100)
      .default(1)
      .meta(doc("This instance's share of its app's traffic against the other instances (nginx's weighted round-robin).", 'an integer from 1 to 100')),
    ADVERTISE_HOST: z
      .string()
      .regex(/^[A-Za-z0-9.:[\]-]{1,253}$/)
      .optional()
      .meta(doc('The address other processes reach this instance at, as registered. When unset, HOST, or 127.0.0.1 when HOST is a wildcard address.', 'a host name or IP address')),
    NGINX_BINARY: z.string().min(1).default('nginx').meta(doc('The edge only: the nginx it runs.', 'a command name or file path')),
    NGINX_TEMPLATE: z
      .string()
      .min(1)
      .default('deploy/nginx/agora.conf.template')
      .meta(doc("The edge only: the nginx configuration it renders from the registry, with {{listen}} and {{upstreams}} to fill in.", 'a file path')),
    NGINX_DIR: z.string().min(1).default('.data/edge').meta(doc("The edge only: nginx's folder (the rendered configuration, its pid file and temporary files).", 'a directory path')),
    GATEWAY_TIMEOUT_MS: integer(1, 600_000)
      .default(5_000)
      .meta(
        doc(
          "The gateway only: how long one call to an app may take (the order app's long-polls get their wait on top); then a query is asked again twice, with backoff, on the next instance, and a mutation fails.",
          'an integer from 1 to 600000 (milliseconds)',
        ),
      ),
    GATEWAY_BREAK_AFTER: integer(1, 1000)
      .default(5)
      .meta(doc('The gateway only: failed calls in a row to one app after which calls to it fail at once (circuit breaker), its fields answering null with an error.', 'an integer from 1 to 1000')),
    GATEWAY_HALF_OPEN_AFTER_MS: integer(1, 600_000)
      .default(5_000)
      .meta(doc('The gateway only: how long an open breaker fails calls at once before it lets one through to try the app again.', 'an integer from 1 to 600000 (milliseconds)')),
    BACKGROUND_FAILOVER_MS: integer(200, 600_000)
      .default(2000)
      .meta(
        doc(
          "How long an app instance's lease on the background work (relays, projections, saga) lasts unless renewed. The active instance renews it every quarter of this and stops the work when it cannot; a standby takes over within about 1¼ times this after the active instance dies.",
          'an integer from 200 to 600000 (milliseconds)',
        ),
      ),
    MESSAGING_DUPLICATE_DELIVERY: z
      .stringbool()
      .default(false)
      .meta(doc('Fault injection: deliver every integration message twice, to show that consumers are idempotent.', 'true or false')),
  })
  .refine((config) => config.EVENT_STORE !== 'esdb' || config.EVENTSTORE_URL !== undefined, {
    path: ['EVENTSTORE_URL'],
    message: 'is required when EVENT_STORE=esdb',
    // Also when other variables are bad, so that one run reports every problem.
    when: () => true,
  })
  .refine((config) => config.NODE_ENV !== 'production' || config.DEMO_DATA !== true, {
    path: ['DEMO_DATA'],
    message: "must be false when NODE_ENV=production: the demo customer's password is public",
    when: () => true,
  });

/** The configuration as the hosts use it: DEMO_DATA decided (`parseConfig`). */
export type Config = Omit<z.output<typeof configSchema>, 'DEMO_DATA'> & { DEMO_DATA: boolean };
export type ConfigVariable = keyof Config;

export const CONFIG_VARIABLES = Object.keys(configSchema.shape) as ConfigVariable[];

export function variableDoc(name: ConfigVariable): VariableDoc {
  return configSchema.shape[name].meta() as unknown as VariableDoc;
}

export interface ConfigReferenceRow extends VariableDoc {
  readonly name: ConfigVariable;
  /** `undefined` when the variable has no default. */
  readonly default: string | undefined;
}

/** The rows of the README's configuration table, in schema order. */
export function configReference(): ConfigReferenceRow[] {
  return CONFIG_VARIABLES.map((name) => {
    const schema = configSchema.shape[name];
    const fallback = schema.def.type === 'default' ? String(schema.def.defaultValue) : undefined;
    return { name, default: fallback, ...variableDoc(name) };
  });
}
