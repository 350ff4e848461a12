import type { FragmentDefinitionNode, OperationDefinitionNode } from 'graphql';
import { operationCost } from '../graphql/query-limits';

/** What the per-key limit needs of a resolver's `info`: the whole operation of the request. */
export interface OperationInfo {
  operation: OperationDefinitionNode;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  variableValues: Readonly<Record<string, unknown>>;
}

/**
 * Tokens one request takes of its key's bucket: its query cost as the query limits count it,
 * with each page at its actual size and each `submitOrders` at the orders it submits (aliases
 * and fragments included), so a batch of n orders weighs more than n, like n requests of one.
 */
export function requestWeight(info: OperationInfo): number {
  return operationCost(info.operation, info.fragments, info.variableValues);
}
