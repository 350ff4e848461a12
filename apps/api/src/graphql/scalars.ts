import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

const DECIMAL = /^-?(0|[1-9]\d{0,29})(\.\d{1,18})?$/;

function decimalFrom(value: unknown): string {
  if (typeof value !== 'string') {
    throw new GraphQLError('Decimal values travel as strings, e.g. "0.4215"', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  if (!DECIMAL.test(value)) {
    throw new GraphQLError(`"${value}" is not a decimal number (digits with an optional . part)`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}

/** Exact decimal numbers as strings: prices, quantities, money. Never floats. */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'Decimal number as a string, e.g. "0.4215", "-12.5"',
  serialize: (value) => String(value),
  parseValue: decimalFrom,
  parseLiteral: (ast: ValueNode) => {
    if (ast.kind !== Kind.STRING) return decimalFrom(undefined);
    return decimalFrom(ast.value);
  },
});

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function dateFrom(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) {
    throw new GraphQLError(
      `${JSON.stringify(value)} is not an ISO-8601 instant with a time zone, e.g. "2026-11-27T10:15:00Z"`,
      { extensions: { code: 'BAD_USER_INPUT' } },
    );
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError(`"${value}" is not a valid date`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return date;
}

/** Instants as ISO-8601 UTC strings. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'ISO-8601 instant in UTC',
  serialize: (value) => {
    const date = value instanceof Date ? value : new Date(String(value));
    return date.toISOString();
  },
  parseValue: dateFrom,
  parseLiteral: (ast: ValueNode) => dateFrom(ast.kind === Kind.STRING ? ast.value : undefined),
});
