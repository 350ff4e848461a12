import { createHash, randomBytes } from 'node:crypto';

/** API keys: 256 random bits, shown once, stored only as their SHA-256. */
export function generateApiKey(): string {
  return `pkx_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function apiKeyPrefix(key: string): string {
  return key.slice(0, 10);
}

/** The shortest key accepted from outside (`OPERATOR_API_KEY`): 32 characters. */
export const MIN_API_KEY_LENGTH = 32;
/** Fewer distinct characters than this is no random key. */
export const MIN_API_KEY_DISTINCT = 8;

/**
 * Why a key supplied from outside cannot carry 128 random bits, or undefined when it may. A
 * random 32-character hex or base64 string (128–192 bits) always passes; refused are keys
 * shorter than 32 characters, keys of fewer than 8 distinct characters (`aaaa…`, `abab…`),
 * a shorter block repeated (`abcdefgh` × 4), and keys whose neighbouring characters mostly
 * count up or down (`abcdefgh…`, `0123…`). It cannot prove randomness; it catches the obvious.
 */
export function apiKeyWeakness(key: string): string | undefined {
  const chars = [...key];
  if (chars.length < MIN_API_KEY_LENGTH) {
    return `is ${chars.length} characters long; at least ${MIN_API_KEY_LENGTH} are needed`;
  }
  const distinct = new Set(chars).size;
  if (distinct < MIN_API_KEY_DISTINCT) {
    return `uses only ${distinct} distinct character${distinct === 1 ? '' : 's'}; at least ${MIN_API_KEY_DISTINCT} are needed`;
  }
  for (let period = 1; period <= chars.length / 2; period++) {
    if (chars.every((char, i) => i < period || char === chars[i - period])) {
      return `repeats the same ${period} characters`;
    }
  }
  let steps = 0;
  for (let i = 1; i < chars.length; i++) {
    if (Math.abs(chars[i].codePointAt(0)! - chars[i - 1].codePointAt(0)!) === 1) steps++;
  }
  if (steps * 2 > chars.length - 1) return 'is mostly a run of consecutive characters';
  return undefined;
}
