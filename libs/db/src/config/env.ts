import { apiKeyWeakness } from '../api-keys';

/**
 * Environment validation: each app declares its variables once, reads them once at start,
 * and gets every bad variable listed in one error.
 */
export type EnvReader<T> = (raw: string | undefined) => T;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

class Invalid extends Error {}

export function loadEnv<T extends Record<string, unknown>>(
  spec: { [K in keyof T]: EnvReader<T[K]> },
  source: NodeJS.ProcessEnv = process.env,
): T {
  const problems: string[] = [];
  const values = {} as T;
  for (const name of Object.keys(spec) as (keyof T & string)[]) {
    try {
      values[name] = spec[name](emptyToUndefined(source[name]));
    } catch (error) {
      problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (problems.length) throw new EnvError(problems);
  return values;
}

function emptyToUndefined(raw: string | undefined): string | undefined {
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

export const env = {
  string:
    (fallback?: string): EnvReader<string> =>
    (raw) => {
      if (raw !== undefined) return raw;
      if (fallback === undefined) throw new Invalid('is required');
      return fallback;
    },
  optionalString: (): EnvReader<string | undefined> => (raw) => raw,
  postgresUrl:
    (required: boolean): EnvReader<string | undefined> =>
    (raw) => {
      if (raw === undefined) {
        if (required)
          throw new Invalid('is required (postgres://user:password@host:port/database)');
        return undefined;
      }
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new Invalid(`"${raw}" is not a URL`);
      }
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
        throw new Invalid(`must start with postgres:// (got ${url.protocol}//)`);
      }
      return raw;
    },
  int:
    (fallback: number, min: number, max: number): EnvReader<number> =>
    (raw) => {
      if (raw === undefined) return fallback;
      if (!/^\d+$/.test(raw)) throw new Invalid(`"${raw}" is not a whole number`);
      const value = Number(raw);
      if (value < min || value > max) throw new Invalid(`${value} is outside ${min}..${max}`);
      return value;
    },
  oneOf:
    <V extends string>(values: readonly V[], fallback: V): EnvReader<V> =>
    (raw) => {
      if (raw === undefined) return fallback;
      if (!(values as readonly string[]).includes(raw)) {
        throw new Invalid(`"${raw}" is not one of ${values.join(', ')}`);
      }
      return raw as V;
    },
  /** A key supplied from outside: refused when it obviously carries less than 128 random bits. */
  apiKey: (): EnvReader<string | undefined> => (raw) => {
    if (raw === undefined) return undefined;
    const weakness = apiKeyWeakness(raw);
    if (weakness) {
      throw new Invalid(
        `${weakness}: it must carry at least 128 random bits (e.g. \`openssl rand -base64 32\`, or leave it unset to have one generated)`,
      );
    }
    return raw;
  },
};

/**
 * The two PostgreSQL URLs of a process: `DATABASE_URL` connects as the runtime role the apps run
 * as (no DDL, append-only tables stay append-only), `MIGRATION_DATABASE_URL` as the role that
 * owns the schema and applies migrations. Simple setups give one URL for both.
 */
export const databaseEnv = {
  DATABASE_URL: env.postgresUrl(true),
  MIGRATION_DATABASE_URL: env.postgresUrl(false),
};

export interface DatabaseUrls {
  /** The runtime role: what the process runs with. */
  databaseUrl: string;
  /** The schema owner: what the process migrates with (defaults to `databaseUrl`). */
  migrationDatabaseUrl: string;
}

/** The URLs read with `databaseEnv`, with the migration URL defaulted. */
export function databaseUrls(values: {
  DATABASE_URL: string | undefined;
  MIGRATION_DATABASE_URL: string | undefined;
}): DatabaseUrls {
  return {
    databaseUrl: values.DATABASE_URL!,
    migrationDatabaseUrl: values.MIGRATION_DATABASE_URL ?? values.DATABASE_URL!,
  };
}
