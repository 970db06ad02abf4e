import { describe, expect, it } from '@jest/globals';
import { deciderSpec } from '@agora/testing';
import { ProductNotFound, ReservationAlreadyCommitted } from '../../domain/errors.js';
import { productDecider } from '../../domain/product.js';
import { reservationDecider } from '../../domain/reservation.js';
import { heldLines, orderId, otherOrderId, product, productCommand, reservation, reservationCommand } from '../inventory-examples.js';

describe('releasing a reservation', () => {
  describe('on a product', () => {
    const spec = deciderSpec(productDecider);

    it('gives the order’s units back', () => spec.given(product.added(5), product.reserved(orderId, 3)).when(productCommand.release(orderId)).then(product.released(orderId, 3)));
    it('does nothing when the order holds nothing', () =>
      spec.given(product.added(5), product.reserved(otherOrderId, 3)).when(productCommand.release(orderId)).thenNothing());
    it('does nothing the second time', () =>
      spec.given(product.added(5), product.reserved(orderId, 3), product.released(orderId, 3)).when(productCommand.release(orderId)).thenNothing());
    it('refuses to put sold goods back', () =>
      spec.given(product.added(5), product.reserved(orderId, 3), product.sold(orderId, 3)).when(productCommand.release(orderId)).thenThrows(ReservationAlreadyCommitted));
    it('refuses an unknown product', () => spec.given().when(productCommand.release(orderId)).thenThrows(ProductNotFound));
  });

  describe('of an order', () => {
    const spec = deciderSpec(reservationDecider);
    const { requested, accepted, rejected, released, committed } = reservation;
    const { release } = reservationCommand;

    it('releases an accepted reservation', () => spec.given(requested, accepted).when(release).then(released));
    it('releases a reservation still being made', () => spec.given(requested).when(release).then(released));
    it('records the release of a rejected reservation, so the sender hears back', () => spec.given(requested, rejected).when(release).then(released));
    it('records the release of a reservation never requested', () => spec.given().when(release).then(released));
    it('releases only once', () => spec.given(requested, accepted, released).when(release).thenNothing());
    it('refuses to release a committed reservation', () => spec.given(requested, accepted, committed).when(release).thenThrows(ReservationAlreadyCommitted));

    it('remembers the lines to give back', () =>
      expect([requested, accepted, released].reduce(reservationDecider.evolve, reservationDecider.initialState())).toEqual({ status: 'released', orderId, lines: heldLines }));
  });
});
