import { Field, ObjectType } from '@nestjs/graphql';
import { badInput } from '../common/app-error';

/** Relay-style page information, shared by every connection. */
@ObjectType('PageInfo')
export class PageInfoModel {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

/**
 * An opaque cursor: base64 of `<kind>:<key>`. The kind keeps one connection's cursors from
 * being passed to another.
 */
export function encodeCursor(kind: string, key: string): string {
  return Buffer.from(`${kind}:${key}`, 'utf8').toString('base64');
}

/**
 * The key inside a cursor of this kind; BAD_USER_INPUT (field `after`) when it is not one, or
 * when `isKey` refuses the key.
 */
export function decodeCursor(
  kind: string,
  cursor: string,
  isKey: (key: string) => boolean = () => true,
  field = 'after',
): string {
  const text = /^[A-Za-z0-9+/]+={0,2}$/.test(cursor)
    ? Buffer.from(cursor, 'base64').toString('utf8')
    : '';
  const key = text.slice(kind.length + 1);
  if (!text.startsWith(`${kind}:`) || key === '' || !isKey(key)) {
    throw badInput(`${field} is not a cursor returned by this list`, { field });
  }
  return key;
}

/** Rows of a connection queried without `first`. */
export const DEFAULT_PAGE_SIZE = 50;
/** Largest `first` a connection accepts. */
export const MAX_PAGE_SIZE = 500;

/** Page size of a connection: `first` defaults to `fallback` and must lie in 1..`max`. */
export function pageSize(
  first: number | null | undefined,
  fallback = DEFAULT_PAGE_SIZE,
  max = MAX_PAGE_SIZE,
): number {
  if (first === undefined || first === null) return fallback;
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badInput(`first must be between 1 and ${max}, got ${first}`, {
      field: 'first',
      reason: 'PAGE_SIZE',
    });
  }
  return first;
}
