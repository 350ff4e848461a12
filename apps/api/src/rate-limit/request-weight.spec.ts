import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { requestWeight } from './request-weight';

function infoOf(query: string, variableValues: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  }
  return { operation, fragments, variableValues };
}

describe('requestWeight', () => {
  it('is the query cost', () => {
    expect(requestWeight(infoOf('{ me { id } }'))).toBe(2);
    expect(requestWeight(infoOf('{ orders(first: 25) { edges { node { id } } } }'))).toBe(76);
  });

  it('counts every order submitted: variables, literals, aliases and fragments', () => {
    const orders = Array.from({ length: 7 }, () => ({}));
    expect(
      requestWeight(
        infoOf('mutation($o: [OrderInput!]!) { submitOrders(orders: $o) { id } }', { o: orders }),
      ),
    ).toBe(1 + 7); // submitOrders, and one id per order
    expect(
      requestWeight(
        infoOf(
          `mutation($o: [OrderInput!]!) {
            a: submitOrders(orders: $o) { id }
            ...F
          }
          fragment F on Mutation { b: submitOrders(orders: [{}, {}]) { id } }`,
          { o: orders },
        ),
      ),
    ).toBe(1 + 7 + (1 + 2));
  });
});
