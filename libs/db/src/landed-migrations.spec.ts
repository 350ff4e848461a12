import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import manifest from './landed-migrations.json';
import { migrationDrift } from './migrations';

describe('landed migrations', () => {
  it('are byte for byte as they landed, and every migration file is recorded', () => {
    // A failure here means a landed migration was edited (write a new migration instead) or a
    // new migration's SHA-256 is not in libs/db/src/landed-migrations.json yet.
    expect(migrationDrift(manifest.files)).toEqual({ changed: [], missing: [], unrecorded: [] });
  });

  describe('the comparison', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'parkex-landed-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const A_HASH = '559aead08264d5795d3909718cdd05abd49572e84fe55590eef31a88a08fdffd'; // "A"

    it('names an edited, a removed and an unrecorded file', () => {
      writeFileSync(join(dir, '1700000000001-AddA.ts'), 'A');
      writeFileSync(join(dir, '1700000000002-AddB.ts'), 'B, edited');
      writeFileSync(join(dir, '1700000000004-AddD.ts'), 'D');
      writeFileSync(join(dir, 'notes.md'), 'not a TypeScript file');

      expect(
        migrationDrift(
          {
            '1700000000001-AddA.ts': A_HASH,
            '1700000000002-AddB.ts': A_HASH,
            '1700000000003-AddC.ts': A_HASH,
          },
          dir,
        ),
      ).toEqual({
        changed: ['1700000000002-AddB.ts'],
        missing: ['1700000000003-AddC.ts'],
        unrecorded: ['1700000000004-AddD.ts'],
      });
    });
  });
});
