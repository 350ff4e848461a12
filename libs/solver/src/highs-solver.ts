import loadHighs, { type Highs, type ModelData } from 'highs';
import type { LpModel, LpSolution, LpSolver, LpStatus } from '@parkex/auction';

/**
 * HiGHS settings of every solve. A mixed-integer model is solved to a proven optimum: no
 * relative gap, and an absolute gap far below one tick × one Wh of welfare. No time limit:
 * a result must not depend on the machine's speed. One thread (the WebAssembly build has one),
 * a fixed random seed: the same model gives the same solution in every process.
 */
export const HIGHS_OPTIONS = {
  output_flag: false,
  mip_rel_gap: 0,
  mip_abs_gap: 1e-9,
  random_seed: 0,
} as const;

/** Loads HiGHS (WebAssembly) once; the solver it returns is synchronous. */
export async function loadHighsSolver(): Promise<LpSolver> {
  const highs = await loadHighs();
  return new HighsSolver(highs);
}

class HighsSolver implements LpSolver {
  readonly version: string;

  constructor(private readonly highs: Highs) {
    this.version = `highs ${highs.version.string}`;
  }

  solve(model: LpModel): LpSolution {
    const { highs } = this;
    if (model.columns.length === 0) {
      // HiGHS reports an empty model without a solution; its optimum is 0 with all duals 0
      return {
        status: 'OPTIMAL',
        statusText: 'optimal',
        objective: 0,
        primal: [],
        rowDuals: model.rows.map(() => 0),
      };
    }
    const data = toModelData(highs, model);
    return highs.withModel(data, (solver) => {
      solver.options.set(HIGHS_OPTIONS);
      solver.run();
      const status = solver.getModelStatus();
      const named = statusOf(highs, status);
      if (named !== 'OPTIMAL') {
        return {
          status: named,
          statusText: statusText(highs, status),
          objective: NaN,
          primal: [],
          rowDuals: [],
        };
      }
      const solution = solver.getSolution();
      const mip = data.integrality !== undefined;
      return {
        status: named,
        statusText: 'optimal',
        objective: solver.getObjectiveValue(),
        primal: Array.from(solution.colValue),
        rowDuals: mip ? [] : Array.from(solution.rowDual),
      };
    });
  }
}

function toModelData(highs: Highs, model: LpModel): ModelData {
  const starts = new Int32Array(model.rows.length + 1);
  let nonzeros = 0;
  model.rows.forEach((row, i) => {
    nonzeros += row.terms.length;
    starts[i + 1] = nonzeros;
  });
  const indices = new Int32Array(nonzeros);
  const values = new Float64Array(nonzeros);
  let k = 0;
  for (const row of model.rows) {
    for (const [column, coefficient] of row.terms) {
      indices[k] = column;
      values[k] = coefficient;
      k++;
    }
  }
  const bound = (value: number) =>
    value === Infinity ? highs.infinity : value === -Infinity ? -highs.infinity : value;
  const integer = model.columns.some((column) => column.integer === true);
  return {
    numCols: model.columns.length,
    numRows: model.rows.length,
    sense:
      model.sense === 'MAXIMIZE'
        ? highs.constants.objectiveSense.maximize
        : highs.constants.objectiveSense.minimize,
    colCost: Float64Array.from(model.columns, (column) => column.cost),
    colLower: Float64Array.from(model.columns, (column) => bound(column.lower)),
    colUpper: Float64Array.from(model.columns, (column) => bound(column.upper)),
    rowLower: Float64Array.from(model.rows, (row) => bound(row.lower)),
    rowUpper: Float64Array.from(model.rows, (row) => bound(row.upper)),
    matrix: {
      format: 'csr',
      numRows: model.rows.length,
      numCols: model.columns.length,
      starts,
      indices,
      values,
    },
    ...(integer
      ? {
          integrality: Int32Array.from(model.columns, (column) =>
            column.integer === true
              ? highs.constants.variableType.integer
              : highs.constants.variableType.continuous,
          ),
        }
      : {}),
  };
}

function statusOf(highs: Highs, status: number): LpStatus {
  const codes = highs.constants.modelStatus;
  if (status === codes.optimal) return 'OPTIMAL';
  if (status === codes.infeasible) return 'INFEASIBLE';
  if (status === codes.unbounded || status === codes.unboundedOrInfeasible) return 'UNBOUNDED';
  return 'NOT_SOLVED';
}

function statusText(highs: Highs, status: number): string {
  const entry = Object.entries(highs.constants.modelStatus).find(([, code]) => code === status);
  return entry ? entry[0] : `model status ${status}`;
}
