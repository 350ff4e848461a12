import { SetMetadata } from '@nestjs/common';
import type { Role } from '@parkex/db';

export const ROLES_KEY = 'parkex:roles';

/** Restricts a resolver class or method to these roles (method wins over class). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** Every authenticated role may call it. */
export const AnyRole = () => SetMetadata(ROLES_KEY, ['PARTICIPANT', 'OPERATOR', 'AUDITOR']);
