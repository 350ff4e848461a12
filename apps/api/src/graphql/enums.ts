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
