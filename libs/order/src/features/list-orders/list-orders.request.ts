import { ArgsType, Field } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQuery } from '@agora/platform';
import { IsIn, IsOptional } from 'class-validator';
import { OrderView } from '../get-order/order.view.js';

const STATUSES = ['PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLED'] as const;

@ArgsType()
export class ListOrdersQuery extends PageQuery {
  @ApiPropertyOptional({ enum: STATUSES, description: 'Only orders in this status.' })
  @Field(() => String, { nullable: true, description: 'PENDING, CONFIRMED, REJECTED or CANCELLED.' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];
}

export class OrderPage {
  @ApiProperty({ type: [OrderView] })
  items!: OrderView[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next page; null on the last one.' })
  nextCursor!: string | null;
}
