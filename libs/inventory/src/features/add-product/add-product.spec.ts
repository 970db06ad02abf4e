import { describe, it } from '@jest/globals';
import { deciderSpec } from '@agora/testing';
import { InvalidQuantity, ProductAlreadyExists } from '../../domain/errors.js';
import { productDecider } from '../../domain/product.js';
import { product, productCommand } from '../inventory-examples.js';

const spec = deciderSpec(productDecider);

describe('adding a product', () => {
  it('lists a new product with its initial stock', () => spec.given().when(productCommand.add()).then(product.added(5)));
  it('accepts an initial stock of 0', () => spec.given().when(productCommand.add({ initialStock: 0 })).then(product.added(0)));
  it('refuses a sku that exists', () => spec.given(product.added()).when(productCommand.add()).thenThrows(ProductAlreadyExists));
  it('refuses a negative initial stock', () => spec.given().when(productCommand.add({ initialStock: -1 })).thenThrows(InvalidQuantity));
  it('refuses a fractional price', () => spec.given().when(productCommand.add({ priceCents: 9.5 })).thenThrows(/priceCents must be a whole number/));
  it('accepts the highest price and initial stock', () =>
    spec.given().when(productCommand.add({ priceCents: 100_000_000, initialStock: 1_000_000 })).then(product.added(1_000_000, { priceCents: 100_000_000 })));
  it('refuses a price above 1,000,000.00, naming the bound', () =>
    spec.given().when(productCommand.add({ priceCents: 100_000_001 })).thenThrows(/priceCents must be a whole number from 0 to 100000000/));
  it('refuses an initial stock above 1,000,000, naming the bound', () =>
    spec.given().when(productCommand.add({ initialStock: 1_000_001 })).thenThrows(/initialStock must be a whole number from 0 to 1000000/));
});
