import { registerEnumType } from '@nestjs/graphql';

export enum RoleEnum {
  PARTICIPANT = 'PARTICIPANT',
  OPERATOR = 'OPERATOR',
  AUDITOR = 'AUDITOR',
  /** The metering system: submits meter readings, nothing else. */
  METER = 'METER',
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

export enum AssetKindEnum {
  BATTERY = 'BATTERY',
  HEAT_TANK = 'HEAT_TANK',
  PV = 'PV',
  CHP = 'CHP',
  HEAT_PUMP = 'HEAT_PUMP',
  BOILER = 'BOILER',
  EV_HUB = 'EV_HUB',
  ELECTROLYSER = 'ELECTROLYSER',
}
registerEnumType(AssetKindEnum, { name: 'AssetKind' });

export enum SafetyLevelEnum {
  NORMAL = 'NORMAL',
  WATCH = 'WATCH',
  WARNING = 'WARNING',
  ALARM = 'ALARM',
}
registerEnumType(SafetyLevelEnum, {
  name: 'SafetyLevel',
  description:
    'Early-warning level of an asset: WARNING derates it on the market, ALARM suspends it (docs/storage-safety.md)',
});

export enum SafetyRuleEnum {
  CELL_TEMPERATURE = 'CELL_TEMPERATURE',
  TEMPERATURE_RISE = 'TEMPERATURE_RISE',
  CELL_VOLTAGE_SPREAD = 'CELL_VOLTAGE_SPREAD',
  OFF_GAS = 'OFF_GAS',
  SOC_WINDOW = 'SOC_WINDOW',
  STATE_OF_HEALTH = 'STATE_OF_HEALTH',
  FAULT_FLAGS = 'FAULT_FLAGS',
  TELEMETRY_LOST = 'TELEMETRY_LOST',
}
registerEnumType(SafetyRuleEnum, { name: 'SafetyRule' });

export enum SafetyEventKindEnum {
  LEVEL_CHANGED = 'LEVEL_CHANGED',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
}
registerEnumType(SafetyEventKindEnum, { name: 'SafetyEventKind' });

export enum AssetTradingEnum {
  FULL = 'FULL',
  DERATED = 'DERATED',
  SUSPENDED = 'SUSPENDED',
}
registerEnumType(AssetTradingEnum, {
  name: 'AssetTrading',
  description:
    'What the safety level allows: FULL (NORMAL, WATCH), DERATED (WARNING), SUSPENDED (ALARM)',
});
