import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { badInput } from '../common/app-error';

/** class-validator on every input type; the first problem names its field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    forbidUnknownValues: false,
    exceptionFactory: (errors: ValidationError[]) => {
      const problems = flatten(errors);
      return badInput(problems.map((p) => p.message).join('; '), {
        field: problems[0]?.field,
        problems,
      });
    },
  });
}

function flatten(
  errors: ValidationError[],
  prefix = 'input',
): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property)
      ? `${prefix}[${error.property}]`
      : `${prefix}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
