import { describe, it } from '@jest/globals';
import { deciderSpec } from '@agora/testing';
import { InvalidQuantity, ProductNotFound } from '../../domain/errors.js';
import { productDecider } from '../../domain/product.js';
import { product, productCommand } from '../inventory-examples.js';

const spec = deciderSpec(productDecider);

describe('adding stock', () => {
  it('adds the received units', () => spec.given(product.added()).when(productCommand.addStock(3)).then(product.stockAdded(3)));
  it('refuses an unknown product', () => spec.given().when(productCommand.addStock(3)).thenThrows(ProductNotFound));
  it('refuses a quantity of 0', () => spec.given(product.added()).when(productCommand.addStock(0)).thenThrows(InvalidQuantity));
  it('adds up to 1,000,000 units at once', () => spec.given(product.added()).when(productCommand.addStock(1_000_000)).then(product.stockAdded(1_000_000)));
  it('refuses more than 1,000,000 units at once, naming the bound', () =>
    spec.given(product.added()).when(productCommand.addStock(1_000_001)).thenThrows(/quantity must be a whole number from 1 to 1000000/));
  it('refuses a fractional quantity', () => spec.given(product.added()).when(productCommand.addStock(1.5)).thenThrows(InvalidQuantity));
});
