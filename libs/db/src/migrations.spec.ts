import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS as LANDED_INDEX } from '@parkex/migrations';
import { loadMigrations, MIGRATIONS, MIGRATIONS_DIR } from './migrations';

describe('loadMigrations', () => {
  it('finds every migration file of the folder, oldest first, the landed index first', () => {
    const files = readdirSync(MIGRATIONS_DIR).filter((file) => /^\d{13}-\w+\.ts$/.test(file));
    const names = MIGRATIONS.map((migration) => migration.name);

    expect(names).toHaveLength(files.length);
    expect(names.slice(0, LANDED_INDEX.length)).toEqual(LANDED_INDEX.map((m) => m.name));
    const timestamps = names.map((name) => name.match(/\d{13}$/)![0]);
    expect(timestamps).toEqual([...new Set(timestamps)].sort());
    expect(names).toContain('GrantRuntimeRole1764300900000');
  });

  describe('in a folder of its own', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'parkex-migrations-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const write = (file: string, body: string) => writeFileSync(join(dir, file), body);

    it('orders by timestamp and ignores files that are not migrations', () => {
      write('1700000000002-AddB.ts', 'export class AddB1700000000002 {}');
      write('1700000000001-AddA.ts', 'export class AddA1700000000001 {}');
      write('index.ts', 'throw new Error("not a migration")');
      write('1700000000003-AddC.spec.ts', 'throw new Error("not a migration")');

      expect(loadMigrations(dir).map((m) => m.name)).toEqual([
        'AddA1700000000001',
        'AddB1700000000002',
      ]);
    });

    it('refuses a file that does not export the class its name promises', () => {
      write('1700000000001-AddA.ts', 'export class AddB1700000000001 {}');

      expect(() => loadMigrations(dir)).toThrow(
        'migrations: 1700000000001-AddA.ts does not export the class AddA1700000000001',
      );
    });
  });
});
