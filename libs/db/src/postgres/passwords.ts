import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Passwords of an embedded server's roles, in a JSON file beside its data folder
 * (`.data/postgres` → `.data/postgres.passwords.json`), readable by its owner only (0600).
 */
export interface StoredPasswords {
  /** The superuser's password as last confirmed. */
  superuser?: string;
  /**
   * Passwords that may be in force after an interrupted change (initdb's, or the next one
   * while it is being set). The next start logs in with one of them and replaces it.
   */
  unconfirmed?: string[];
  /** The role that owns the `parkex` database and migrates it. */
  owner?: string;
  /** The login role the API and the matcher run as (member of `parkex_app`). */
  runtime?: string;
}

export function passwordFileOf(dataDir: string): string {
  return join(dirname(dataDir), `${basename(dataDir)}.passwords.json`);
}

/** 192 random bits, URL-safe (they go into connection URLs as they are). */
export function randomPassword(): string {
  return randomBytes(24).toString('base64url');
}

export function readPasswords(file: string): StoredPasswords {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StoredPasswords;
  } catch (error) {
    throw new Error(`${file} is not the JSON this project writes; move it away to start afresh`, {
      cause: error,
    });
  }
}

/** Merges `changes` into the file: written whole to a 0600 temporary file, then renamed. */
export function updatePasswords(file: string, changes: StoredPasswords): StoredPasswords {
  const next: StoredPasswords = { ...readPasswords(file), ...changes };
  for (const key of Object.keys(next) as (keyof StoredPasswords)[]) {
    if (next[key] === undefined) delete next[key];
  }
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600); // whatever the umask
  renameSync(temporary, file);
  return next;
}
