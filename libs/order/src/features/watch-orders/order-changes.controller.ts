import { BadRequestException, Controller, Header, Headers, Sse, type MessageEvent } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { GlobalPosition } from '@agora/event-sourcing';
import { Roles } from '@agora/platform';
import { map, type Observable } from 'rxjs';
import { OrderChangesFeed, type OrderChange } from './order-changes.feed.js';

/** A position as the feed writes it in an event's id: `commit.prepare`. */
const POSITION = /^(\d{1,19})\.(\d{1,19})$/;

@ApiTags('orders')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@ApiForbiddenResponse({ description: 'Not an admin.' })
@Controller('orders')
export class OrderChangesController {
  constructor(private readonly feed: OrderChangesFeed) {}

  @Sse('changes')
  @Roles('admin')
  // nginx in front of the apps passes each event on at once instead of buffering the answer.
  @Header('X-Accel-Buffering', 'no')
  @ApiOperation({
    summary: "Every order's changes, live, as server-sent events (admins)",
    description: [
      'A `text/event-stream`. Event `reset` (first, without `Last-Event-ID`, or after a gap too long to replay): read the list again, changes follow from here.',
      'Event `orders`: `{"orders": [order, …]}`, each as `GET /api/orders/{id}` shows it, changed since the previous event.',
      'Event `alive`: nothing changed for a while.',
      "Every event's `id` is a position: reconnect with it as `Last-Event-ID` (an EventSource does) and nothing is missed.",
    ].join(' '),
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id of the last event received, to resume after it.' })
  @ApiOkResponse({ description: 'The stream of events; it ends when the host shuts down (reconnect).', content: { 'text/event-stream': {} } })
  changes(@Headers('last-event-id') lastEventId: string | undefined): Observable<MessageEvent> {
    const after = lastEventId === undefined || lastEventId === '' ? undefined : positionOf(lastEventId);
    return this.feed.follow(after).pipe(map(messageOf));
  }
}

function messageOf(change: OrderChange): MessageEvent {
  if (change.kind === 'orders') return { type: 'orders', id: idOf(change.position), data: { orders: change.orders } };
  return { type: change.kind, id: idOf(change.position), data: {} };
}

function idOf({ commit, prepare }: GlobalPosition): string {
  return `${commit}.${prepare}`;
}

function positionOf(id: string): GlobalPosition {
  const match = POSITION.exec(id);
  if (!match) throw new BadRequestException(['Last-Event-ID must be the id of an event this feed sent (two numbers joined by a dot)']);
  return { commit: Number(match[1]), prepare: Number(match[2]) };
}
