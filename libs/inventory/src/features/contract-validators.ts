import { buildMessage, ValidateBy, type ValidationOptions } from 'class-validator';
import { inventoryEvents } from '@agora/contracts';

// class-validator decorators backed by the contract schemas, so that the REST API accepts
// exactly the skus and currencies that integration messages carry. (The contracts library
// exports the field schemas only as parts of its messages.)
const { sku, currency } = inventoryEvents['inventory.product-listed.v1'].shape;

export function IsSku(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSku',
      validator: {
        validate: (value) => sku.safeParse(value).success,
        defaultMessage: buildMessage((each) => `${each}$property must be 1 to 64 upper-case letters, digits and dashes, starting with a letter or digit`, options),
      },
    },
    options,
  );
}

export function IsCurrencyCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCurrencyCode',
      validator: {
        validate: (value) => currency.safeParse(value).success,
        defaultMessage: buildMessage((each) => `${each}$property must be an ISO 4217 code of 3 upper-case letters`, options),
      },
    },
    options,
  );
}
