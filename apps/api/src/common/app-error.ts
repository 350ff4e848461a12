/**
 * The error codes clients see in GraphQL `extensions.code`. Services throw `AppError`
 * (never HTTP exceptions); `graphql/format-error.ts` is the one place that maps errors.
 */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'GATE_CLOSED',
  'SELF_CROSS',
  'RATE_LIMITED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorDetails {
  /** The input field at fault, e.g. `input.priceTick` or `orders[3].price`. */
  field?: string;
  /** The precise domain reason, e.g. `OFF_TICK`. */
  reason?: string;
  [key: string]: unknown;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const unauthenticated = (
  message = 'an API key is required: send Authorization: Bearer <key>',
) => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message: string, details?: ErrorDetails) =>
  new AppError('FORBIDDEN', message, details);
export const badInput = (message: string, details?: ErrorDetails) =>
  new AppError('BAD_USER_INPUT', message, details);
export const notFound = (message: string) => new AppError('NOT_FOUND', message);
export const conflict = (message: string, details?: ErrorDetails) =>
  new AppError('CONFLICT', message, details);
