import { describe, expect, it } from '@jest/globals';
import { configReference } from './config.schema.js';
import { adminPassword, InvalidConfiguration, parseConfig, withoutCredentials } from './load-config.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof InvalidConfiguration) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

const THROTTLING_DEFAULTS = {
  AUTH_MAX_FAILURES_PER_ACCOUNT: 10,
  AUTH_MAX_FAILURES_PER_ADDRESS: 100,
  AUTH_FAILURE_WINDOW_S: 900,
  AUTH_MAX_REGISTRATIONS_PER_ADDRESS: 100,
  AUTH_REGISTRATION_WINDOW_S: 3600,
  TRUST_PROXY_HOPS: 0,
};

/** Every variable's default, as parseConfig answers with nothing set. */
const DEFAULTS = {
  PORT: 3000,
  HOST: '0.0.0.0',
  DATABASE_POOL_SIZE: 10,
  EVENT_STORE: 'postgres',
  EMBEDDED_POSTGRES_PORT: 54329,
  EMBEDDED_POSTGRES_DIR: '.data/postgres',
  LOG_LEVEL: 'info',
  CHECKOUT_RESERVATION_TIMEOUT_MS: 30000,
  CHECKOUT_PAYMENT_TIMEOUT_MS: 30000,
  RESERVATION_TTL_MS: 20000,
  ORDER_MAX_PENDING_PER_CUSTOMER: 20,
  ORDER_MAX_PENDING_UNITS_PER_CUSTOMER: 10000,
  PAYMENT_GATEWAY_LATENCY_MS: 0,
  PAYMENT_GATEWAY_TIMEOUT_MS: 10000,
  PROJECTION_LAG_DEGRADED_MS: 5000,
  JWT_SECRET_FILE: '.data/jwt-secret',
  KAFKA_BROKERS: '127.0.0.1:9092',
  KAFKA_TOPIC_PREFIX: '',
  KAFKA_PARTITIONS: 3,
  REGISTRY_PREFIX: 'agora/',
  REGISTRY_LEASE_TTL_S: 5,
  INSTANCE_WEIGHT: 1,
  NGINX_BINARY: 'nginx',
  NGINX_TEMPLATE: 'deploy/nginx/agora.conf.template',
  NGINX_DIR: '.data/edge',
  GATEWAY_TIMEOUT_MS: 5000,
  GATEWAY_BREAK_AFTER: 5,
  GATEWAY_HALF_OPEN_AFTER_MS: 5000,
  BACKGROUND_FAILOVER_MS: 2000,
  JWT_EXPIRES_IN_S: 3600,
  ...THROTTLING_DEFAULTS,
  ADMIN_EMAIL: 'admin@agora.local',
  DEMO_DATA: true,
  MESSAGING_DUPLICATE_DELIVERY: false,
};

describe('configuration', () => {
  it('defaults every variable when nothing is set', () => {
    expect(parseConfig({})).toEqual(DEFAULTS);
  });

  it('reads good values and ignores unrelated variables', () => {
    expect(
      parseConfig({
        PORT: '8080',
        HOST: '127.0.0.1',
        DATABASE_URL: 'postgresql://agora:secret@db:5432/agora',
        DATABASE_POOL_SIZE: '25',
        EVENT_STORE: 'esdb',
        EVENTSTORE_URL: 'esdb://127.0.0.1:2113?tls=false',
        EMBEDDED_POSTGRES_PORT: '6543',
        EMBEDDED_POSTGRES_DIR: '/var/lib/agora',
        LOG_LEVEL: 'debug',
        KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092',
        KAFKA_TOPIC_PREFIX: 'staging.',
        KAFKA_PARTITIONS: '6',
        BACKGROUND_FAILOVER_MS: '500',
        HOME: '/root',
      }),
    ).toEqual({
      ...DEFAULTS,
      PORT: 8080,
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgresql://agora:secret@db:5432/agora',
      DATABASE_POOL_SIZE: 25,
      EVENT_STORE: 'esdb',
      EVENTSTORE_URL: 'esdb://127.0.0.1:2113?tls=false',
      EMBEDDED_POSTGRES_PORT: 6543,
      EMBEDDED_POSTGRES_DIR: '/var/lib/agora',
      LOG_LEVEL: 'debug',
      KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092',
      KAFKA_TOPIC_PREFIX: 'staging.',
      KAFKA_PARTITIONS: 6,
      BACKGROUND_FAILOVER_MS: 500,
    });
  });

  describe('in production (NODE_ENV=production)', () => {
    const production = { NODE_ENV: 'production', ADMIN_PASSWORD: 'a long admin password' };

    it('adds no demo data unless told, and refuses to be told', () => {
      expect(parseConfig(production).DEMO_DATA).toBe(false);
      expect(parseConfig({ ...production, DEMO_DATA: 'false' }).DEMO_DATA).toBe(false);
      expect(problemsOf({ ...production, DEMO_DATA: 'true' })).toEqual([
        "DEMO_DATA must be false when NODE_ENV=production: the demo customer's password is public (true or false)",
      ]);
    });

    it('has no administrator password but ADMIN_PASSWORD', () => {
      expect(adminPassword(parseConfig(production))).toEqual({ password: 'a long admin password', demo: false });
      const config = parseConfig({ NODE_ENV: 'production' });
      expect(() => adminPassword(config)).toThrow(new InvalidConfiguration(['ADMIN_PASSWORD is required when NODE_ENV=production (8 to 128 characters)']));
    });

    it('refuses a short ADMIN_PASSWORD without showing it', () => {
      expect(problemsOf({ NODE_ENV: 'production', ADMIN_PASSWORD: 'short' })).toEqual(['ADMIN_PASSWORD must be 8 to 128 characters (got "short")']);
    });
  });

  it('outside production, adds demo data and gives the administrator the demo password unless told otherwise', () => {
    for (const NODE_ENV of [undefined, 'development', 'test']) {
      const config = parseConfig({ ...(NODE_ENV && { NODE_ENV }) });
      expect(config.DEMO_DATA).toBe(true);
      expect(adminPassword(config)).toEqual({ password: 'agora-admin', demo: true });
    }
    const told = parseConfig({ DEMO_DATA: 'false', ADMIN_PASSWORD: 'a long admin password' });
    expect(told.DEMO_DATA).toBe(false);
    expect(adminPassword(told)).toEqual({ password: 'a long admin password', demo: false });
  });

  it('refuses Kafka brokers that are not host:port pairs', () => {
    expect(problemsOf({ KAFKA_BROKERS: 'kafka-1,kafka-2:9092' })).toEqual([expect.stringMatching(/^KAFKA_BROKERS must be comma-separated host:port pairs/)]);
    expect(problemsOf({ KAFKA_PARTITIONS: '0' })).toEqual([expect.stringMatching(/^KAFKA_PARTITIONS must be an integer from 1 to 1000/)]);
  });

  it('reads the checkout and fault-injection settings', () => {
    const config = parseConfig({ CHECKOUT_PAYMENT_TIMEOUT_MS: '800', PAYMENT_GATEWAY_LATE_ANSWER_MS: '1500', MESSAGING_DUPLICATE_DELIVERY: 'true' });
    expect(config).toMatchObject({ CHECKOUT_PAYMENT_TIMEOUT_MS: 800, PAYMENT_GATEWAY_LATE_ANSWER_MS: 1500, MESSAGING_DUPLICATE_DELIVERY: true });
    expect(problemsOf({ CHECKOUT_PAYMENT_TIMEOUT_MS: '0', MESSAGING_DUPLICATE_DELIVERY: 'maybe' })).toEqual([
      'CHECKOUT_PAYMENT_TIMEOUT_MS must be an integer from 1 to 86400000 (milliseconds) (got "0")',
      'MESSAGING_DUPLICATE_DELIVERY must be true or false (got "maybe")',
    ]);
  });

  it('accepts postgres:// URLs and esdb+discover:// cluster strings', () => {
    const config = parseConfig({ DATABASE_URL: 'postgres://localhost/agora', EVENT_STORE: 'esdb', EVENTSTORE_URL: 'esdb+discover://node1:2113,node2:2113' });
    expect(config.DATABASE_URL).toBe('postgres://localhost/agora');
    expect(config.EVENTSTORE_URL).toBe('esdb+discover://node1:2113,node2:2113');
  });

  it('treats an empty variable as unset', () => {
    const config = parseConfig({ DATABASE_URL: '', PORT: '' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PORT).toBe(3000);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be an integer from 1 to 65535 (got "abc")'],
    [{ PORT: '70000' }, 'PORT must be an integer from 1 to 65535 (got "70000")'],
    [{ PORT: '80.5' }, 'PORT must be an integer from 1 to 65535 (got "80.5")'],
    [{ DATABASE_URL: 'mysql://root@db/agora' }, 'DATABASE_URL must be a postgres:// or postgresql:// URL (got "mysql://root@db/agora")'],
    [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE must be an integer from 1 to 1000 (got "0")'],
    [{ EVENT_STORE: 'mysql' }, 'EVENT_STORE must be one of postgres, esdb (got "mysql")'],
    [{ EVENT_STORE: 'esdb', EVENTSTORE_URL: 'http://127.0.0.1:2113' }, 'EVENTSTORE_URL must be an esdb:// or esdb+discover:// URL (got "http://127.0.0.1:2113")'],
    [{ EVENT_STORE: 'esdb', EVENTSTORE_URL: 'esdb://' }, 'EVENTSTORE_URL must be an esdb:// or esdb+discover:// URL (got "esdb://")'],
    [{ EMBEDDED_POSTGRES_PORT: '-1' }, 'EMBEDDED_POSTGRES_PORT must be an integer from 1 to 65535 (got "-1")'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")'],
    [{ AUTH_MAX_FAILURES_PER_ACCOUNT: '0' }, 'AUTH_MAX_FAILURES_PER_ACCOUNT must be an integer from 1 to 1000000 (got "0")'],
    [{ AUTH_FAILURE_WINDOW_S: '86401' }, 'AUTH_FAILURE_WINDOW_S must be an integer from 1 to 86400 (seconds) (got "86401")'],
    [{ TRUST_PROXY_HOPS: 'yes' }, 'TRUST_PROXY_HOPS must be an integer from 0 to 10 (got "yes")'],
  ])('refuses %j with one line naming the variable', (env, problem) => {
    expect(problemsOf(env)).toEqual([problem]);
  });

  it('requires EVENTSTORE_URL when EVENT_STORE=esdb', () => {
    expect(problemsOf({ EVENT_STORE: 'esdb' })).toEqual([
      'EVENTSTORE_URL is required when EVENT_STORE=esdb (an esdb:// or esdb+discover:// URL)',
    ]);
  });

  it('reports every bad variable at once, one line each', () => {
    const error = (() => {
      try {
        parseConfig({ PORT: 'abc', EVENT_STORE: 'mysql', LOG_LEVEL: 'loud' });
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error?.message.split('\n')).toEqual([
      'Invalid configuration: PORT must be an integer from 1 to 65535 (got "abc")',
      'Invalid configuration: EVENT_STORE must be one of postgres, esdb (got "mysql")',
      'Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ]);
  });

  it('still checks the esdb URL when other variables are bad', () => {
    expect(problemsOf({ PORT: 'abc', EVENT_STORE: 'esdb' })).toHaveLength(2);
  });

  it('refuses a JWT_SECRET with less than 32 bytes of entropy, without showing it', () => {
    const allows = '(at least 32 random bytes, e.g. 43 base64 or 64 hex characters (openssl rand -base64 32))';
    expect(problemsOf({ JWT_SECRET: 'x'.repeat(40) })).toEqual([`JWT_SECRET is too short: at most 240 bits of entropy, 256 needed ${allows}`]);
    expect(problemsOf({ JWT_SECRET: 'y'.repeat(64) })).toEqual([`JWT_SECRET repeats one character too often to be random ${allows}`]);
    const secret = 'Vq3lV0xkq9m0dQ2s8Hn4XJw5bYp1Rz7TfUe6Ca9LgKo';
    expect(parseConfig({ JWT_SECRET: secret }).JWT_SECRET).toBe(secret);
  });

  it('keeps passwords out of the message', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db/agora' })).toEqual([
      'DATABASE_URL must be a postgres:// or postgresql:// URL (got "mysql://root:***@db/agora")',
    ]);
    expect(withoutCredentials('postgres://agora@db/agora')).toBe('postgres://agora@db/agora');
  });

  it('documents every variable for the README', () => {
    const rows = configReference();
    expect(rows.map((row) => row.name)).toEqual([
      'PORT',
      'HOST',
      'DATABASE_URL',
      'DATABASE_POOL_SIZE',
      'EVENT_STORE',
      'EVENTSTORE_URL',
      'EMBEDDED_POSTGRES_PORT',
      'EMBEDDED_POSTGRES_DIR',
      'LOG_LEVEL',
      'LOG_FORMAT',
      'CHECKOUT_RESERVATION_TIMEOUT_MS',
      'CHECKOUT_PAYMENT_TIMEOUT_MS',
      'RESERVATION_TTL_MS',
      'ORDER_MAX_PENDING_PER_CUSTOMER',
      'ORDER_MAX_PENDING_UNITS_PER_CUSTOMER',
      'PAYMENT_GATEWAY_LATENCY_MS',
      'PAYMENT_GATEWAY_LATE_ANSWER_MS',
      'PAYMENT_GATEWAY_TIMEOUT_MS',
      'PROJECTION_LAG_DEGRADED_MS',
      'JWT_SECRET',
      'JWT_SECRET_FILE',
      'JWT_EXPIRES_IN_S',
      'AUTH_MAX_FAILURES_PER_ACCOUNT',
      'AUTH_MAX_FAILURES_PER_ADDRESS',
      'AUTH_FAILURE_WINDOW_S',
      'AUTH_MAX_REGISTRATIONS_PER_ADDRESS',
      'AUTH_REGISTRATION_WINDOW_S',
      'TRUST_PROXY_HOPS',
      'ADMIN_EMAIL',
      'ADMIN_PASSWORD',
      'DEMO_DATA',
      'NODE_ENV',
      'KAFKA_BROKERS',
      'KAFKA_TOPIC_PREFIX',
      'KAFKA_PARTITIONS',
      'REGISTRY_ENDPOINTS',
      'REGISTRY_PREFIX',
      'REGISTRY_LEASE_TTL_S',
      'INSTANCE_ID',
      'INSTANCE_WEIGHT',
      'ADVERTISE_HOST',
      'NGINX_BINARY',
      'NGINX_TEMPLATE',
      'NGINX_DIR',
      'GATEWAY_TIMEOUT_MS',
      'GATEWAY_BREAK_AFTER',
      'GATEWAY_HALF_OPEN_AFTER_MS',
      'BACKGROUND_FAILOVER_MS',
      'MESSAGING_DUPLICATE_DELIVERY',
    ]);
    expect(rows.find((row) => row.name === 'PORT')).toMatchObject({ default: '3000', allows: 'an integer from 1 to 65535' });
    expect(rows.find((row) => row.name === 'DATABASE_URL')).toMatchObject({ default: undefined, secret: true });
    for (const row of rows) expect(row.description).not.toBe('');
  });
});
