import { UseGuards } from '@nestjs/common';
import {
  Args,
  Field,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import type { SafetyEventRow } from '@parkex/db';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { CurrentPrincipal } from '@parkex/api/auth/current-principal.decorator';
import type { Principal } from '@parkex/api/auth/principal';
import { AnyRole, Roles } from '@parkex/api/auth/roles.decorator';
import { encodeCursor } from '../graphql/page-info.model';
import { AssetsService, SAFETY_EVENT_CURSOR } from './assets.service';
import { AssetInput } from './dto/asset.input';
import { TelemetrySampleInput } from './dto/telemetry.input';
import { AssetModel, mapAsset } from './models/asset.model';
import { ExpectedImbalanceModel, mapImbalance } from './models/expected-imbalance.model';
import {
  mapSafetyEvent,
  SafetyEventConnectionModel,
  SafetyEventModel,
} from './models/safety-event.model';
import { mapRules, SafetyRulesInput, SafetyRulesModel } from './models/safety-rules.model';
import { mapSample, TelemetrySampleModel } from './models/telemetry.model';
import { SafetyFeedService } from './safety-feed.service';

@ObjectType('TelemetryIngest')
export class TelemetryIngestModel {
  @Field(() => Int, { description: 'Samples stored now' }) accepted!: number;
  @Field(() => Int, {
    description: 'Samples already stored under the same asset and time (skipped)',
  })
  duplicates!: number;
  @Field(() => [SafetyEventModel], { description: 'Changes of level the batch caused' })
  events!: SafetyEventModel[];
  @Field(() => [AssetModel], { description: "The batch's assets after it" })
  assets!: AssetModel[];
}

@ObjectType('SafetyAcknowledgement')
export class SafetyAcknowledgementModel {
  @Field(() => AssetModel) asset!: AssetModel;
  @Field(() => [SafetyEventModel], {
    description: 'ACKNOWLEDGED, and LEVEL_CHANGED if it fell at once',
  })
  events!: SafetyEventModel[];
}

/** Assets and storage safety. Class default: the operator; each field says who else. */
@Resolver(() => AssetModel)
@UseGuards(ApiKeyGuard)
@Roles('OPERATOR')
export class AssetsResolver {
  constructor(
    private readonly service: AssetsService,
    private readonly feed: SafetyFeedService,
  ) {}

  @Mutation(() => AssetModel, { description: "Registers a participant's asset (operator)" })
  async registerAsset(@Args('input') input: AssetInput): Promise<AssetModel> {
    return mapAsset(await this.service.register(input));
  }

  @Query(() => [AssetModel], {
    description:
      "A participant's own assets; every asset for the operator and the auditor (at most 500)",
  })
  @AnyRole()
  async assets(@CurrentPrincipal() principal: Principal): Promise<AssetModel[]> {
    return (await this.service.list(principal)).map(mapAsset);
  }

  @Query(() => AssetModel, {
    description: 'One asset (yours, or any for the operator and the auditor)',
  })
  @AnyRole()
  async asset(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<AssetModel> {
    return mapAsset(await this.service.get(principal, id));
  }

  @Query(() => [SafetyRulesModel], { description: 'The early-warning rules of every asset kind' })
  @AnyRole()
  async safetyRules(): Promise<SafetyRulesModel[]> {
    return (await this.service.rules()).map(mapRules);
  }

  @Mutation(() => SafetyRulesModel, {
    description: "Replaces an asset kind's early-warning rules (operator)",
  })
  async setSafetyRules(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: SafetyRulesInput,
  ): Promise<SafetyRulesModel> {
    return mapRules(await this.service.setRules(principal, input));
  }

  @Mutation(() => TelemetryIngestModel, {
    description:
      "Stores 1 to 5000 battery management samples of your assets, all or nothing; a resent (asset, time) is skipped. Each asset's samples oldest first, not before its last stored one, at most 5 s ahead of the exchange's clock and at most 7 days old. A change of safety level acts on the asset's orders in the same transaction.",
  })
  @Roles('PARTICIPANT')
  async ingestTelemetry(
    @CurrentPrincipal() principal: Principal,
    @Args('samples', { type: () => [TelemetrySampleInput] }) samples: TelemetrySampleInput[],
  ): Promise<TelemetryIngestModel> {
    const outcome = await this.service.ingest(principal, samples);
    return {
      accepted: outcome.accepted,
      duplicates: outcome.duplicates,
      events: outcome.events.map(mapSafetyEvent),
      assets: outcome.assets.map(mapAsset),
    };
  }

  @Mutation(() => SafetyAcknowledgementModel, {
    description:
      "Acknowledges an asset's ALARM (operator): it trades again once its level has been below ALARM for the hold time",
  })
  async acknowledgeSafetyAlarm(
    @CurrentPrincipal() principal: Principal,
    @Args('assetId', { type: () => ID }) assetId: string,
  ): Promise<SafetyAcknowledgementModel> {
    const outcome = await this.service.acknowledge(principal, assetId);
    return { asset: mapAsset(outcome.asset), events: outcome.events.map(mapSafetyEvent) };
  }

  @Query(() => SafetyEventConnectionModel, {
    description:
      "Safety events newest first, of one asset or of all you may see (your own assets' as a participant). first: 1 to 500 (default 50).",
  })
  @AnyRole()
  async safetyEventConnection(
    @CurrentPrincipal() principal: Principal,
    @Args('assetId', { type: () => ID, nullable: true }) assetId?: string,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<SafetyEventConnectionModel> {
    const page = await this.service.events(principal, assetId, first, after);
    const edges = page.events.map((event) => ({
      cursor: encodeCursor(SAFETY_EVENT_CURSOR, event.id),
      node: mapSafetyEvent(event),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  @Query(() => [ExpectedImbalanceModel], {
    description:
      'Cleared deliveries of suspended assets that have not ended: expected imbalance (operator, auditor; at most 500)',
  })
  @Roles('OPERATOR', 'AUDITOR')
  async expectedImbalances(): Promise<ExpectedImbalanceModel[]> {
    return (await this.service.imbalances()).map(mapImbalance);
  }

  @Query(() => [TelemetrySampleModel], {
    description: "An asset's newest samples, newest first (last: 1 to 500, default 60)",
  })
  @AnyRole()
  async telemetry(
    @CurrentPrincipal() principal: Principal,
    @Args('assetId', { type: () => ID }) assetId: string,
    @Args('last', { type: () => Int, nullable: true }) last?: number,
  ): Promise<TelemetrySampleModel[]> {
    return (await this.service.telemetry(principal, assetId, last)).map(mapSample);
  }

  @Subscription(() => SafetyEventModel, {
    name: 'safetyEvents',
    description:
      'Each safety event as soon as it is committed, from whichever replica or matcher: of one asset, or of all you may see (the owner its own assets; the operator and the auditor all)',
    resolve: (event: SafetyEventRow) => mapSafetyEvent(event),
  })
  @AnyRole()
  async safetyEventsLive(
    @CurrentPrincipal() principal: Principal,
    @Args('assetId', { type: () => ID, nullable: true }) assetId?: string | null,
  ): Promise<AsyncIterableIterator<SafetyEventRow>> {
    if (assetId !== null && assetId !== undefined) await this.service.get(principal, assetId);
    return this.feed.subscribe(principal, assetId ?? null);
  }
}
