import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MigrationInterface } from 'typeorm';

/** The project's migrations folder. */
export const MIGRATIONS_DIR = resolve(__dirname, '../../../migrations');

/** `<13-digit timestamp>-<VerbNoun>.ts`: a migration file (index.ts and specs are not). */
const MIGRATION_FILE = /^(\d{13})-([A-Za-z][A-Za-z0-9]*)\.ts$/;

export type MigrationClass = new () => MigrationInterface;

/**
 * Every migration in `dir`, oldest first, found by file name: the file
 * `1764300000000-BoundOrderBooks.ts` must export the class `BoundOrderBooks1764300000000`.
 * Adding a migration is adding its file; no landed file is edited to list it
 * (`migrations/index.ts` keeps the first four as they landed).
 */
export function loadMigrations(dir: string = MIGRATIONS_DIR): MigrationClass[] {
  return readdirSync(dir)
    .flatMap((file) => {
      const match = MIGRATION_FILE.exec(file);
      return match ? [{ file, timestamp: match[1], className: `${match[2]}${match[1]}` }] : [];
    })
    .sort((a, b) => a.timestamp.localeCompare(b.timestamp))
    .map(({ file, className }) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the file list is only known at run time
      const migration: unknown = (require(join(dir, file)) as Record<string, unknown>)[className];
      if (typeof migration !== 'function') {
        throw new Error(`migrations: ${file} does not export the class ${className}`);
      }
      return migration as MigrationClass;
    });
}

/** The schema's migrations, oldest first. */
export const MIGRATIONS = loadMigrations();

/** What differs between a migrations folder and the manifest of landed files. */
export interface MigrationDrift {
  /** landed files whose bytes changed: a landed migration is never edited */
  changed: string[];
  /** landed files that are gone */
  missing: string[];
  /** files of the folder the manifest does not list: record a new migration's hash */
  unrecorded: string[];
}

/**
 * Compares every `.ts` file of `dir` with `landed` (file name → SHA-256 of its bytes, the
 * manifest `landed-migrations.json`).
 */
export function migrationDrift(
  landed: Readonly<Record<string, string>>,
  dir: string = MIGRATIONS_DIR,
): MigrationDrift {
  const present = new Map(
    readdirSync(dir)
      .filter((file) => file.endsWith('.ts'))
      .map((file) => [file, sha256(readFileSync(join(dir, file)))]),
  );
  const listed = Object.keys(landed);
  return {
    changed: listed.filter((file) => present.has(file) && present.get(file) !== landed[file]),
    missing: listed.filter((file) => !present.has(file)),
    unrecorded: [...present.keys()].filter((file) => !(file in landed)).sort(),
  };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
