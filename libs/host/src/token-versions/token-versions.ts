import { Inject, Injectable, type Provider } from '@nestjs/common';
import { contractsFor, type Message, type MessageType } from '@agora/contracts';
import type { IntegrationMessage, MessageHandler } from '@agora/messaging';
import { isUserId, TOKEN_HOLDERS, TokenHolderCache, type Role, type TokenHolders } from '@agora/platform';
import { DataSource } from 'typeorm';
import type { ContextMessaging } from '../context-definition.js';
import { tokenCounts } from './token-version.js';
import { TOKEN_VERSIONS_SCHEMA } from './token-versions.read-model.js';

/** The app whose consumer group (`<app>.token-versions`) reads the user context's messages. */
export const TOKEN_VERSIONS_APP = Symbol('TokenVersionsApp');

const TABLE = `${TOKEN_VERSIONS_SCHEMA}.user_token_versions`;

/**
 * `TokenHolders` of an app without the user context: a token counts unless its version is
 * older than the latest one the app heard of for its user (no row: never revoked), and
 * the role is the token's own, since roles never change. Cached briefly per user
 * (`TOKEN_HOLDER_CACHE_MS`).
 */
@Injectable()
export class TokenVersionHolders implements TokenHolders {
  /** The latest version known per user; 0 for a user without a row. */
  private readonly known = new TokenHolderCache<number>((userId) => this.read(userId));

  constructor(private readonly readModels: DataSource) {}

  async roleFor(userId: string, tokenVersion: number, tokenRole: Role): Promise<Role | undefined> {
    if (!isUserId(userId)) return undefined;
    return tokenCounts((await this.known.get(userId))!, tokenVersion) ? tokenRole : undefined;
  }

  /** Drops what is cached of the user: for a change of their version applied here. */
  forget(userId: string): void {
    this.known.forget(userId);
  }

  private async read(userId: string): Promise<number> {
    const rows = (await this.readModels.query(`SELECT token_version FROM ${TABLE} WHERE user_id = $1`, [userId])) as { token_version: number }[];
    return rows[0]?.token_version ?? 0;
  }
}

/**
 * Keeps the table of token versions from `user.token-version-changed.v1`, as consumer
 * group `<app>.token-versions`. One statement keeps the greater of the stored and the
 * incoming version (`laterVersion`), so a redelivery or a message older than one already
 * applied changes nothing, and no inbox is needed. A group new to the broker reads the
 * topic from its beginning, and the topic is compacted: the app learns every version
 * that ever moved on, also for users who existed before it first started.
 */
@Injectable()
export class TokenVersionsHandler implements MessageHandler<Message> {
  readonly name: string;
  readonly types: readonly MessageType[] = ['user.token-version-changed.v1'];

  constructor(
    @Inject(TOKEN_VERSIONS_APP) app: string,
    private readonly readModels: DataSource,
    private readonly holders: TokenVersionHolders,
  ) {
    this.name = `${app}.token-versions`;
  }

  async handle(message: IntegrationMessage<Message>): Promise<void> {
    if (message.type !== 'user.token-version-changed.v1') throw new Error(`${this.name} does not handle ${message.type}.`);
    const { userId, tokenVersion } = message.data;
    await this.readModels.query(
      `INSERT INTO ${TABLE} AS kept (user_id, token_version, changed_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET token_version = EXCLUDED.token_version, changed_at = EXCLUDED.changed_at
       WHERE kept.token_version < EXCLUDED.token_version`,
      [userId, tokenVersion, message.metadata.occurredAt],
    );
    this.holders.forget(userId);
  }
}

/** The providers of an app that checks token versions from the table: `TOKEN_HOLDERS` bound to it, and its consumer. */
export function tokenVersionProviders(app: string): Provider[] {
  return [
    { provide: TOKEN_VERSIONS_APP, useValue: app },
    TokenVersionHolders,
    TokenVersionsHandler,
    { provide: TOKEN_HOLDERS, useExisting: TokenVersionHolders },
  ];
}

/** The token versions' part in an app's messaging (`tokenVersionProviders` makes its handler). */
export const TOKEN_VERSIONS: ContextMessaging = { name: 'token versions', handlers: [TokenVersionsHandler], consumes: contractsFor('user.token-version-changed.v1') };
