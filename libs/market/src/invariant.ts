/**
 * Thrown only when a caller breaks a documented precondition (an unvalidated grid, a
 * book row with a negative quantity, duplicate order ids, an overflow the units make
 * impossible in practice). User input never causes it: user input goes through the
 * `parse*` functions, which return a `Result`.
 */
export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantViolation';
  }
}

export function invariant(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new InvariantViolation(message());
}
