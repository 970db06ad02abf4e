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
});
