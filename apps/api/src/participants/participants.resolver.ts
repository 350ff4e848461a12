import { UseGuards } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { CurrentPrincipal } from '@parkex/api/auth/current-principal.decorator';
import type { Principal } from '@parkex/api/auth/principal';
import { AnyRole, Roles } from '@parkex/api/auth/roles.decorator';
import { CreateParticipantInput } from './dto/create-participant.input';
import {
  CreatedParticipantModel,
  mapParticipant,
  ParticipantModel,
} from './models/participant.model';
import { ParticipantsService } from './participants.service';

@Resolver(() => ParticipantModel)
@UseGuards(ApiKeyGuard)
@Roles('OPERATOR')
export class ParticipantsResolver {
  constructor(private readonly participants: ParticipantsService) {}

  @Query(() => ParticipantModel, {
    description: 'The participant owning the API key of this request',
  })
  @AnyRole()
  async me(@CurrentPrincipal() principal: Principal): Promise<ParticipantModel> {
    return mapParticipant(await this.participants.get(principal.id));
  }

  @Mutation(() => CreatedParticipantModel)
  async createParticipant(
    @Args('input') input: CreateParticipantInput,
  ): Promise<CreatedParticipantModel> {
    const { participant, apiKey } = await this.participants.create(input.name, input.role);
    return { participant: mapParticipant(participant), apiKey };
  }

  @Mutation(() => String, { description: 'Issues an additional API key (rotation); shown once' })
  issueApiKey(@Args('participantId', { type: () => ID }) participantId: string): Promise<string> {
    return this.participants.issueKey(participantId);
  }

  @Mutation(() => Int, {
    description: "Revokes all of a participant's active API keys; returns how many",
  })
  revokeApiKey(@Args('participantId', { type: () => ID }) participantId: string): Promise<number> {
    return this.participants.revokeKeys(participantId);
  }

  @Mutation(() => ParticipantModel, {
    description:
      'Suspends trading: new orders are refused with the reason; OPEN orders whose gate is still open are cancelled at once',
  })
  async suspendParticipant(
    @Args('id', { type: () => ID }) id: string,
    @Args('reason') reason: string,
  ): Promise<ParticipantModel> {
    return mapParticipant(await this.participants.suspend(id, reason));
  }

  @Mutation(() => ParticipantModel, { description: 'Lifts a suspension' })
  async reinstateParticipant(
    @Args('id', { type: () => ID }) id: string,
  ): Promise<ParticipantModel> {
    return mapParticipant(await this.participants.reinstate(id));
  }
}
