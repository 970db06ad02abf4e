import { BadRequestException, Body, Get, HttpCode, HttpException, HttpStatus, Inject, NotFoundException, Param, Post, Req, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { OperationsApi } from '@agora/host';
import type { IncomingMessage } from 'node:http';
import { ServiceUnavailable, type ContextClient, type GatewayContext } from './context-clients.js';
import { CONTEXT_CLIENTS } from './gateway.tokens.js';

/** An app's answer to one of the calls. */
interface Answer<T> {
  readonly app: string;
  readonly status: number;
  readonly body: T;
}

interface Projection {
  readonly name: string;
  readonly rebuild: { readonly startedAt: string } | null;
}

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values: readonly { readonly labels: Record<string, string | number> }[];
}

interface CorrelatedEvent {
  readonly messageId: string;
  readonly recordedAt: string;
  readonly app?: string;
}

interface Correlation {
  readonly correlationId: string;
  readonly events: readonly CorrelatedEvent[];
  readonly truncated: boolean;
}

/** A dead letter's id at the gateway: the app's name and its id there. */
const QUALIFIED_ID = /^([a-z]+):([1-9]\d{0,17})$/;

/**
 * The operations API of the distributed mode, at the public entry (nginx routes
 * `/api/admin/` here): the same paths as an all-in-one host's, answered by asking every
 * app with the caller's token. Lists are the apps' lists joined, each item naming its
 * `app`; a stream, a projection's rebuild or a dead letter's replay goes to the app that
 * has it; metrics, and the rebuilds under way, come from every instance of every app.
 * Each app checks the caller's role itself. An app that does not answer makes the request
 * 503, naming it, rather than an answer that leaves its part out unsaid (ADR 0031).
 */
@ApiExcludeController()
@OperationsApi('admin')
export class GatewayOperationsController {
  constructor(@Inject(CONTEXT_CLIENTS) private readonly clients: ReadonlyMap<string, ContextClient>) {}

  @Get('projections')
  async projections(@Req() request: IncomingMessage): Promise<unknown[]> {
    // A rebuild's progress is known to the instance that runs it: every instance is asked,
    // and each projection shows the latest rebuild any of them knows.
    const answers = await this.everyInstance<Projection[]>('/api/admin/projections', request);
    const byApp = new Map<string, Map<string, Projection>>();
    for (const { app, body } of ok(answers)) {
      const projections = byApp.get(app) ?? new Map<string, Projection>();
      byApp.set(app, projections);
      for (const projection of body) {
        const seen = projections.get(projection.name);
        projections.set(projection.name, { ...(seen ?? projection), rebuild: latest(seen?.rebuild ?? null, projection.rebuild) });
      }
    }
    return [...byApp].flatMap(([app, projections]) => [...projections.values()].map((projection) => ({ ...projection, app })));
  }

  @Post('projections/:name/rebuild')
  @HttpCode(HttpStatus.ACCEPTED)
  async rebuild(@Param('name') name: string, @Req() request: IncomingMessage): Promise<unknown> {
    const lists = await this.everyApp<{ name: string }[]>('GET', '/api/admin/projections', request);
    const owner = ok(lists).find((answer) => answer.body.some((projection) => projection.name === name));
    if (!owner) throw new NotFoundException(`There is no projection ${name}. Projections: ${joined(lists).map((projection) => projection.name).join(', ')}`);
    return passed({ app: owner.app, ...(await this.client(owner.app).rest('POST', `/api/admin/projections/${encodeURIComponent(name)}/rebuild`, request)) });
  }

  @Get('parked-events')
  async parkedEvents(@Req() request: IncomingMessage): Promise<unknown[]> {
    return joined(await this.everyApp('GET', `/api/admin/parked-events${searchOf(request)}`, request));
  }

  @Post('parked-events/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  async retryParked(@Body() body: unknown, @Req() request: IncomingMessage): Promise<{ asked: number }> {
    const answers = ok(await this.everyApp<{ asked: number }>('POST', '/api/admin/parked-events/retry', request, body ?? {}));
    return { asked: answers.reduce((sum, answer) => sum + answer.body.asked, 0) };
  }

  @Get('streams/:stream')
  async stream(@Param('stream') stream: string, @Req() request: IncomingMessage): Promise<unknown> {
    // Each app has its own store: the stream is in one of them, or in none.
    const answers = await this.everyApp('GET', `/api/admin/streams/${encodeURIComponent(stream)}${searchOf(request)}`, request);
    const found = answers.find((answer) => answer.status !== 404) ?? answers[0]!;
    return passed(found);
  }

  @Get('correlations/:id')
  async correlation(@Param('id') id: string, @Req() request: IncomingMessage): Promise<Correlation> {
    // Every app's events of the story, each app's in its log order, merged by the time
    // they were recorded. Apps that share one store (EventStoreDB) each answer all of it:
    // an event counts once, under the first app that answered it.
    const answers = await this.everyApp<Correlation>('GET', `/api/admin/correlations/${encodeURIComponent(id)}${searchOf(request)}`, request);
    const found = ok(answers.filter((answer) => answer.status !== 404));
    if (found.length === 0) return passed(answers[0]!);
    const events = new Map<string, CorrelatedEvent>();
    for (const event of mergedByRecordedAt(found.map(({ app, body }) => body.events.map((event) => ({ ...event, app }))))) {
      if (!events.has(event.messageId)) events.set(event.messageId, event);
    }
    return { correlationId: id, events: [...events.values()], truncated: found.some((answer) => answer.body.truncated) };
  }

  @Get('metrics')
  async metrics(@Req() request: IncomingMessage): Promise<Metric[]> {
    // Counters are each instance's own (the saga's, kept where the app's background work
    // runs): every instance is asked, and its values come labelled with app and instance.
    const answers = await this.everyInstance<Metric[]>(`/api/admin/metrics${searchOf(request)}`, request);
    const kept = answers.filter((answer) => answer.status !== 404);
    if (kept.length === 0) return passed(answers[0]!);
    // One metric of several apps and instances: their values together, each labelled.
    const byName = new Map<string, Metric>();
    for (const { app, instance, body } of ok(kept)) {
      for (const metric of body) {
        const values = metric.values.map((value) => ({ ...value, labels: { ...value.labels, app, instance } }));
        const seen = byName.get(metric.name);
        byName.set(metric.name, seen ? { ...seen, values: [...seen.values, ...values] } : { ...metric, values });
      }
    }
    return [...byName.values()];
  }

  @Get('dead-letters')
  async deadLetters(@Req() request: IncomingMessage): Promise<unknown[]> {
    return joined(await this.everyApp<{ id: string }[]>('GET', '/api/admin/dead-letters', request)).map((letter) => ({ ...letter, id: `${letter.app}:${letter.id}` }));
  }

  @Post('dead-letters/:id/replay')
  @HttpCode(HttpStatus.OK)
  async replay(@Param('id') id: string, @Req() request: IncomingMessage): Promise<unknown> {
    const [, app, own] = QUALIFIED_ID.exec(id) ?? [];
    if (!app || !own || !this.clients.has(app)) throw new BadRequestException(['id must be a dead letter’s id as the list gives it (<app>:<number>)']);
    return passed({ app, ...(await this.client(app).rest('POST', `/api/admin/dead-letters/${own}/replay`, request)) });
  }

  private client(app: string): ContextClient {
    return this.clients.get(app)!;
  }

  /** The same GET of every instance of every app, at once. */
  private async everyInstance<T>(path: string, request: IncomingMessage): Promise<(Answer<T> & { instance: string })[]> {
    const answers = await Promise.all(
      [...this.clients.values()].map(async (client) => {
        try {
          return (await client.restEachInstance<T>(path, request as GatewayContext['req'])).map((answer) => ({ ...answer, app: client.service }));
        } catch (error) {
          if (error instanceof ServiceUnavailable) throw new ServiceUnavailableException(error.message);
          throw error;
        }
      }),
    );
    return answers.flat();
  }

  /** The same call to every app, at once. */
  private everyApp<T>(method: string, path: string, request: IncomingMessage, body?: unknown): Promise<Answer<T>[]> {
    return Promise.all(
      [...this.clients.values()].map(async (client) => {
        try {
          return { app: client.service, ...(await client.rest<T>(method, path, request as GatewayContext['req'], body)) };
        } catch (error) {
          if (error instanceof ServiceUnavailable) throw new ServiceUnavailableException(error.message);
          throw error;
        }
      }),
    );
  }
}

/** Of two rebuilds (or none), the one begun last. */
function latest(one: Projection['rebuild'], other: Projection['rebuild']): Projection['rebuild'] {
  if (!one || !other) return one ?? other;
  return other.startedAt > one.startedAt ? other : one;
}

/**
 * Lists merged by the time their items were recorded, each list's own order kept: a
 * store's log order, which its recording times need not follow to the millisecond.
 */
function mergedByRecordedAt<T extends { readonly recordedAt: string }>(lists: readonly (readonly T[])[]): T[] {
  const next = lists.map(() => 0);
  const merged: T[] = [];
  for (;;) {
    let earliest = -1;
    lists.forEach((list, n) => {
      const head = list[next[n]!];
      if (head && (earliest === -1 || Date.parse(head.recordedAt) < Date.parse(lists[earliest]![next[earliest]!]!.recordedAt))) earliest = n;
    });
    if (earliest === -1) return merged;
    merged.push(lists[earliest]![next[earliest]!++]!);
  }
}

/** The answers, once every app answered 2xx; otherwise the first refusal, as that app gave it. */
function ok<A extends Answer<unknown>>(answers: readonly A[]): A[] {
  const refused = answers.find((answer) => answer.status >= 300);
  if (refused) passed(refused);
  return [...answers];
}

/** Every app's list, joined, each item naming its app. */
function joined<T>(answers: readonly Answer<readonly T[]>[]): (T & { app: string })[] {
  return ok(answers).flatMap(({ app, body }) => body.map((item) => ({ ...item, app })));
}

/** An app's answer as the gateway's: its body on 2xx, its error otherwise. */
function passed<T>(answer: Answer<T>): T {
  if (answer.status >= 300) throw new HttpException(answer.body as object, answer.status);
  return answer.body;
}

/** The query string of the request, as it came. */
function searchOf(request: IncomingMessage): string {
  const url = request.url ?? '';
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at);
}
