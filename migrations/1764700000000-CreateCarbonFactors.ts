import type { MigrationInterface, QueryRunner } from 'typeorm';

const FUEL = `'^[A-Z][A-Z0-9_]{0,31}$'`;
const SOURCE = `text NOT NULL CHECK (length(source) BETWEEN 1 AND 500)`;
/** Whole mg CO2e per kWh, at most 10 t/kWh. */
const MG = `bigint NOT NULL CHECK (mg_per_kwh BETWEEN 0 AND 10000000000)`;

/**
 * Carbon accounting's emission factors, all configured by the operator, versioned and append-only
 * (a change is a new version valid from an instant; every report can be recomputed from what is
 * stored; each change is a mutation with its audit row):
 *
 * - `emission_factor`: per asset kind and fuel, from `valid_from`: PV's factor per kWh of output;
 *   a CHP's fuel factor per kWh of fuel, its outputs per kWh of fuel and the reference efficiencies
 *   of the efficiency method; a heat pump's or electric boiler's efficiency (its input electricity
 *   at the grid's factor). Storage has no row (see libs/market/src/carbon).
 * - `carbon_default`: the grid's factor where none was uploaded for an interval, and the heat
 *   reference factor, each with its source.
 * - `grid_carbon_factor`: the grid's factor per interval as uploaded; the newest upload of an
 *   interval counts.
 * - `asset_fuel`: the fuel an asset burns from `valid_from`, where it is not its kind's default.
 * - `product_carrier`: which energy carrier a product delivers (ELECTRICITY and HEAT carry
 *   themselves; the demo's DEMO_ELECTRICITY carries ELECTRICITY; STORAGE none); the newest row of
 *   a product counts (`product_carrier_current`), a null carrier takes it out of the accounting.
 *
 * Factors are whole milligrams CO2e per kWh; efficiencies exact decimals.
 */
export class CreateCarbonFactors1764700000000 implements MigrationInterface {
  name = 'CreateCarbonFactors1764700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE emission_factor (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        asset_kind text NOT NULL CHECK (asset_kind IN ('PV', 'CHP', 'HEAT_PUMP', 'BOILER')),
        fuel text NOT NULL CHECK (fuel ~ ${FUEL}),
        valid_from timestamptz NOT NULL,
        mg_per_kwh bigint CHECK (mg_per_kwh BETWEEN 0 AND 10000000000),
        electrical_efficiency numeric CHECK (electrical_efficiency > 0 AND electrical_efficiency <= 1),
        thermal_efficiency numeric CHECK (thermal_efficiency > 0 AND thermal_efficiency <= 1),
        reference_electrical_efficiency numeric
          CHECK (reference_electrical_efficiency > 0 AND reference_electrical_efficiency <= 1),
        reference_thermal_efficiency numeric
          CHECK (reference_thermal_efficiency > 0 AND reference_thermal_efficiency <= 1),
        efficiency numeric CHECK (efficiency > 0 AND efficiency <= 10),
        renewable boolean NOT NULL,
        source ${SOURCE},
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        created_by uuid REFERENCES participant (id),
        CONSTRAINT emission_factor_version UNIQUE (asset_kind, fuel, valid_from),
        CONSTRAINT emission_factor_terms CHECK (CASE asset_kind
          WHEN 'PV' THEN mg_per_kwh IS NOT NULL
          WHEN 'CHP' THEN mg_per_kwh IS NOT NULL AND electrical_efficiency IS NOT NULL
            AND thermal_efficiency IS NOT NULL AND reference_electrical_efficiency IS NOT NULL
            AND reference_thermal_efficiency IS NOT NULL
            AND electrical_efficiency + thermal_efficiency <= 1
          ELSE efficiency IS NOT NULL END)
      )`);
    await db.query(`
      CREATE TABLE carbon_default (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text NOT NULL CHECK (name IN ('GRID_ELECTRICITY', 'HEAT')),
        valid_from timestamptz NOT NULL,
        mg_per_kwh ${MG},
        source ${SOURCE},
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        created_by uuid REFERENCES participant (id),
        CONSTRAINT carbon_default_version UNIQUE (name, valid_from)
      )`);
    await db.query(`
      CREATE TABLE grid_carbon_factor (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        delivery_start timestamptz NOT NULL,
        mg_per_kwh ${MG},
        uploaded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        uploaded_by uuid NOT NULL REFERENCES participant (id)
      )`);
    await db.query(
      `CREATE INDEX grid_carbon_factor_interval ON grid_carbon_factor (delivery_start, id DESC)`,
    );
    await db.query(`
      CREATE TABLE asset_fuel (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        asset_id uuid NOT NULL REFERENCES asset (id),
        fuel text NOT NULL CHECK (fuel ~ ${FUEL}),
        valid_from timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        created_by uuid NOT NULL REFERENCES participant (id),
        CONSTRAINT asset_fuel_version UNIQUE (asset_id, valid_from)
      )`);
    await db.query(`
      CREATE TABLE product_carrier (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        product_code text NOT NULL REFERENCES product (code),
        carrier text CHECK (carrier IN ('ELECTRICITY', 'HEAT')),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        created_by uuid REFERENCES participant (id)
      )`);
    await db.query(
      `CREATE INDEX product_carrier_product ON product_carrier (product_code, id DESC)`,
    );
    await db.query(`
      CREATE VIEW product_carrier_current AS
      SELECT DISTINCT ON (product_code) product_code, carrier
        FROM product_carrier ORDER BY product_code, id DESC`);
    await db.query(`
      INSERT INTO product_carrier (product_code, carrier)
      SELECT code, code FROM product WHERE code IN ('ELECTRICITY', 'HEAT')`);
    await db.query(`GRANT SELECT ON product_carrier_current TO parkex_app`);

    for (const table of [
      'emission_factor',
      'carbon_default',
      'grid_carbon_factor',
      'asset_fuel',
      'product_carrier',
    ]) {
      // One statement-level trigger refuses every UPDATE, DELETE and TRUNCATE, rows or none.
      await db.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
      await db.query(`GRANT SELECT, INSERT ON ${table} TO parkex_app`);
    }

    // The seeded factors, valid from the epoch; the README's table lists them with their sources.
    await db.query(`
      INSERT INTO carbon_default (name, valid_from, mg_per_kwh, source) VALUES
        ('GRID_ELECTRICITY', 'epoch', 380000,
         'German electricity mix 2023: 380 g CO2/kWh, Umweltbundesamt, Entwicklung der spezifischen Treibhausgas-Emissionen des deutschen Strommix in den Jahren 1990-2023, Climate Change 23/2024'),
        ('HEAT', 'epoch', 280000,
         'District heating (Nah-/Fernwaerme): 0.280 kg CO2/kWh, BAFA Informationsblatt CO2-Faktoren (Bundesfoerderung fuer Energie- und Ressourceneffizienz in der Wirtschaft)')`);
    const chp = (fuel: string, mg: number, source: string) =>
      `('CHP', '${fuel}', 'epoch', ${mg}, 0.35, 0.5, 0.35, 0.8, NULL, false, '${source}')`;
    const reference =
      'outputs 0.35 el + 0.50 heat per kWh of fuel (the demo CHP); efficiency method with reference efficiencies 0.35 power and 0.80 heat (GHG Protocol tool Allocation of GHG Emissions from a CHP Plant, WRI/WBCSD 2006)';
    await db.query(`
      INSERT INTO emission_factor (asset_kind, fuel, valid_from, mg_per_kwh, electrical_efficiency,
                                   thermal_efficiency, reference_electrical_efficiency,
                                   reference_thermal_efficiency, efficiency, renewable, source)
      VALUES
        ('PV', 'SUN', 'epoch', 0, NULL, NULL, NULL, NULL, NULL, true,
         'No combustion: 0 g/kWh (GHG Protocol Scope 2 Guidance 2015; life-cycle emissions are outside scope 2)'),
        ${chp('NATURAL_GAS', 201000, `Natural gas 0.201 kg CO2/kWh (net calorific value), BAFA Informationsblatt CO2-Faktoren after UBA; ${reference}`)},
        ${chp('HEATING_OIL', 266000, `Light heating oil 0.266 kg CO2/kWh (net calorific value), BAFA Informationsblatt CO2-Faktoren after UBA; ${reference}`)},
        ('HEAT_PUMP', 'ELECTRICITY', 'epoch', NULL, NULL, NULL, NULL, NULL, 3.2, false,
         'COP 3.2 (the demo heat pump); its input electricity at the grid factor of the interval'),
        ('BOILER', 'ELECTRICITY', 'epoch', NULL, NULL, NULL, NULL, NULL, 0.99, false,
         'Electric boiler, 99 % efficiency; its input electricity at the grid factor of the interval')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP VIEW product_carrier_current`);
    await db.query(`DROP TABLE product_carrier`);
    await db.query(`DROP TABLE asset_fuel`);
    await db.query(`DROP TABLE grid_carbon_factor`);
    await db.query(`DROP TABLE carbon_default`);
    await db.query(`DROP TABLE emission_factor`);
  }
}
