/**
 * @parkex/solver — the solver adapter of @parkex/auction: HiGHS (MIT, WebAssembly) behind the
 * auction's `LpSolver` interface. Only this lib loads a solver.
 */
export { HIGHS_OPTIONS, loadHighsSolver } from './highs-solver';
