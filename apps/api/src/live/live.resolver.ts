import { UseGuards } from '@nestjs/common';
import { Args, Resolver, Subscription } from '@nestjs/graphql';
import type { ClearingOutcomeRow } from '@parkex/db';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { AnyRole } from '@parkex/api/auth/roles.decorator';
import {
  ClearingResultModel,
  mapClearingResult,
} from '@parkex/api/clearing/models/clearing-result.model';
import { DateTimeScalar } from '../graphql/scalars';
import { LiveService } from './live.service';

/** Live clearing results over graphql-ws (key in `connectionParams.authorization`); every role. */
@Resolver()
@UseGuards(ApiKeyGuard)
@AnyRole()
export class LiveResolver {
  constructor(private readonly live: LiveService) {}

  @Subscription(() => ClearingResultModel, {
    name: 'clearingPublished',
    description:
      'Each clearing result as soon as it is committed (of one product, or all), from whichever matcher and whichever API replica. ' +
      'With since: first the results cleared after that instant (at most 24 hours ago, oldest first), then the live ones, each once; ' +
      'a client that reconnects passes the clearedAt of the last result it received and misses nothing.',
    // The feed pushes one row object to every subscriber: its fills are read once for all.
    resolve: (row: ClearingOutcomeRow) => ({ ...mapClearingResult(row), published: row }),
  })
  clearingPublished(
    @Args('productCode', { type: () => String, nullable: true }) productCode?: string | null,
    @Args('since', { type: () => DateTimeScalar, nullable: true }) since?: Date | null,
  ): Promise<AsyncIterableIterator<ClearingOutcomeRow>> {
    return this.live.subscribe({ productCode, since });
  }
}
