import { registerEnumType } from '@nestjs/graphql';

export enum CarrierEnum {
  ELECTRICITY = 'ELECTRICITY',
  HEAT = 'HEAT',
}
registerEnumType(CarrierEnum, { name: 'Carrier' });

export enum AuctionStatusEnum {
  OPEN = 'OPEN',
  CLEARED = 'CLEARED',
  NO_TRADE = 'NO_TRADE',
  FAILED = 'FAILED',
}
registerEnumType(AuctionStatusEnum, { name: 'AuctionStatus' });

export enum AuctionOrderKindEnum {
  STEP = 'STEP',
  BLOCK = 'BLOCK',
  CONVERSION = 'CONVERSION',
  STORAGE = 'STORAGE',
}
registerEnumType(AuctionOrderKindEnum, { name: 'AuctionOrderKind' });

export enum BlockOutcomeEnum {
  ACCEPTED = 'ACCEPTED',
  PARTIALLY_ACCEPTED = 'PARTIALLY_ACCEPTED',
  REJECTED = 'REJECTED',
  PARADOXICALLY_REJECTED = 'PARADOXICALLY_REJECTED',
}
registerEnumType(BlockOutcomeEnum, { name: 'BlockOutcome' });
