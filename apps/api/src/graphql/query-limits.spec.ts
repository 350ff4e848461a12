import { parse } from 'graphql';
import { checkQueryLimits } from './query-limits';

const limits = { maxDepth: 3, maxCost: 100, defaultPageSize: 50 };

describe('query limits', () => {
  it('passes an operation within depth and cost', () => {
    const document = parse('subscription { clearingPublished { price demandCurve { price } } }');
    expect(checkQueryLimits(document, limits)).toEqual([]);
  });

  it('refuses an operation nested too deep, counting fragments', () => {
    const document = parse(
      'subscription { clearingPublished { ...f } } fragment f on ClearingResult { fills { x { y } } }',
    );
    const errors = checkQueryLimits(document, limits);
    expect(errors.map((e) => e.message)).toEqual(['query is 4 levels deep; at most 3 are allowed']);
    expect(errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('multiplies the cost of a list by its first argument', () => {
    const document = parse('{ orders(first: 500) { edges { cursor } } }');
    expect(checkQueryLimits(document, limits).map((e) => e.message)).toEqual([
      'query cost 1001 exceeds the limit of 100; ask for smaller pages',
    ]);
  });
});
