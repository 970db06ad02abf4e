import { describe, it } from '@jest/globals';
import { deciderSpec } from '@agora/testing';
import { ReservationNotCommittable } from '../../domain/errors.js';
import { productDecider } from '../../domain/product.js';
import { reservationDecider } from '../../domain/reservation.js';
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
