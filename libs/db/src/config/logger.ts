import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { env } from './env';

/** LOG_LEVEL: the least severe level printed (`info` is Nest's `log`). */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** LOG_FORMAT: `text` for people (coloured unless NO_COLOR), `json` one object per line. */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogSettings {
  level: LogLevelName;
  format: LogFormat;
}

/** The LOG_LEVEL and LOG_FORMAT readers of an app's environment (see `loadEnv`). */
export function logEnv(defaultLevel: LogLevelName = 'info') {
  return {
    LOG_LEVEL: env.oneOf(LOG_LEVELS, defaultLevel),
    LOG_FORMAT: env.oneOf(LOG_FORMATS, 'text'),
  };
}

/** The settings of validated LOG_LEVEL and LOG_FORMAT values. */
export function logSettings(values: { LOG_LEVEL: LogLevelName; LOG_FORMAT: LogFormat }) {
  return { level: values.LOG_LEVEL, format: values.LOG_FORMAT } satisfies LogSettings;
}

const NEST_LEVELS: Record<LogLevelName, LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  verbose: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/**
 * Nest's own start-up lines (one per module, route and resolver, some 40 in the API): debug, so
 * that a process says in one or two lines of its own that it runs.
 */
const START_UP_CONTEXTS = new Set([
  'NestFactory',
  'NestApplication',
  'NestApplicationContext',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'GraphQLModule',
]);

/**
 * The apps' logger: Nest's ConsoleLogger at LOG_LEVEL, as text or one JSON object per line
 * (`{"level","pid","timestamp","message","context"}`; `info` is written `"level":"log"`).
 * Every `new Logger(context)` of the code writes through it once Nest is given it.
 */
export class AppLogger extends ConsoleLogger {
  constructor(settings: LogSettings) {
    super({ logLevels: NEST_LEVELS[settings.level], json: settings.format === 'json' });
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && START_UP_CONTEXTS.has(context)) {
      super.debug(message, ...optionalParams);
    } else {
      super.log(message, ...optionalParams);
    }
  }
}
