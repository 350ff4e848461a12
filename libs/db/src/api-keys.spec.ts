import { randomBytes } from 'node:crypto';
import { apiKeyWeakness, generateApiKey } from './api-keys';

describe('apiKeyWeakness', () => {
  it('accepts generated keys and random 32-character hex or base64 keys', () => {
    for (let i = 0; i < 200; i++) {
      expect(apiKeyWeakness(generateApiKey())).toBeUndefined();
      expect(apiKeyWeakness(randomBytes(16).toString('hex'))).toBeUndefined();
      expect(apiKeyWeakness(randomBytes(24).toString('base64'))).toBeUndefined();
    }
  });

  it.each([
    ['a'.repeat(32), 'uses only 1 distinct character; at least 8 are needed'],
    ['x'.repeat(31), 'is 31 characters long; at least 32 are needed'],
    ['abababababababababababababababab', 'uses only 2 distinct characters; at least 8 are needed'],
    ['abcdefgh'.repeat(4), 'repeats the same 8 characters'],
    ['Kx9!Kx9!Kx9!Kx9!Kx9!Kx9!Kx9!Kx9!q', 'uses only 5 distinct characters; at least 8 are needed'],
    ['abcdefghijklmnopqrstuvwxyz012345', 'is mostly a run of consecutive characters'],
    ['9876543210zyxwvutsrqponmlkjihgfe', 'is mostly a run of consecutive characters'],
  ])('refuses %s', (key, reason) => {
    expect(apiKeyWeakness(key)).toBe(reason);
  });
});
