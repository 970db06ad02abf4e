import { describe, expect, it } from '@jest/globals';
import { deciderSpec } from '@agora/testing';
import { ConflictingReservationRequest, InsufficientStock, InvalidQuantity, ProductNotFound } from '../../domain/errors.js';
import { fold } from '@agora/event-sourcing';
import { productDecider, type Product, type ProductEvent } from '../../domain/product.js';
import { normalizeLines, reservationDecider } from '../../domain/reservation.js';
import { reserveAtOnce } from '../../domain/reserve-at-once.js';
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

describe('reserving stock at once, where one commit writes every stream', () => {
  const listed = (skuOf: string, ...events: ProductEvent[]): Product =>
    fold(productDecider, events.map((event) => ({ ...event, data: { ...event.data, sku: skuOf } }) as ProductEvent));
  /** A-1 with 5 in stock and two holds made before (its next is number 3); B-2 with 1, six holds made before (next: 7). */
  const products = () => [
    listed('A-1', product.added(7), product.reserved(otherOrderId, 1), product.released(otherOrderId, 1), product.reserved('x', 1)),
    listed('B-2', product.added(7), ...[1, 2, 3, 4, 5, 6].map((n) => product.reserved(`o${n}`, 1))),
  ];
  const none = reservationDecider.initialState();

  it('records the request, a hold on every product and the acceptance naming each hold', () => {
    expect(reserveAtOnce(orderId, lines, none, products())).toEqual({
      reservation: [reservation.requested, reservation.accepted],
      products: [
        [{ type: 'inventory.product-stock-reserved.v1', data: { sku: 'A-1', orderId, quantity: 2 } }],
        [{ type: 'inventory.product-stock-reserved.v1', data: { sku: 'B-2', orderId, quantity: 1 } }],
      ],
    });
  });

  it('records the request and its rejection, and holds nothing, when a line is short', () => {
    const [a] = products();
    const soldOut = listed('B-2', product.added(6), ...[1, 2, 3, 4, 5, 6].map((n) => product.reserved(`o${n}`, 1)));
    expect(reserveAtOnce(orderId, lines, none, [a!, soldOut])).toEqual({ reservation: [reservation.requested, reservation.rejected], products: [[], []] });
  });

  it('rejects an unknown sku as such', () => {
    expect(reserveAtOnce(orderId, lines, none, [products()[0]!, productDecider.initialState()])).toEqual({
      reservation: [reservation.requested, { type: 'inventory.reservation-rejected.v1', data: { orderId, sku: 'B-2', reason: 'unknown-sku' } }],
      products: [[], []],
    });
  });

  it('leaves a reservation that exists already to the steps', () => {
    const requested = fold(reservationDecider, [reservation.requested]);
    expect(reserveAtOnce(orderId, lines, requested, products())).toBeUndefined();
  });

  it('leaves an order a product has already settled to the steps', () => {
    const [a] = products();
    const settledB = listed('B-2', product.added(7), product.reserved(orderId, 1), product.released(orderId, 1));
    expect(reserveAtOnce(orderId, lines, none, [a!, settledB])).toBeUndefined();
  });
});
