import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Public } from '@agora/platform';
import { Recommendations } from '../recommendations.js';
import { AlsoBoughtQuery, DEFAULT_ALSO_BOUGHT_LIMIT } from './also-bought.query.js';
import { AlsoBoughtView } from './also-bought.view.js';

@ApiTags('recommendations')
@Public()
@Controller('products')
export class AlsoBoughtController {
  constructor(private readonly recommendations: Recommendations) {}

  @Get(':sku/also-bought')
  @ApiOperation({
    summary: 'Products bought in the same orders as this one, most often first',
    description: 'A sku never bought together with another (or unknown) answers with an empty list.',
  })
  @ApiParam({ name: 'sku', example: 'MUG-BLUE' })
  @ApiOkResponse({ type: AlsoBoughtView })
  @ApiBadRequestResponse({ description: 'limit is not a whole number from 1 to 50.' })
  async get(@Param('sku') sku: string, @Query() query: AlsoBoughtQuery): Promise<AlsoBoughtView> {
    return AlsoBoughtView.of(sku, await this.recommendations.alsoBought(sku, query.limit ?? DEFAULT_ALSO_BOUGHT_LIMIT));
  }
}
