import { describe, expect, it } from '@jest/globals';
import { fold } from '@agora/event-sourcing';
import { deciderSpec } from '@agora/testing';
import { ReservationNotCommittable } from '../../domain/errors.js';
import { productDecider } from '../../domain/product.js';
import { reservationDecider } from '../../domain/reservation.js';
import { commitAtOnce } from '../../domain/reserve-at-once.js';
import { orderId, otherOrderId, product, productCommand, reservation, reservationCommand } from '../inventory-examples.js';

describe('committing a reservation', () => {
  describe('on a product', () => {
    const spec = deciderSpec(productDecider);

    it('sells the order’s units', () => spec.given(product.added(5), product.reserved(orderId, 3)).when(productCommand.sell(orderId)).then(product.sold(orderId, 3)));
    it('does nothing the second time', () =>
      spec.given(product.added(5), product.reserved(orderId, 3), product.sold(orderId, 3)).when(productCommand.sell(orderId)).thenNothing());
    it('sells the hold the reservation was accepted with', () =>
      spec.given(product.added(5), product.reserved(otherOrderId, 1), product.reserved(orderId, 3)).when(productCommand.sell(orderId, 2)).then(product.sold(orderId, 3)));
    it('does nothing when the accepted hold is sold already', () =>
      spec.given(product.added(5), product.reserved(orderId, 3), product.sold(orderId, 3)).when(productCommand.sell(orderId, 1)).thenNothing());
    it('gives back a hold the order made after its accepted one was sold', () =>
      spec
        .given(product.added(5), product.reserved(orderId, 3), product.sold(orderId, 3), product.reserved(orderId, 2))
        .when(productCommand.sell(orderId, 1))
        .then(product.released(orderId, 2)));
    it('does nothing for an order it no longer remembers (sold long ago)', () => spec.given(product.added(5)).when(productCommand.sell(orderId, 1)).thenNothing());
    it('refuses an order whose hold was released', () =>
      spec.given(product.added(5), product.reserved(orderId, 3), product.released(orderId, 3)).when(productCommand.sell(orderId)).thenThrows(ReservationNotCommittable));
  });

  describe('of an order', () => {
    const spec = deciderSpec(reservationDecider);
    const { requested, accepted, rejected, released, committed } = reservation;
    const { commit } = reservationCommand;

    it('commits an accepted reservation', () => spec.given(requested, accepted).when(commit).then(committed));
    it('commits only once', () => spec.given(requested, accepted, committed).when(commit).thenNothing());
    it('refuses a rejected reservation', () => spec.given(requested, rejected).when(commit).thenThrows(ReservationNotCommittable));
    it('refuses a released reservation', () => spec.given(requested, accepted, released).when(commit).thenThrows(ReservationNotCommittable));
    it('refuses a reservation still being made', () => spec.given(requested).when(commit).thenThrows(ReservationNotCommittable));
    it('refuses a reservation never requested', () => spec.given().when(commit).thenThrows(/not requested/));
  });
});

describe('committing a reservation at once, where one commit writes every stream', () => {
  const { requested, accepted, committed, released } = reservation;
  // The accepted lines hold A-1's hold 3 and B-2's hold 7 (inventory-examples).
  const holding = (sku: string, number: number, quantity: number) =>
    fold(productDecider, [
      { ...product.added(9), data: { ...product.added(9).data, sku } },
      ...Array.from({ length: number - 1 }, (_, n) => ({ ...product.reserved(`o${n}`, 1), data: { sku, orderId: `o${n}`, quantity: 1 } })),
      { ...product.reserved(orderId, quantity), data: { sku, orderId, quantity } },
    ]);

  it('records the commit and sells each line’s accepted hold', () => {
    expect(commitAtOnce(orderId, fold(reservationDecider, [requested, accepted]), [holding('A-1', 3, 2), holding('B-2', 7, 1)])).toEqual({
      reservation: [committed],
      products: [
        [{ type: 'inventory.product-stock-sold.v1', data: { sku: 'A-1', orderId, quantity: 2 } }],
        [{ type: 'inventory.product-stock-sold.v1', data: { sku: 'B-2', orderId, quantity: 1 } }],
      ],
    });
  });

  it('leaves a reservation that is not reserved to the steps', () => {
    const products = [holding('A-1', 3, 2), holding('B-2', 7, 1)];
    expect(commitAtOnce(orderId, fold(reservationDecider, [requested, accepted, committed]), products)).toBeUndefined();
    expect(commitAtOnce(orderId, fold(reservationDecider, [requested, accepted, released]), products)).toBeUndefined();
    expect(commitAtOnce(orderId, fold(reservationDecider, [requested]), products)).toBeUndefined();
  });

  it('leaves a sale a product refuses to the steps', () => {
    const releasedOnB = fold(productDecider, [
      { ...product.added(9), data: { ...product.added(9).data, sku: 'B-2' } },
      { ...product.reserved(orderId, 1), data: { sku: 'B-2', orderId, quantity: 1 } },
      { ...product.released(orderId, 1), data: { sku: 'B-2', orderId, quantity: 1 } },
    ]);
    const withoutHolds = fold(reservationDecider, [requested, { ...accepted, data: { orderId, lines: [{ sku: 'A-1', quantity: 2 }, { sku: 'B-2', quantity: 1 }] } }]);
    expect(commitAtOnce(orderId, withoutHolds, [holding('A-1', 3, 2), releasedOnB])).toBeUndefined();
  });
});
