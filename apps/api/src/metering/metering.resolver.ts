import { UseGuards } from '@nestjs/common';
import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { CurrentPrincipal } from '@parkex/api/auth/current-principal.decorator';
import type { Principal } from '@parkex/api/auth/principal';
import { AnyRole, Roles } from '@parkex/api/auth/roles.decorator';
import { encodeCursor } from '../graphql/page-info.model';
import { MAX_METER_READINGS_PER_CALL } from '../graphql/list-bounds';
import { MeterReadingFilterInput, MeterReadingInput } from './dto/meter-reading.input';
import {
  mapMeterReading,
  MeterReadingConnectionModel,
  MeterReadingModel,
} from './models/meter-reading.model';
import { METER_READING_CURSOR, MeteringService } from './metering.service';

/** Meter readings. Class default: the metering system (METER); the list says who else. */
@Resolver(() => MeterReadingModel)
@UseGuards(ApiKeyGuard)
@Roles('METER')
export class MeteringResolver {
  constructor(private readonly service: MeteringService) {}

  @Mutation(() => [MeterReadingModel], {
    description: `Stores 1 to ${MAX_METER_READINGS_PER_CALL} meter readings, all or nothing (METER keys only); returns them in the same order. A (readingId, version) already stored with the same content returns the stored reading; with other content it is a CONFLICT (READING_CHANGED).`,
  })
  async submitMeterReadings(
    @CurrentPrincipal() principal: Principal,
    @Args('readings', { type: () => [MeterReadingInput] }) readings: MeterReadingInput[],
  ): Promise<MeterReadingModel[]> {
    return (await this.service.submit(principal, readings)).map(mapMeterReading);
  }

  @Query(() => MeterReadingConnectionModel, {
    description:
      "Meter readings, every version, newest first: every participant's for the operator and the auditor, a participant's own. first: 1 to 500 (default 50).",
  })
  @AnyRole()
  async meterReadings(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => MeterReadingFilterInput, nullable: true })
    filter?: MeterReadingFilterInput | null,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<MeterReadingConnectionModel> {
    const page = await this.service.list(principal, filter, first, after);
    const edges = page.readings.map((row) => ({
      cursor: encodeCursor(METER_READING_CURSOR, row.id),
      node: mapMeterReading(row),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}
