import { describe, expect, it } from '@jest/globals';
import { deciderSpec } from '@agora/testing';
import { ConflictingReservationRequest, InsufficientStock, InvalidQuantity, ProductNotFound } from '../../domain/errors.js';
import { productDecider } from '../../domain/product.js';
import { normalizeLines, reservationDecider } from '../../domain/reservation.js';
import { lines, orderId, otherOrderId, product, productCommand, reservation, reservationCommand } from '../inventory-examples.js';

describe('reserving stock', () => {
  describe('on a product, for one order', () => {
    const spec = deciderSpec(productDecider);

    it('holds the units when enough are available', () => spec.given(product.added(5)).when(productCommand.reserve(orderId, 5)).then(product.reserved(orderId, 5)));
    it('counts stock added later', () =>
      spec.given(product.added(0), product.stockAdded(2)).when(productCommand.reserve(orderId, 2)).then(product.reserved(orderId, 2)));
    it('does nothing the second time for the same order', () =>
      spec.given(product.added(5), product.reserved(orderId, 2)).when(productCommand.reserve(orderId, 2)).thenNothing());
    it('does nothing for an order whose hold was released', () =>
      spec.given(product.added(5), product.reserved(orderId, 2), product.released(orderId, 2)).when(productCommand.reserve(orderId, 2)).thenNothing());
    it('does nothing for an order whose hold was sold', () =>
      spec.given(product.added(5), product.reserved(orderId, 2), product.sold(orderId, 2)).when(productCommand.reserve(orderId, 2)).thenNothing());
    it('is rejected, saying what is available, when other orders hold the rest', () => {
      const when = spec.given(product.added(5), product.reserved(otherOrderId, 4)).when(productCommand.reserve(orderId, 2));
      when.thenThrows(InsufficientStock);
      when.thenThrows('asks for 2 of MUG-BLUE, but only 1 are available');
    });
    it('is rejected for an unknown product', () => spec.given().when(productCommand.reserve(orderId, 1)).thenThrows(ProductNotFound));
    it('refuses a quantity of 0', () => spec.given(product.added()).when(productCommand.reserve(orderId, 0)).thenThrows(InvalidQuantity));
  });

  describe('for an order, across products', () => {
    const spec = deciderSpec(reservationDecider);
    const { requested, accepted, rejected, released } = reservation;
    const { request, accept, reject } = reservationCommand;

    it('records the request with one line per sku, sorted by sku', () =>
      spec
        .given()
        .when(request([{ sku: 'B-2', quantity: 1 }, { sku: 'A-1', quantity: 1 }, { sku: 'A-1', quantity: 1 }]))
        .then(requested));
    it('records nothing when the request is redelivered', () => spec.given(requested).when(request([...lines].reverse())).thenNothing());
    it('records nothing when the request comes after the outcome', () => spec.given(requested, rejected).when(request()).thenNothing());
    it('records nothing when the request comes after its release', () => spec.given(released).when(request()).thenNothing());
    it('refuses other lines for the same order', () =>
      spec.given(requested).when(request([{ sku: 'A-1', quantity: 3 }])).thenThrows(ConflictingReservationRequest));

    it('accepts a requested reservation with its lines', () => spec.given(requested).when(accept).then(accepted));
    it('rejects a requested reservation, naming the sku and reason', () => spec.given(requested).when(reject).then(rejected));
    it('accepts only once', () => spec.given(requested, accepted).when(accept).thenNothing());
    it('rejects only once', () => spec.given(requested, rejected).when(reject).thenNothing());
    it('does not accept what was released meanwhile', () => spec.given(requested, released).when(accept).thenNothing());
    it('does not reject what was accepted', () => spec.given(requested, accepted).when(reject).thenNothing());
    it('refuses to accept a reservation never requested', () => spec.given().when(accept).thenThrows(/never requested/));
    it('refuses to reject a reservation never requested', () => spec.given().when(reject).thenThrows(/never requested/));
  });

  it('orders lines by sku without changing the input', () => {
    const input = [{ sku: 'Z-9', quantity: 1 }, { sku: 'A-1', quantity: 2 }];
    expect(normalizeLines(input)).toEqual([{ sku: 'A-1', quantity: 2 }, { sku: 'Z-9', quantity: 1 }]);
    expect(input[0]!.sku).toBe('Z-9');
  });
});
