import {
  GraphQLError,
  Kind,
  type ArgumentNode,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

export interface QueryLimits {
  /** Deepest allowed field nesting. */
  maxDepth: number;
  /** Largest allowed cost: every field costs 1, times the `first` of each list it lies in. */
  maxCost: number;
  /** Multiplier for a connection field queried without `first`. */
  defaultPageSize: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 12,
  maxCost: 200_000,
  defaultPageSize: 50,
};

/** A validation rule refusing operations that are too deep or too costly, before they run. */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_QUERY_LIMITS): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      for (const error of checkOperation(node, fragmentsOf(context.getDocument()), limits)) {
        context.reportError(error);
      }
    },
  });
}

/** The same check on a parsed document, without a schema (for operations over graphql-ws). */
export function checkQueryLimits(
  document: DocumentNode,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): GraphQLError[] {
  const fragments = fragmentsOf(document);
  return document.definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION
      ? checkOperation(definition, fragments, limits)
      : [],
  );
}

/** The cost of one operation as the limits count it; the per-key rate limit charges it too. */
export function operationCost(
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): number {
  return measure(operation.selectionSet, 0, new Set(), new Map(Object.entries(fragments)), limits)
    .cost;
}

function checkOperation(
  node: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  limits: QueryLimits,
): GraphQLError[] {
  const { depth, cost } = measure(node.selectionSet, 0, new Set(), fragments, limits);
  const errors: GraphQLError[] = [];
  const fail = (message: string) =>
    errors.push(
      new GraphQLError(message, {
        nodes: [node],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    );
  if (depth > limits.maxDepth) {
    fail(`query is ${depth} levels deep; at most ${limits.maxDepth} are allowed`);
  }
  if (cost > limits.maxCost) {
    fail(`query cost ${cost} exceeds the limit of ${limits.maxCost}; ask for smaller pages`);
  }
  return errors;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  return fragments;
}

function measure(
  set: SelectionSetNode,
  depth: number,
  seen: Set<string>,
  fragments: Map<string, FragmentDefinitionNode>,
  limits: QueryLimits,
): { depth: number; cost: number } {
  let maxDepth = depth;
  let cost = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const multiplier = pageSize(selection.arguments ?? [], limits.defaultPageSize);
      const child = selection.selectionSet
        ? measure(selection.selectionSet, depth + 1, seen, fragments, limits)
        : { depth: depth + 1, cost: 0 };
      maxDepth = Math.max(maxDepth, child.depth);
      cost += 1 + multiplier * child.cost;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const child = measure(selection.selectionSet, depth, seen, fragments, limits);
      maxDepth = Math.max(maxDepth, child.depth);
      cost += child.cost;
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) continue; // unknown or cyclic: other rules report it
      const child = measure(
        fragment.selectionSet,
        depth,
        new Set([...seen, name]),
        fragments,
        limits,
      );
      maxDepth = Math.max(maxDepth, child.depth);
      cost += child.cost;
    }
  }
  return { depth: maxDepth, cost };
}

function pageSize(args: readonly ArgumentNode[], fallback: number): number {
  const first = args.find((arg) => arg.name.value === 'first');
  if (!first) return 1;
  if (first.value.kind === Kind.INT) return Number(first.value.value);
  return fallback; // a variable: assume a typical page; resolvers cap `first` anyway
}
