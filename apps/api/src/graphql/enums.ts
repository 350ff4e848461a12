import { registerEnumType } from '@nestjs/graphql';

export enum RoleEnum {
  PARTICIPANT = 'PARTICIPANT',
  OPERATOR = 'OPERATOR',
  AUDITOR = 'AUDITOR',
}
registerEnumType(RoleEnum, { name: 'Role' });

export enum MechanismEnum {
  UNIFORM_PRICE = 'UNIFORM_PRICE',
  PAY_AS_BID = 'PAY_AS_BID',
}
registerEnumType(MechanismEnum, { name: 'Mechanism' });

export enum SideEnum {
  BUY = 'BUY',
  SELL = 'SELL',
}
registerEnumType(SideEnum, { name: 'Side' });

export enum OrderStatusEnum {
  OPEN = 'OPEN',
  CANCELLED = 'CANCELLED',
  FILLED = 'FILLED',
  PARTIALLY_FILLED = 'PARTIALLY_FILLED',
  UNFILLED = 'UNFILLED',
}
registerEnumType(OrderStatusEnum, { name: 'OrderStatus' });

export enum StatisticsBucketEnum {
  HOUR = 'HOUR',
  DAY = 'DAY',
}
registerEnumType(StatisticsBucketEnum, {
  name: 'StatisticsBucket',
  description: 'Buckets of delivery start, in UTC',
});
