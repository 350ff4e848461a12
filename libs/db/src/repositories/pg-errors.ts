/** PostgreSQL error helpers; only repositories look at driver errors. */
interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
  driverError?: PgError;
}

export function pgError(error: unknown): PgError {
  const e = (error ?? {}) as PgError;
  return e.driverError ?? e;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = pgError(error);
  return e.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
