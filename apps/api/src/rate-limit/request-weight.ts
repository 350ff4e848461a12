import {
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';
import { operationCost } from '../graphql/query-limits';

/** What the per-key limit needs of a resolver's `info`: the whole operation of the request. */
export interface OperationInfo {
  operation: OperationDefinitionNode;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  variableValues: Readonly<Record<string, unknown>>;
}

/**
 * Tokens one request takes of its key's bucket: its query cost (as the query limits count it)
 * plus one per order it submits (each `submitOrders` field's `orders`, aliases included), so a
 * batch of n orders weighs at least n, like n requests of one order.
 */
export function requestWeight(info: OperationInfo): number {
  return (
    operationCost(info.operation, info.fragments, info.variableValues) +
    ordersSubmitted(info.operation.selectionSet, info, new Set())
  );
}

function ordersSubmitted(set: SelectionSetNode, info: OperationInfo, seen: Set<string>): number {
  let orders = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== 'submitOrders') continue;
      const arg = selection.arguments?.find((a) => a.name.value === 'orders');
      const value: unknown = arg ? valueFromASTUntyped(arg.value, info.variableValues) : undefined;
      orders += Array.isArray(value) ? value.length : 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      orders += ordersSubmitted(selection.selectionSet, info, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = info.fragments[selection.name.value];
      if (fragment) orders += ordersSubmitted(fragment.selectionSet, info, seen);
    }
  }
  return orders;
}
