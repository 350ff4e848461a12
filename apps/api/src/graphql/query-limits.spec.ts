import fc from 'fast-check';
import { getOperationAST, GraphQLError, Kind, parse, visit, type DocumentNode } from 'graphql';
import { AppError } from '../common/app-error';
import {
  analyseOperation,
  checkQueryLimits,
  DEFAULT_QUERY_LIMITS,
  type QueryLimits,
} from './query-limits';

const limits: QueryLimits = { ...DEFAULT_QUERY_LIMITS, maxDepth: 3, maxCost: 100 };
const unlimited: QueryLimits = { ...DEFAULT_QUERY_LIMITS, maxDepth: Infinity, maxCost: Infinity };

function analyse(query: string, variables: Record<string, unknown> = {}, chosen = unlimited) {
  const document = parse(query);
  return analyseOperation(document, getOperationAST(document)!, variables, chosen);
}

function refusal(query: string, variables: Record<string, unknown> = {}, chosen = limits) {
  try {
    analyse(query, variables, chosen);
  } catch (error) {
    return error as GraphQLError | AppError;
  }
  throw new Error('not refused');
}

/** `query { ...F0 }` and `levels` fragments, each spreading the next one twice. */
function fragmentBomb(levels: number): string {
  let query = 'query { ...F0 }';
  for (let i = 0; i < levels; i++)
    query += ` fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`;
  return `${query} fragment F${levels} on Query { me { id } }`;
}

/** Selections written in the document (each field, inline fragment and spread once). */
function selectionsIn(document: DocumentNode): number {
  let count = 0;
  visit(document, {
    Field: () => void (count += 1),
    InlineFragment: () => void (count += 1),
    FragmentSpread: () => void (count += 1),
  });
  return count;
}

describe('query limits', () => {
  it('passes an operation within depth and cost', () => {
    const document = parse('subscription { clearingPublished { price demandCurve { price } } }');
    expect(checkQueryLimits(document, { limits: { ...limits, maxCost: 1000 } })).toEqual([]);
  });

  it('refuses an operation nested too deep, counting fragments', () => {
    const document = parse(
      'subscription { clearingPublished { ...f } } fragment f on ClearingResult { fills { x { y } } }',
    );
    const errors = checkQueryLimits(document, { limits: { ...limits, maxCost: 1e9 } });
    expect(errors.map((e) => e.message)).toEqual([
      'query is more than 3 levels deep; at most 3 are allowed',
    ]);
    expect(errors[0].extensions).toEqual({
      code: 'GRAPHQL_VALIDATION_FAILED',
      reason: 'QUERY_TOO_DEEP',
    });
  });

  it('multiplies the cost of a connection by its first, literal or variable', () => {
    const literal = '{ orders(first: 500) { edges { cursor } } }';
    expect(analyse(literal).cost).toBe(1 + 500 * 2);
    const variable = 'query($n: Int) { orders(first: $n) { edges { cursor } } }';
    expect(analyse(variable, { n: 500 }).cost).toBe(1 + 500 * 2);
    expect(analyse(variable, { n: 3 }).cost).toBe(1 + 3 * 2);
    // not sent, or null: the resolvers' default page; a variable's default value counts
    expect(analyse(variable).cost).toBe(1 + 50 * 2);
    expect(analyse(variable, { n: null }).cost).toBe(1 + 50 * 2);
    expect(analyse('query($n: Int = 7) { orders(first: $n) { edges { cursor } } }').cost).toBe(
      1 + 7 * 2,
    );
    expect(analyse('{ orders { edges { cursor } } }').cost).toBe(1 + 50 * 2);
  });

  it('costs a list by its bound (fills as 500), or by the size its arguments give', () => {
    expect(analyse('{ clearingResult { fills { price amount } } }').cost).toBe(1 + 1 + 500 * 2);
    expect(analyse('mutation { submitOrders(orders: [{}, {}, {}]) { id } }').cost).toBe(1 + 3);
    expect(analyse('mutation { submitOrders(orders: {}) { id } }').cost).toBe(1 + 1);
    const submit = 'mutation($o: [OrderInput!]!) { submitOrders(orders: $o) { id } }';
    expect(analyse(submit, { o: Array(7).fill({}) }).cost).toBe(1 + 7);
    expect(analyse(submit, { o: Array(10_001).fill({}) }).cost).toBe(1 + 10_000); // its bound
    const stats = (from: string, to: string) =>
      analyse(
        `query($from: DateTime!) { priceStatistics(productCode: "X", from: $from, to: "${to}", bucket: HOUR) { minPrice } }`,
        { from },
      ).cost;
    expect(stats('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')).toBe(1 + 25); // a day, hourly
    expect(stats('2020-01-01T00:00:00Z', '2030-01-01T00:00:00Z')).toBe(1 + 10_000); // its bound
  });

  it("sizes a list by a variable's default when the variable is not sent, as execution does", () => {
    const submit = 'mutation($o: [OrderInput!] = [{}, {}]) { submitOrders(orders: $o) { id } }';
    expect(analyse(submit).cost).toBe(1 + 2);
    expect(analyse(submit, { o: Array(5).fill({}) }).cost).toBe(1 + 5);
    const stats = `query($to: DateTime = "2026-01-02T00:00:00Z") {
      priceStatistics(productCode: "X", from: "2026-01-01T00:00:00Z", to: $to, bucket: HOUR) { minPrice }
    }`;
    expect(analyse(stats).cost).toBe(1 + 25);
  });

  it.each([0, -1, 501, 1_000_000])('refuses first = %p as PAGE_SIZE, literal or variable', (n) => {
    for (const [query, variables] of [
      [`{ orders(first: ${n}) { edges { cursor } } }`, {}],
      ['query($n: Int) { orders(first: $n) { edges { cursor } } }', { n }],
    ] as const) {
      const error = refusal(query, variables, unlimited);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({
        code: 'BAD_USER_INPUT',
        details: { reason: 'PAGE_SIZE', field: 'first' },
      });
      expect(error.message).toBe(`first must be between 1 and 500, got ${n} (orders)`);
    }
  });

  it('accepts first = 1 and 500', () => {
    expect(analyse('{ a: orders(first: 1) { pageInfo { hasNextPage } } }').cost).toBeGreaterThan(1);
    expect(
      analyse('query($n: Int!) { orders(first: $n) { pageInfo { endCursor } } }', { n: 500 }),
    ).toMatchObject({ depth: 3 });
  });

  it('refuses a cost above the limit with QUERY_TOO_COSTLY', () => {
    const error = refusal('{ orders(first: 60) { edges { cursor } } }');
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).toEqual({
      code: 'GRAPHQL_VALIDATION_FAILED',
      reason: 'QUERY_TOO_COSTLY',
    });
  });

  it('measures each fragment of a fragment bomb once and stops at the limit', () => {
    for (const levels of [20, 25, 200]) {
      const document = parse(fragmentBomb(levels), { maxTokens: 10_000 });
      const error = refusal(fragmentBomb(levels), {}, DEFAULT_QUERY_LIMITS);
      expect((error as GraphQLError).extensions.reason).toBe('QUERY_TOO_COSTLY');
      const { work } = analyseOperation(document, getOperationAST(document)!, {}, unlimited);
      expect(work.fragments).toBe(levels + 1);
      expect(work.selections).toBe(selectionsIn(document));
    }
    expect(analyse(fragmentBomb(25)).cost).toBe(2 ** 25 * 2);
  });

  it('survives cyclic and unknown fragments (validation reports them)', () => {
    const query =
      'query { ...A ...Nope } fragment A on Query { me { id } ...B } fragment B on Query { ...A }';
    expect(analyse(query)).toMatchObject({ depth: 2, cost: 2 });
  });

  it('checks the operation a socket names, with its variables', () => {
    const document = parse(
      'query Small { me { id } } query Big($n: Int) { orders(first: $n) { edges { cursor } } }',
    );
    expect(checkQueryLimits(document, { operationName: 'Small', limits })).toEqual([]);
    const errors = checkQueryLimits(document, {
      operationName: 'Big',
      variables: { n: 501 },
      limits,
    });
    expect(errors[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'PAGE_SIZE',
      field: 'first',
    });
  });

  /**
   * Random fragment graphs: fragments that spread later fragments (a DAG) with random fan-out,
   * repeats and nesting. The work (selections visited, fragments measured) never exceeds what
   * the document spells out, whatever the expanded query's size.
   */
  it('does work linear in the document for random fragment DAGs (property)', () => {
    const graph = fc.integer({ min: 1, max: 40 }).chain((count) =>
      fc.record({
        count: fc.constant(count),
        spreads: fc.array(
          fc.array(fc.record({ to: fc.nat(), nested: fc.boolean() }), { maxLength: 5 }),
          { minLength: count, maxLength: count },
        ),
        fields: fc.array(fc.nat({ max: 3 }), { minLength: count, maxLength: count }),
        roots: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
      }),
    );
    fc.assert(
      fc.property(graph, ({ count, spreads, fields, roots }) => {
        const name = (i: number) => `F${i}`;
        const fragments = spreads.map((edges, i) => {
          const later = count - i - 1;
          const body = edges
            .filter(() => later > 0)
            .map(({ to, nested }) => {
              const spread = `...${name(i + 1 + (to % later))}`;
              return nested ? `me { id ${spread} }` : spread;
            });
          for (let f = 0; f < fields[i]; f++) body.push(`f${f}: me { id }`);
          if (body.length === 0) body.push('__typename');
          return `fragment ${name(i)} on Query { ${body.join(' ')} }`;
        });
        const operation = `query { ${roots.map((r) => `...${name(r % count)}`).join(' ')} }`;
        const document = parse([operation, ...fragments].join('\n'));
        const { work, cost } = analyseOperation(
          document,
          getOperationAST(document)!,
          {},
          unlimited,
        );
        const written = selectionsIn(document);
        const defined = document.definitions.filter(
          (d) => d.kind === Kind.FRAGMENT_DEFINITION,
        ).length;
        expect(work.selections).toBeLessThanOrEqual(written);
        expect(work.fragments).toBeLessThanOrEqual(defined);
        expect(cost).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
