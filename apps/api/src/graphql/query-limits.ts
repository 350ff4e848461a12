import {
  getOperationAST,
  GraphQLError,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  valueFromASTUntyped,
} from 'graphql';
import { AppError } from '../common/app-error';
import type { ApolloPlugin } from './apollo-plugin';
import type { StatisticsBucketEnum } from './enums';
import {
  BUCKET_MS,
  MAX_LISTED_ASSETS,
  MAX_LISTED_FILLS,
  MAX_LISTED_SAMPLES,
  MAX_NAMED_PARTICIPANTS,
  MAX_ORDERS_PER_CALL,
  MAX_STATISTICS_BUCKETS,
  MAX_CARBON_INTERVALS,
  MAX_CARBON_REPORTS,
  MAX_LISTED_FACTOR_VERSIONS,
  MAX_METER_READINGS_PER_CALL,
  MAX_IMBALANCE_LINES,
  MAX_LISTED_IMBALANCES,
  MAX_LISTED_POSITIONS,
} from './list-bounds';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './page-info.model';

export interface QueryLimits {
  /** Most lexical tokens a document may have; the parser stops at the next one (graphql-js `maxTokens`). */
  maxTokens: number;
  /** Deepest allowed field nesting. */
  maxDepth: number;
  /** Largest allowed cost: every field costs 1, times the size of each list it lies in. */
  maxCost: number;
  /** Rows of a connection queried without `first` (what the resolvers return then). */
  defaultPageSize: number;
  /** Largest `first` a connection accepts. */
  maxPageSize: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxTokens: 10_000,
  maxDepth: 12,
  maxCost: 200_000,
  defaultPageSize: DEFAULT_PAGE_SIZE,
  maxPageSize: MAX_PAGE_SIZE,
};

/**
 * Lists that are not connections, by field name, and the items each is costed as: the
 * multiplier of its selection. A schema test fails for a list field missing here.
 */
export const LIST_BOUNDS: Readonly<Record<string, number>> = {
  fills: MAX_LISTED_FILLS,
  submitOrders: MAX_ORDERS_PER_CALL,
  priceStatistics: MAX_STATISTICS_BUCKETS,
  participantsByIds: MAX_NAMED_PARTICIPANTS,
  /** Not capped: the products the operator configured (a handful), priced as 100. */
  products: 100,
  /** Stored with their result (no query of their own): one point per price level, priced as 100. */
  demandCurve: 100,
  supplyCurve: 100,
  /** Verification lines: at most 10 listed per kind (about 10 kinds), 20 reasons. */
  differences: 100,
  reasons: 20,
  /** A connection's edges: the connection's page size counts them. */
  edges: 1,
  /** Storage safety. */
  assets: MAX_LISTED_ASSETS,
  expectedImbalances: MAX_LISTED_ASSETS,
  telemetry: MAX_LISTED_SAMPLES,
  safetyRules: 8,
  /** An event's findings: at most one per rule. */
  findings: 8,
  /** An event's samples: the one that caused it (or the last before a silence). */
  samples: 2,
  /** The level changes of one ingest: at most three rises and a fall per asset and sample. */
  events: 100,
  /** The orders a change of level cancelled: an asset's OPEN orders, priced as 100. */
  cancelledOrderIds: 100,
  // The integrated auction (libs/auction limits.ts): series are a handful, priced as 100
  auctionSeries: 100,
  submitAuctionOrders: MAX_ORDERS_PER_CALL,
  /** Per carrier (at most MAX_CARRIERS = 8). */
  carriers: 8,
  networkFees: 8,
  grid: 8,
  schedules: 8,
  flows: 8,
  /** Per interval (at most MAX_AUCTION_INTERVALS = 672): scalars, no selection to multiply. */
  prices: 672,
  volumes: 672,
  gridImport: 672,
  gridExport: 672,
  quantities: 672,
  stateOfCharge: 672,
  /** At most MAX_BLOCK_ORDERS = 2000 ids. */
  paradoxicallyRejectedBlocks: 2000,
  /** The named checks of a verification (about 15). */
  checks: 20,
  // Carbon accounting
  carbonReport: MAX_CARBON_REPORTS,
  parkCarbonIntensity: MAX_CARBON_INTERVALS,
  gridCarbonFactors: MAX_CARBON_INTERVALS,
  emissionFactors: MAX_LISTED_FACTOR_VERSIONS,
  carbonDefaults: MAX_LISTED_FACTOR_VERSIONS,
  /** Not capped: one per product (a handful), priced as 100 like `products`. */
  productCarriers: 100,
  // Metering
  submitMeterReadings: MAX_METER_READINGS_PER_CALL,
  // Imbalance settlement
  positions: MAX_LISTED_POSITIONS,
  imbalances: MAX_LISTED_IMBALANCES,
  lines: MAX_IMBALANCE_LINES,
};

/** The page-size argument of every connection (validated 1..maxPageSize). */
const PAGE_ARGUMENT = 'first';

/** What the analysis did, for tests: it grows with the document, never with its expansion. */
export interface QueryWork {
  selections: number;
  fragments: number;
}

export interface QueryAnalysis {
  depth: number;
  cost: number;
  work: QueryWork;
}

/**
 * The limits of one operation, given its variables: depth, cost (each `first` at its actual
 * value, literal or variable), and each page size validated. Linear in the document: every
 * fragment is measured once and its depth and cost reused at every spread, and the walk stops
 * at the first limit passed. Works on unvalidated documents (graphql-ws checks before
 * validation): unknown or cyclic fragments count as empty; validation reports them.
 * Throws `GraphQLError` (depth, cost) or `AppError` (page size).
 */
export function analyseOperation(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): QueryAnalysis {
  return new Analysis(document, operation, variables ?? {}, limits).run();
}

/**
 * The context of an operation that passed the limits: its cost as they counted it, which the
 * per-key rate limit charges (see `ApiKeyGuard`) instead of measuring the operation again.
 */
export interface CostedContext {
  queryCost?: number;
}

/**
 * The check over graphql-ws, before any key is looked at: the operation to run, its variables.
 * The cost of an operation within the limits is noted on `context`.
 */
export function checkQueryLimits(
  document: DocumentNode,
  options: {
    operationName?: string | null;
    variables?: Readonly<Record<string, unknown>> | null;
    limits?: QueryLimits;
    context?: CostedContext;
  } = {},
): GraphQLError[] {
  const operation = getOperationAST(document, options.operationName);
  if (!operation) return []; // no such operation: graphql-ws reports it
  try {
    const { cost } = analyseOperation(document, operation, options.variables, options.limits);
    if (options.context) options.context.queryCost = cost;
    return [];
  } catch (error) {
    return [asGraphQLError(error)];
  }
}

/**
 * Apollo plugin: the analysis once the operation is known, before it runs (Apollo caches
 * validated documents, so checks that depend on variables cannot be validation rules). The cost
 * is noted on the operation's context (`CostedContext`).
 */
export function queryLimitsPlugin(limits: QueryLimits = DEFAULT_QUERY_LIMITS): ApolloPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ document, operation, request, contextValue }) => {
          if (!operation) return Promise.resolve();
          let cost: number;
          try {
            ({ cost } = analyseOperation(document, operation, request.variables, limits));
          } catch (error) {
            throw asGraphQLError(error, { http: { status: 400 } });
          }
          (contextValue as CostedContext).queryCost = cost;
          return Promise.resolve();
        },
      }),
  };
}

/**
 * The cost of one operation as the limits count it (each `first` at its actual value), for the
 * per-key rate limit of an operation whose context has no cost noted. An operation past the
 * limits (refused before it runs anyway) counts as the largest cost allowed.
 */
export function operationCost(
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Readonly<Record<string, unknown>> = {},
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): number {
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [operation, ...Object.values(fragments)],
  };
  try {
    return analyseOperation(document, operation, variables, limits).cost;
  } catch {
    return limits.maxCost;
  }
}

/** A refusal as a GraphQL error; `formatError` finds the `AppError` of a page size inside. */
function asGraphQLError(error: unknown, extensions: Record<string, unknown> = {}): GraphQLError {
  if (error instanceof GraphQLError) {
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      extensions: { ...error.extensions, ...extensions },
    });
  }
  if (error instanceof AppError) {
    return new GraphQLError(error.message, {
      originalError: error,
      extensions: { ...error.details, code: error.code, ...extensions },
    });
  }
  throw error;
}

interface Measure {
  /** Levels of fields below (and including) a selection set. */
  depth: number;
  cost: number;
}

const ACTIVE: Measure = { depth: 0, cost: 0 }; // a fragment being measured: a cycle counts 0

class Analysis {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly measured = new Map<string, Measure>();
  private readonly work: QueryWork = { selections: 0, fragments: 0 };

  constructor(
    document: DocumentNode,
    private readonly operation: OperationDefinitionNode,
    private readonly variables: Readonly<Record<string, unknown>>,
    private readonly limits: QueryLimits,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        this.fragments.set(definition.name.value, definition);
      }
    }
  }

  run(): QueryAnalysis {
    const { depth, cost } = this.selectionSet(this.operation.selectionSet, 0);
    return { depth, cost, work: this.work };
  }

  /** Depth (relative) and cost of a selection set lying `at` levels deep. */
  private selectionSet(set: SelectionSetNode, at: number): Measure {
    let depth = 0;
    let cost = 0;
    for (const selection of set.selections) {
      this.work.selections += 1;
      let child: Measure;
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet
          ? this.selectionSet(selection.selectionSet, at + 1)
          : { depth: 0, cost: 0 };
        child = { depth: below.depth + 1, cost: 1 + this.multiplier(selection) * below.cost };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        child = this.selectionSet(selection.selectionSet, at);
      } else {
        child = this.fragment(selection.name.value, at);
      }
      depth = Math.max(depth, child.depth);
      cost += child.cost;
      this.check(at + depth, cost);
    }
    return { depth, cost };
  }

  /** Measured once; every later spread reuses it (a fragment bomb stays linear). */
  private fragment(name: string, at: number): Measure {
    const known = this.measured.get(name);
    if (known) return known;
    const fragment = this.fragments.get(name);
    if (!fragment) return { depth: 0, cost: 0 };
    this.work.fragments += 1;
    this.measured.set(name, ACTIVE);
    const measure = this.selectionSet(fragment.selectionSet, at);
    this.measured.set(name, measure);
    return measure;
  }

  /** Stops at the first limit passed: costs only grow as the walk goes on. */
  private check(depth: number, cost: number): void {
    const { maxDepth, maxCost } = this.limits;
    if (depth > maxDepth) {
      throw limitError(
        `query is more than ${maxDepth} levels deep; at most ${maxDepth} are allowed`,
        'QUERY_TOO_DEEP',
        this.operation,
      );
    }
    if (cost > maxCost) {
      throw limitError(
        `query cost exceeds the limit of ${maxCost} (each field counts once per item of every list around it); ask for smaller pages or fewer fields`,
        'QUERY_TOO_COSTLY',
        this.operation,
      );
    }
  }

  /** How many times a field's selection is resolved: its page size or its list's bound. */
  private multiplier(field: FieldNode): number {
    const name = field.name.value;
    const first = field.arguments?.find((arg) => arg.name.value === PAGE_ARGUMENT);
    if (first) return this.pageSize(first.value, field);
    if (CONNECTIONS.has(name)) return this.limits.defaultPageSize;
    const bound = LIST_BOUNDS[name] ?? 1;
    const nodeOf = (argument: string) =>
      field.arguments?.find((arg) => arg.name.value === argument)?.value;
    const sized = LIST_SIZES[name]?.({
      node: nodeOf,
      value: (argument) => {
        const node = nodeOf(argument);
        return node && this.argumentValue(node);
      },
    });
    return sized === undefined ? bound : Math.min(Math.max(sized, 0), bound);
  }

  private pageSize(node: ValueNode, field: FieldNode): number {
    const value = this.valueOf(node);
    if (value === null || value === undefined) return this.limits.defaultPageSize;
    const { maxPageSize } = this.limits;
    if (typeof value !== 'number' || !Number.isInteger(value)) return maxPageSize; // coercion refuses it
    if (value < 1 || value > maxPageSize) {
      throw new AppError(
        'BAD_USER_INPUT',
        `first must be between 1 and ${maxPageSize}, got ${value} (${field.alias?.value ?? field.name.value})`,
        { reason: 'PAGE_SIZE', field: PAGE_ARGUMENT },
      );
    }
    return value;
  }

  /** A literal, or a variable's value (its default when not sent). */
  private valueOf(node: ValueNode): unknown {
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.NULL) return null;
    if (node.kind !== Kind.VARIABLE) return NaN; // not an Int: validation refuses it
    if (this.sent(node.name.value)) return this.variables[node.name.value];
    const defaultValue = this.defaultOf(node.name.value);
    return defaultValue ? this.valueOf(defaultValue) : undefined;
  }

  /** Any argument's value, untyped: a variable not sent has its default, as in execution. */
  private argumentValue(node: ValueNode): unknown {
    if (node.kind === Kind.VARIABLE && !this.sent(node.name.value)) {
      const defaultValue = this.defaultOf(node.name.value);
      return defaultValue ? valueFromASTUntyped(defaultValue) : undefined;
    }
    return valueFromASTUntyped(node, this.variables);
  }

  private sent(variable: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.variables, variable);
  }

  private defaultOf(variable: string): ValueNode | undefined {
    return this.operation.variableDefinitions?.find((d) => d.variable.name.value === variable)
      ?.defaultValue;
  }
}

/** A field's arguments, for the list sizes: as written, or as values (variables resolved). */
interface ListArguments {
  node(name: string): ValueNode | undefined;
  value(name: string): unknown;
}

/** The size of a list argument: an inline list as written, else its value's length. */
function listArgumentSize(name: string) {
  return (args: ListArguments): number | undefined => {
    const node = args.node(name);
    // An inline list is counted as written: its items need not become values to be counted.
    if (node?.kind === Kind.LIST) return node.values.length;
    const items = args.value(name);
    if (items === undefined) return undefined;
    return Array.isArray(items) ? items.length : 1; // a single value is a list of one
  };
}

/** The size of an `orders` argument. */
const ordersArgumentSize = listArgumentSize('orders');

/**
 * Lists whose size follows from their arguments (literals or variables): costed at that size
 * (at most their bound), so a submission of 10 orders costs as 10 items, not 10,000, and a day
 * of hourly statistics as 25 buckets. Undefined when the arguments do not tell (then the bound).
 */
const LIST_SIZES: Readonly<Record<string, (args: ListArguments) => number | undefined>> = {
  submitOrders: ordersArgumentSize,
  submitAuctionOrders: ordersArgumentSize,
  submitMeterReadings: listArgumentSize('readings'),
  priceStatistics: (args) => {
    const from = Date.parse(String(args.value('from')));
    const to = Date.parse(String(args.value('to')));
    const bucketMs = BUCKET_MS[args.value('bucket') as StatisticsBucketEnum];
    if (!Number.isFinite(from) || !Number.isFinite(to) || !bucketMs) return undefined;
    return Math.ceil((to - from) / bucketMs) + 1; // whole UTC buckets overlapping [from, to)
  },
};

/** Connections whose `first` may be left out (then the default page size). */
export const CONNECTIONS: ReadonlySet<string> = new Set([
  'orders',
  'clearingResults',
  'settlements',
  'auditLog',
  'fillConnection',
  'safetyEventConnection',
  'auctionOrders',
  'awards',
  'meterReadings',
]);

function limitError(message: string, reason: string, node: OperationDefinitionNode): GraphQLError {
  return new GraphQLError(message, {
    nodes: [node],
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason },
  });
}
