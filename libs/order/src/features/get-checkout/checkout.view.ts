import { ApiProperty } from '@nestjs/swagger';

export class CheckoutStepView {
  @ApiProperty({ description: 'The step the saga went to.', example: 'charging' })
  step!: string;

  @ApiProperty({ description: 'What moved it there.', example: 'inventory.stock-reserved.v1' })
  input!: string;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class CheckoutDeadlineView {
  @ApiProperty({ description: 'What the saga waits for.', example: 'payment' })
  name!: string;

  @ApiProperty({ format: 'date-time' })
  dueAt!: string;
}

export class CheckoutView {
  @ApiProperty({ format: 'uuid' })
  orderId!: string;

  @ApiProperty({ enum: ['active', 'completed', 'stuck'], description: '`stuck`: an operator must look at it; `reason` says why.' })
  status!: 'active' | 'completed' | 'stuck';

  @ApiProperty({ description: 'reserving, charging, confirming, confirmed, rejected, cancelled, …', example: 'charging' })
  currentStep!: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  reason!: string | null;

  @ApiProperty({ type: CheckoutDeadlineView, nullable: true })
  deadline!: CheckoutDeadlineView | null;

  @ApiProperty({ type: [CheckoutStepView] })
  steps!: CheckoutStepView[];

  @ApiProperty({
    type: [String],
    description: 'The commands of the checkout that undo an earlier step, by type: those its saga stream shows among what a step sent are compensations.',
    example: ['inventory.release-reservation.v1', 'payment.refund-payment.v1'],
  })
  compensations!: string[];
}
