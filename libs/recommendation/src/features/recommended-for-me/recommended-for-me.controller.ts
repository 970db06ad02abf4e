import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CurrentUser, type Principal } from '@agora/platform';
import { AlsoBoughtQuery, DEFAULT_ALSO_BOUGHT_LIMIT } from '../also-bought/also-bought.query.js';
import { Recommendations, type Recommendation } from '../recommendations.js';

export class RecommendedProduct implements Recommendation {
  @ApiProperty({ example: 'TEA-GREEN' })
  sku!: string;

  @ApiProperty({ description: 'How often it was bought together with what the customer bought, added up.', example: 7 })
  score!: number;
}

export class RecommendationsView {
  @ApiProperty()
  customerId!: string;

  @ApiProperty({ type: [RecommendedProduct], description: 'Best first, then by sku; nothing the customer already bought.' })
  recommendations!: RecommendedProduct[];
}

@ApiTags('recommendations')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token.' })
@Controller('recommendations')
export class RecommendedForMeController {
  constructor(private readonly recommendations: Recommendations) {}

  @Get('me')
  @ApiOperation({ summary: "Products for the signed-in customer: bought together with theirs, not yet theirs" })
  @ApiOkResponse({ type: RecommendationsView })
  @ApiBadRequestResponse({ description: 'limit is not a whole number from 1 to 50.' })
  async get(@CurrentUser() customer: Principal, @Query() query: AlsoBoughtQuery): Promise<RecommendationsView> {
    return { customerId: customer.userId, recommendations: await this.recommendations.recommendedFor(customer.userId, query.limit ?? DEFAULT_ALSO_BOUGHT_LIMIT) };
  }
}
