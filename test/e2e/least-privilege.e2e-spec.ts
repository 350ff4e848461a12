import { applyMigrations } from '@parkex/db';
import { DataSource } from 'typeorm';
import type { Client } from 'pg';
import { startTestApi, type TestApi } from '@parkex/test-support/test-api';
import {
  connectAsRuntimeRole,
  connectTestDatabase,
  testDatabaseUrl,
} from '@parkex/test-support/test-database';
import { startTestMatcher, type TestMatcher } from '@parkex/test-support/test-matcher';

/**
 * The API and the matcher run as a login role in `parkex_app` (this run's, from the global
 * setup); migration 1764300900000 decides what that group may do. The rest of the suite shows
 * that it may do everything the apps need; this spec shows what it may not.
 */

interface Decision {
  /** Table-level privileges. */
  privileges: ('SELECT' | 'INSERT')[];
  /** Columns it may UPDATE; only those present are expected (later migrations add some). */
  updatable?: string[];
  /** Tables that other migrations add; expected only when present. */
  optional?: true;
}

const READ_AND_APPEND: Decision = { privileges: ['INSERT', 'SELECT'] };

/**
 * Every table of the schema with what the runtime role may do on it. A table missing here
 * fails the first test: decide, and grant it in the migration that creates the table.
 */
const RUNTIME_PRIVILEGES: Record<string, Decision> = {
  account: READ_AND_APPEND,
  api_key: { ...READ_AND_APPEND, updatable: ['revoked_at'] },
  audit_log: READ_AND_APPEND,
  clearing_result: READ_AND_APPEND,
  fill: READ_AND_APPEND,
  journal: READ_AND_APPEND,
  ledger_entry: READ_AND_APPEND,
  market_order: { ...READ_AND_APPEND, updatable: ['status'] },
  migrations: { privileges: ['SELECT'] },
  order_result: READ_AND_APPEND,
  participant: { ...READ_AND_APPEND, updatable: ['suspended_at', 'suspended_reason'] },
  product: {
    ...READ_AND_APPEND,
    updatable: [
      'gate_closure_seconds',
      'horizon_seconds',
      'interval_seconds',
      'k',
      'max_participant_quantity_wh',
      'max_price',
      'mechanism',
      'min_price',
      'name',
      'network_fee',
      'price_tick',
      'unit',
      'updated_at',
      // imbalance terms (migration CreateImbalanceSettlement)
      'auction_series',
      'correction_window_seconds',
      'feed_in_tariff',
      'import_tariff',
      'metering_window_seconds',
    ],
  },
  product_interval: { ...READ_AND_APPEND, updatable: ['state'] },
  // written by SECURITY DEFINER triggers only
  interval_book_total: { privileges: ['SELECT'], optional: true },
  participant_book_total: { privileges: ['SELECT'], optional: true },
  clearing_attempt: { ...READ_AND_APPEND, optional: true },
  clearing_failure: { ...READ_AND_APPEND, optional: true },
  audit_seal: { ...READ_AND_APPEND, optional: true },
  // storage safety (migration CreateAssetsAndTelemetry); telemetry_sample's day partitions live
  // in the schema telemetry_partition, made and dropped by SECURITY DEFINER functions
  asset: READ_AND_APPEND,
  asset_safety: {
    ...READ_AND_APPEND,
    updatable: [
      'acknowledged',
      'below_level',
      'below_since',
      'changed_at',
      'last_received_at',
      'last_sample_at',
      'level',
      'rate_ref_at',
      'rate_ref_temp_deci_c',
    ],
  },
  safety_rules: { ...READ_AND_APPEND, updatable: ['rules', 'updated_at', 'updated_by'] },
  telemetry_sample: READ_AND_APPEND,
  safety_event: READ_AND_APPEND,
  expected_imbalance: READ_AND_APPEND,
  // metering (migration CreateMeterReadings): readings are appended, corrections are new versions
  meter_reading: READ_AND_APPEND,
  // carbon accounting (migration CreateCarbonFactors): factors are versions, appended
  emission_factor: READ_AND_APPEND,
  carbon_default: READ_AND_APPEND,
  grid_carbon_factor: READ_AND_APPEND,
  asset_fuel: READ_AND_APPEND,
  product_carrier: READ_AND_APPEND,
  auction_series: {
    ...READ_AND_APPEND,
    updatable: [
      'carriers',
      'gate_closure_seconds',
      'interval_seconds',
      'intervals',
      'k',
      'max_price',
      'min_price',
      'name',
      'price_tick',
      'updated_at',
    ],
  },
  auction: { ...READ_AND_APPEND, updatable: ['state'] },
  auction_order: { ...READ_AND_APPEND, updatable: ['status'] },
  // written by SECURITY DEFINER triggers only
  auction_total: { privileges: ['SELECT'] },
  auction_participant_total: { privileges: ['SELECT'] },
  auction_attempt: READ_AND_APPEND,
  auction_failure: READ_AND_APPEND,
  auction_result: READ_AND_APPEND,
  auction_price: READ_AND_APPEND,
  auction_award: READ_AND_APPEND,
  auction_order_result: READ_AND_APPEND,
  // imbalance settlement (migration CreateImbalanceSettlement): a matcher claims an interval and
  // moves its counters; revisions and their lines are appended (its views imbalance_position and
  // auction_award_product are granted SELECT; like the other views, not listed here)
  imbalance_interval: {
    ...READ_AND_APPEND,
    updatable: ['readings', 'revision', 'settled_readings'],
  },
  imbalance_settlement: READ_AND_APPEND,
  imbalance_line: READ_AND_APPEND,
};

const APPEND_ONLY = ['clearing_result', 'fill', 'order_result', 'journal', 'ledger_entry'];

describe('least privilege: the runtime role', () => {
  let admin: Client;
  let runtime: Client;

  beforeAll(async () => {
    admin = await connectTestDatabase();
    runtime = await connectAsRuntimeRole();
  });
  afterAll(async () => {
    await runtime?.end();
    await admin?.end();
  });

  it('has a decided set of privileges on every table, and exactly those', async () => {
    const { rows } = await admin.query<{
      table: string;
      privileges: string[];
      columns: string[];
    }>(`
      SELECT c.relname AS table,
             array(SELECT a.privilege_type FROM aclexplode(c.relacl) a
                   WHERE a.grantee = 'parkex_app'::regrole ORDER BY 1) AS privileges,
             array(SELECT att.attname || ' ' || a.privilege_type
                   FROM pg_attribute att, aclexplode(att.attacl) a
                   WHERE att.attrelid = c.oid AND a.grantee = 'parkex_app'::regrole
                   ORDER BY 1) AS columns
      FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
      ORDER BY 1`);
    const undecided = rows.map((r) => r.table).filter((t) => !(t in RUNTIME_PRIVILEGES));
    expect({ undecided }).toEqual({ undecided: [] });

    const present = new Set(rows.map((r) => r.table));
    const missing = Object.entries(RUNTIME_PRIVILEGES)
      .filter(([table, decision]) => !decision.optional && !present.has(table))
      .map(([table]) => table);
    expect({ missing }).toEqual({ missing: [] });

    const columnsOf = await admin.query<{ table: string; column: string }>(`
      SELECT c.relname AS table, a.attname AS column
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped`);
    const exists = new Set(columnsOf.rows.map((r) => `${r.table}.${r.column}`));
    for (const row of rows) {
      const decision = RUNTIME_PRIVILEGES[row.table];
      const updatable = (decision.updatable ?? [])
        .filter((column) => exists.has(`${row.table}.${column}`))
        .sort();
      expect({ table: row.table, privileges: row.privileges, columns: row.columns }).toEqual({
        table: row.table,
        privileges: [...decision.privileges].sort(),
        columns: updatable.map((column) => `${column} UPDATE`),
      });
    }
  });

  it('is a plain login role in parkex_app: no superuser, no role or database creation', async () => {
    const { rows } = await runtime.query(`
      SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls,
             current_setting('is_superuser') AS is_superuser,
             array(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                   WHERE m.member = r.oid) AS member_of
      FROM pg_roles r WHERE r.rolname = current_user`);
    expect(rows).toEqual([
      {
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolreplication: false,
        rolbypassrls: false,
        is_superuser: 'off',
        member_of: ['parkex_app'],
      },
    ]);
    const group = await runtime.query(
      `SELECT rolsuper, rolcanlogin, rolcreaterole, rolcreatedb, rolbypassrls
       FROM pg_roles WHERE rolname = 'parkex_app'`,
    );
    expect(group.rows).toEqual([
      {
        rolsuper: false,
        rolcanlogin: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolbypassrls: false,
      },
    ]);
  });

  const refused: [string, string, RegExp][] = [
    ['UPDATE a fill', 'UPDATE fill SET price = price', /permission denied for table fill/],
    [
      'DELETE a ledger entry',
      'DELETE FROM ledger_entry',
      /permission denied for table ledger_entry/,
    ],
    ...APPEND_ONLY.map((table): [string, string, RegExp] => [
      `TRUNCATE ${table}`,
      `TRUNCATE ${table}`,
      new RegExp(`permission denied for table ${table}`),
    ]),
    [
      'DROP a trigger',
      'DROP TRIGGER fill_append_only ON fill',
      /must be owner of (table|relation) fill/,
    ],
    [
      'disable triggers',
      'ALTER TABLE ledger_entry DISABLE TRIGGER ALL',
      /must be owner of table ledger_entry/,
    ],
    [
      'set session_replication_role',
      'SET session_replication_role = replica',
      /permission denied to set parameter "session_replication_role"/,
    ],
    [
      'set session_replication_role through set_config',
      `SELECT set_config('session_replication_role', 'replica', true)`,
      /permission denied to set parameter "session_replication_role"/,
    ],
    ['CREATE TABLE', 'CREATE TABLE intruder (id int)', /permission denied for schema public/],
    [
      'CREATE FUNCTION',
      'CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$',
      /permission denied for schema public/,
    ],
    [
      'CREATE TEMPORARY TABLE',
      'CREATE TEMPORARY TABLE scratch (id int)',
      /permission denied to create temporary tables/,
    ],
    ['ALTER TABLE', 'ALTER TABLE fill ADD COLUMN note text', /must be owner of table fill/],
    [
      "change an order's terms",
      'UPDATE market_order SET price = price',
      /permission denied for table market_order/,
    ],
    [
      "move an interval's gate",
      'UPDATE product_interval SET gate_closure_at = gate_closure_at',
      /permission denied for table product_interval/,
    ],
    ['delete an order', 'DELETE FROM market_order', /permission denied for table market_order/],
    ['rewrite the audit log', 'DELETE FROM audit_log', /permission denied for table audit_log/],
    [
      'record a migration',
      `INSERT INTO migrations (timestamp, name) VALUES (1, 'Forged1')`,
      /permission denied for table migrations/,
    ],
    ['forget a migration', 'DELETE FROM migrations', /permission denied for table migrations/],
  ];

  it.each(refused)('may not %s', async (_what, sql, message) => {
    await expect(runtime.query(sql)).rejects.toMatchObject({
      code: '42501',
      message: expect.stringMatching(message),
    });
  });

  it('may check that the schema is current, as an app does at start without MIGRATION_DATABASE_URL', async () => {
    await expect(applyMigrations(testDatabaseUrl())).resolves.toEqual([]);
  });

  describe('is what the apps connect as', () => {
    let api: TestApi;
    let matcher: TestMatcher;

    beforeAll(async () => {
      api = await startTestApi();
      matcher = await startTestMatcher(['ELECTRICITY']);
    });
    afterAll(async () => {
      await matcher?.close();
      await api?.close();
    });

    it('the API and the matcher run as the runtime role, not as the administrator', async () => {
      const runtimeRole = decodeURIComponent(new URL(testDatabaseUrl()).username);
      const whoami = async (db: DataSource) =>
        (await db.query<{ role: string }[]>(`SELECT current_user AS role`))[0].role;
      expect({
        api: await whoami(api.app.get(DataSource)),
        matcher: await whoami(matcher.app.get(DataSource)),
      }).toEqual({ api: runtimeRole, matcher: runtimeRole });
      const attributes = await admin.query(`SELECT rolsuper FROM pg_roles WHERE rolname = $1`, [
        runtimeRole,
      ]);
      expect(attributes.rows).toEqual([{ rolsuper: false }]);
    });
  });
});
