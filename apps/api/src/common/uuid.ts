/**
 * Whether `value` is a UUID in its canonical text form (any version, either case): ids from
 * outside are checked before they reach a `uuid` column, where PostgreSQL would refuse them.
 */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
