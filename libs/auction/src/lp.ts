/**
 * A linear (or mixed-integer) programme as plain data, and the interface of the solver that
 * takes it. The engine builds models and reads solutions; only an adapter (`@parkex/solver`)
 * loads a solver. Numbers here are floating point: the engine rounds solutions to exact units
 * and the verification re-checks everything in exact arithmetic.
 */

export interface LpColumn {
  readonly name: string;
  readonly lower: number;
  readonly upper: number;
  /** Objective coefficient. */
  readonly cost: number;
  /** A whole number (with bounds 0 and 1: a binary choice). */
  readonly integer?: boolean;
}

export interface LpRow {
  readonly name: string;
  /** Column indexes and their coefficients; each column at most once. */
  readonly terms: readonly (readonly [column: number, coefficient: number])[];
  /** `-Infinity` for none. */
  readonly lower: number;
  /** `Infinity` for none. */
  readonly upper: number;
}

export interface LpModel {
  readonly sense: 'MAXIMIZE' | 'MINIMIZE';
  readonly columns: readonly LpColumn[];
  readonly rows: readonly LpRow[];
}

export type LpStatus = 'OPTIMAL' | 'INFEASIBLE' | 'UNBOUNDED' | 'NOT_SOLVED';

export interface LpSolution {
  readonly status: LpStatus;
  /** The solver's words for the status, for messages. */
  readonly statusText: string;
  readonly objective: number;
  /** Column values, by column index. */
  readonly primal: readonly number[];
  /** Row duals, by row index (empty for a mixed-integer model). */
  readonly rowDuals: readonly number[];
}

export interface LpSolver {
  /** Name and version, stored with every result (`highs 1.15.3`). */
  readonly version: string;
  solve(model: LpModel): LpSolution;
}
