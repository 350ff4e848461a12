import { UseGuards } from '@nestjs/common';
import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { Roles } from '@parkex/api/auth/roles.decorator';
import {
  mapParticipant,
  ParticipantModel,
} from '@parkex/api/participants/models/participant.model';
import { MAX_NAMED_PARTICIPANTS } from '../graphql/list-bounds';
import { DashboardService } from './dashboard.service';

/** What the utility dashboard needs beyond the market queries: names for the ids it shows. */
@Resolver()
@UseGuards(ApiKeyGuard)
@Roles('OPERATOR', 'AUDITOR')
export class DashboardResolver {
  constructor(private readonly service: DashboardService) {}

  @Query(() => [ParticipantModel], {
    description: `Participants by id (operator and auditor), e.g. to name the rows of settlements; unknown ids are left out. At most ${MAX_NAMED_PARTICIPANTS} ids.`,
  })
  async participantsByIds(
    @Args('ids', { type: () => [ID] }) ids: string[],
  ): Promise<ParticipantModel[]> {
    const participants = await this.service.byIds(ids);
    return participants.map(mapParticipant);
  }
}
