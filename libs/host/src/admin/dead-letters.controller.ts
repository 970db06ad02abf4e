import { BadRequestException, Get, HttpCode, HttpStatus, Inject, NotFoundException, Param, Post, UnprocessableEntityException } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { PostgresDeadLetters, TRANSPORT, type Transport } from '@agora/messaging';
import { PG_POOL } from '@agora/platform';
import type pg from 'pg';
import { DeadLetterView, deadLetterViewOf, ReplayAnswer } from './operations.views.js';
import { OperationsApi } from './operations-controller.js';

/** A dead letter's id: the row's, a positive whole number. */
const DEAD_LETTER_ID = /^[1-9]\d{0,17}$/;

/**
 * The messages this app's consumers could not take, kept in `messaging.dead_letters`, and
 * their replay: each is handed to its consumer once more, and leaves the list when taken.
 * In one process, those that did not match their contract; in the distributed mode, the
 * records of Kafka's `.dlq` topics that name one of the app's consumers (malformed, or
 * failing every try), which the app copies there. Admins only.
 */
@OperationsApi('admin/dead-letters')
export class DeadLettersController {
  private readonly letters: PostgresDeadLetters;

  constructor(
    @Inject(PG_POOL) pool: pg.Pool,
    @Inject(TRANSPORT) private readonly transport: Transport,
  ) {
    this.letters = new PostgresDeadLetters(pool);
  }

  @Get()
  @ApiOperation({ summary: 'The dead letters of this app, oldest first: consumer, message, error, attempts' })
  @ApiOkResponse({ type: [DeadLetterView] })
  async list(): Promise<DeadLetterView[]> {
    return (await this.letters.list()).map(deadLetterViewOf);
  }

  @Post(':id/replay')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Hand a dead letter to its consumer once more',
    description:
      'Checked against the contract and handled as if it had just arrived (consumers are idempotent: a message one took before changes nothing). Taken: the letter leaves the list. Refused again: 422 with the reason, and the letter stays with one more attempt.',
  })
  @ApiParam({ name: 'id', description: 'The id from the list.' })
  @ApiOkResponse({ type: ReplayAnswer, description: 'The consumer took it.' })
  @ApiBadRequestResponse({ description: 'The id is not a dead letter’s id (a positive whole number).' })
  @ApiNotFoundResponse({ description: 'No such dead letter (or replayed already).' })
  @ApiConflictResponse({ description: 'Another replay of it is under way.' })
  @ApiUnprocessableEntityResponse({ description: 'The consumer refused it again; the letter stays, with the new error.' })
  async replay(@Param('id') id: string): Promise<ReplayAnswer> {
    if (!DEAD_LETTER_ID.test(id)) throw new BadRequestException(['id must be a dead letter’s id (a positive whole number)']);
    const redeliver = this.transport.redeliver?.bind(this.transport);
    const outcome = redeliver && (await this.letters.replay(id, (letter) => redeliver(letter.consumer, letter.message)));
    if (!outcome) throw new NotFoundException(`There is no dead letter ${id}.`);
    if (!outcome.replayed) throw new UnprocessableEntityException(`The consumer refused dead letter ${id} again: ${outcome.error}`);
    return { replayed: true };
  }
}
