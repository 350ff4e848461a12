import { UseGuards } from '@nestjs/common';
import { Args, Field, Mutation, ObjectType, Resolver } from '@nestjs/graphql';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { Roles } from '@parkex/api/auth/roles.decorator';
import { DateTimeScalar } from '../graphql/scalars';
import { ClearingService } from './clearing.service';

@ObjectType('ClearingRetry', {
  description: 'A FAILED product-interval ordered to be cleared again',
})
export class ClearingRetryModel {
  @Field() productCode!: string;
  @Field(() => DateTimeScalar) deliveryStart!: Date;
  @Field({ description: 'RETRYING: the next matcher re-runs it once' }) state!: string;
}

/** The operator's re-run of a FAILED clearing (audited like every mutation). */
@Resolver()
@UseGuards(ApiKeyGuard)
@Roles('OPERATOR')
export class ClearingRetryResolver {
  constructor(private readonly service: ClearingService) {}

  @Mutation(() => ClearingRetryModel, {
    description:
      'Re-runs a FAILED clearing once: the interval becomes RETRYING and the next matcher clears it with one attempt; ' +
      'its result (or FAILED again) supersedes the failure in queries, both stay stored. ' +
      'NOT_FOUND for an unknown interval; CONFLICT (reason NOT_FAILED) when it is not FAILED.',
  })
  async retryClearing(
    @Args('productCode') productCode: string,
    @Args('deliveryStart', { type: () => DateTimeScalar }) deliveryStart: Date,
  ): Promise<ClearingRetryModel> {
    await this.service.retry(productCode, deliveryStart);
    return { productCode, deliveryStart, state: 'RETRYING' };
  }
}
