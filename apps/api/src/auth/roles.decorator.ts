import { SetMetadata } from '@nestjs/common';
import type { Role } from '@parkex/db';

export const ROLES_KEY = 'parkex:roles';

/** Restricts a resolver class or method to these roles (method wins over class). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/**
 * Every role that uses the market may call it: PARTICIPANT, OPERATOR and AUDITOR. Never METER,
 * whose keys may submit meter readings and nothing else.
 */
export const AnyRole = () => SetMetadata(ROLES_KEY, ['PARTICIPANT', 'OPERATOR', 'AUDITOR']);
