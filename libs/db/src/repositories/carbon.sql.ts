/**
 * SQL of the carbon accounting (`CarbonRepository`). Reads only, apart from the appends of the
 * operator's factor versions; nothing here locks rows.
 */

/** Every version of every asset kind's factor (a small table: loaded whole). */
export const FACTOR_VERSIONS = `
  SELECT id::text, asset_kind, fuel, valid_from, mg_per_kwh::text,
         electrical_efficiency::text, thermal_efficiency::text,
         reference_electrical_efficiency::text, reference_thermal_efficiency::text,
         efficiency::text, renewable, source, created_at, created_by
    FROM emission_factor ORDER BY asset_kind, fuel, valid_from`;

/** Every version of the defaults. */
export const DEFAULT_VERSIONS = `
  SELECT id::text, name, valid_from, mg_per_kwh::text, source, created_at, created_by
    FROM carbon_default ORDER BY name, valid_from`;

/** The newest uploaded grid factor of each interval starting in [$1, $2). */
export const GRID_FACTORS = `
  SELECT DISTINCT ON (delivery_start) delivery_start, mg_per_kwh::text, uploaded_at, uploaded_by
    FROM grid_carbon_factor
   WHERE delivery_start >= $1 AND delivery_start < $2
   ORDER BY delivery_start, id DESC`;

/** Every asset's fuel versions, with its kind. */
export const ASSET_FUELS = `
  SELECT f.asset_id, f.fuel, f.valid_from FROM asset_fuel f ORDER BY f.asset_id, f.valid_from`;

/**
 * Metered import per participant, carrier and interval starting in [$1, $2) of the products
 * that carry electricity or heat (\`product_carrier_current\`), of one participant ($3) or all.
 */
export const METERED = `
  SELECT m.participant_id, c.carrier, m.delivery_start, m.import_wh::text
    FROM meter_interval_total m
    JOIN product_carrier_current c ON c.product_code = m.product_code AND c.carrier IS NOT NULL
   WHERE m.delivery_start >= $1 AND m.delivery_start < $2
     AND ($3::uuid IS NULL OR m.participant_id = $3)`;

/**
 * Fills of the products carrying electricity or heat delivering in [$1, $2), bought by one
 * participant ($3) or all, with the seller's order's asset (kind) if it names one.
 */
export const FILL_PURCHASES = `
  SELECT f.buyer_id, c.carrier, f.delivery_start, f.quantity_wh::text,
         s.asset_id, a.kind AS asset_kind
    FROM fill f
    JOIN product_carrier_current c ON c.product_code = f.product_code AND c.carrier IS NOT NULL
    JOIN market_order s ON s.id = f.sell_order_id
    LEFT JOIN asset a ON a.id = s.asset_id
   WHERE f.delivery_start >= $1 AND f.delivery_start < $2
     AND ($3::uuid IS NULL OR f.buyer_id = $3)`;

/**
 * Every award line of electricity and heat of the integrated auctions whose interval starts in
 * [$1, $2) (all participants: a buyer's factor is its pool's, made of every seller), each at the
 * start of its own interval, with the order's asset (kind) if it names one. An auction starts at
 * most 672 intervals of at most a day before `from` (the series' bounds).
 */
export const AUCTION_AWARDS = `
  SELECT w.party, w.participant_id, w.carrier, w.side, w.quantity_wh::text,
         a.delivery_start + w.interval * a.interval_seconds * interval '1 second' AS start,
         o.asset_id, s.kind AS asset_kind
    FROM auction a
    JOIN auction_award w USING (series_code, delivery_start)
    LEFT JOIN auction_order o ON o.id = w.order_id
    LEFT JOIN asset s ON s.id = o.asset_id
   WHERE a.delivery_start < $2 AND a.delivery_start >= $1::timestamptz - interval '672 days'
     AND w.carrier IN ('ELECTRICITY', 'HEAT')
     AND a.delivery_start + w.interval * a.interval_seconds * interval '1 second' >= $1
     AND a.delivery_start + w.interval * a.interval_seconds * interval '1 second' < $2`;

/** Participants of the PARTICIPANT role, or the one named ($1), by name. */
export const TENANTS = `
  SELECT id, name FROM participant
   WHERE role = 'PARTICIPANT' AND ($1::uuid IS NULL OR id = $1)
   ORDER BY name, id`;

export const INSERT_FACTOR_VERSION = `
  INSERT INTO emission_factor (asset_kind, fuel, valid_from, mg_per_kwh, electrical_efficiency,
                               thermal_efficiency, reference_electrical_efficiency,
                               reference_thermal_efficiency, efficiency, renewable, source, created_by)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
  RETURNING id::text, asset_kind, fuel, valid_from, mg_per_kwh::text,
            electrical_efficiency::text, thermal_efficiency::text,
            reference_electrical_efficiency::text, reference_thermal_efficiency::text,
            efficiency::text, renewable, source, created_at, created_by`;

export const INSERT_DEFAULT_VERSION = `
  INSERT INTO carbon_default (name, valid_from, mg_per_kwh, source, created_by)
  VALUES ($1, $2, $3, $4, $5)
  RETURNING id::text, name, valid_from, mg_per_kwh::text, source, created_at, created_by`;

/** One upload of grid factors: one row per interval, in one statement. */
export const INSERT_GRID_FACTORS = `
  INSERT INTO grid_carbon_factor (delivery_start, mg_per_kwh, uploaded_by)
  SELECT s, m, $3 FROM unnest($1::timestamptz[], $2::bigint[]) AS u (s, m)`;

export const INSERT_ASSET_FUEL = `
  INSERT INTO asset_fuel (asset_id, fuel, valid_from, created_by) VALUES ($1, $2, $3, $4)`;

/** An asset's kind (null: no such asset). */
export const ASSET_KIND = `SELECT kind FROM asset WHERE id = $1`;

/** Every product with the carrier it delivers (null: none). */
export const PRODUCT_CARRIERS = `
  SELECT p.code AS product_code, c.carrier
    FROM product p LEFT JOIN product_carrier_current c ON c.product_code = p.code
   ORDER BY p.code`;

export const INSERT_PRODUCT_CARRIER = `
  INSERT INTO product_carrier (product_code, carrier, created_by) VALUES ($1, $2, $3)`;
