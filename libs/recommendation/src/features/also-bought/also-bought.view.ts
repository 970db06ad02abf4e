import { ApiProperty } from '@nestjs/swagger';
import type { AlsoBought } from '../recommendations.js';

export class AlsoBoughtProduct implements AlsoBought {
  @ApiProperty({ example: 'TEA-GREEN' })
  sku!: string;

  @ApiProperty({ description: 'Confirmed orders that contained both products.', example: 12 })
  count!: number;
}

/** Products bought together with one product, as the API shows them. */
export class AlsoBoughtView {
  @ApiProperty({ example: 'MUG-BLUE' })
  sku!: string;

  @ApiProperty({ type: [AlsoBoughtProduct], description: 'Most often bought together first, then by sku.' })
  alsoBought!: AlsoBoughtProduct[];

  static of(sku: string, alsoBought: readonly AlsoBought[]): AlsoBoughtView {
    return Object.assign(new AlsoBoughtView(), { sku, alsoBought: alsoBought.map((product) => Object.assign(new AlsoBoughtProduct(), product)) });
  }
}
