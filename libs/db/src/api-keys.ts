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
