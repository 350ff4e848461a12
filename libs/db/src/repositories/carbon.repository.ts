import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool, queryRows, transaction } from '../pg-pool';
import { appendPendingAudit } from './audit-log.repository';
import {
  ASSET_FUELS,
  ASSET_KIND,
  AUCTION_AWARDS,
  DEFAULT_VERSIONS,
  FACTOR_VERSIONS,
  FILL_PURCHASES,
  GRID_FACTORS,
  INSERT_ASSET_FUEL,
  INSERT_DEFAULT_VERSION,
  INSERT_FACTOR_VERSION,
  INSERT_GRID_FACTORS,
  INSERT_PRODUCT_CARRIER,
  METERED,
  PRODUCT_CARRIERS,
  TENANTS,
} from './carbon.sql';
import { isUniqueViolation } from './pg-errors';

/** A version of an asset kind's emission factor; decimals and bigints as text. */
export interface EmissionFactorRow {
  id: string;
  asset_kind: string;
  fuel: string;
  valid_from: Date;
  mg_per_kwh: string | null;
  electrical_efficiency: string | null;
  thermal_efficiency: string | null;
  reference_electrical_efficiency: string | null;
  reference_thermal_efficiency: string | null;
  efficiency: string | null;
  renewable: boolean;
  source: string;
  created_at: Date;
  created_by: string | null;
}

export interface CarbonDefaultRow {
  id: string;
  name: 'GRID_ELECTRICITY' | 'HEAT';
  valid_from: Date;
  mg_per_kwh: string;
  source: string;
  created_at: Date;
  created_by: string | null;
}

export interface GridFactorRow {
  delivery_start: Date;
  mg_per_kwh: string;
  uploaded_at: Date;
  uploaded_by: string;
}

export interface AssetFuelRow {
  asset_id: string;
  fuel: string;
  valid_from: Date;
}

export interface MeteredRow {
  participant_id: string;
  carrier: 'ELECTRICITY' | 'HEAT';
  delivery_start: Date;
  import_wh: string;
}

export interface FillPurchaseRow {
  buyer_id: string;
  carrier: 'ELECTRICITY' | 'HEAT';
  delivery_start: Date;
  quantity_wh: string;
  asset_id: string | null;
  asset_kind: string | null;
}

export interface AuctionAwardLineRow {
  party: 'ORDER' | 'GRID' | 'BALANCING';
  participant_id: string | null;
  carrier: 'ELECTRICITY' | 'HEAT';
  side: 'BUY' | 'SELL';
  quantity_wh: string;
  start: Date;
  asset_id: string | null;
  asset_kind: string | null;
}

export interface ProductCarrierRow {
  product_code: string;
  carrier: 'ELECTRICITY' | 'HEAT' | null;
}

export interface TenantRow {
  id: string;
  name: string;
}

export interface NewEmissionFactor {
  assetKind: string;
  fuel: string;
  validFrom: Date;
  mgPerKwh: bigint | null;
  electricalEfficiency: string | null;
  thermalEfficiency: string | null;
  referenceElectricalEfficiency: string | null;
  referenceThermalEfficiency: string | null;
  efficiency: string | null;
  renewable: boolean;
  source: string;
}

/** What the carbon accounting reads in one window. */
export interface CarbonInputs {
  metered: MeteredRow[];
  fills: FillPurchaseRow[];
  awards: AuctionAwardLineRow[];
  grid: GridFactorRow[];
}

/** A version already exists for that key and instant. */
export class CarbonVersionExistsError extends Error {
  constructor(what: string) {
    super(`a version of ${what} valid from that instant exists already; versions are append-only`);
    this.name = 'CarbonVersionExistsError';
  }
}

/** Carbon accounting: the operator's factors (append-only versions) and the energy they apply to. */
@Injectable()
export class CarbonRepository {
  private readonly pool: Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  factorVersions(): Promise<EmissionFactorRow[]> {
    return queryRows<EmissionFactorRow>(this.pool, FACTOR_VERSIONS);
  }

  defaultVersions(): Promise<CarbonDefaultRow[]> {
    return queryRows<CarbonDefaultRow>(this.pool, DEFAULT_VERSIONS);
  }

  assetFuels(): Promise<AssetFuelRow[]> {
    return queryRows<AssetFuelRow>(this.pool, ASSET_FUELS);
  }

  gridFactors(from: Date, to: Date): Promise<GridFactorRow[]> {
    return queryRows<GridFactorRow>(this.pool, GRID_FACTORS, [from, to]);
  }

  async assetKind(assetId: string): Promise<string | null> {
    const rows = await queryRows<{ kind: string }>(this.pool, ASSET_KIND, [assetId]);
    return rows[0]?.kind ?? null;
  }

  productCarriers(): Promise<ProductCarrierRow[]> {
    return queryRows<ProductCarrierRow>(this.pool, PRODUCT_CARRIERS);
  }

  /** Says which carrier a product delivers (null: none) from now on; audited. */
  setProductCarrier(
    productCode: string,
    carrier: 'ELECTRICITY' | 'HEAT' | null,
    actorId: string,
  ): Promise<void> {
    return this.append(`product ${productCode}'s carrier`, async (client) => {
      await client.query(INSERT_PRODUCT_CARRIER, [productCode, carrier, actorId]);
    });
  }

  tenants(participantId: string | null): Promise<TenantRow[]> {
    return queryRows<TenantRow>(this.pool, TENANTS, [participantId]);
  }

  /**
   * Metered imports and park purchases (fills of one participant or all; every auction award,
   * the pools need all sellers) and the uploaded grid factors of the intervals starting in
   * [from, to), read in one REPEATABLE READ snapshot so that they agree.
   */
  inputs(from: Date, to: Date, participantId: string | null): Promise<CarbonInputs> {
    return transaction(
      this.pool,
      { isolation: 'REPEATABLE READ', readOnly: true },
      async (client) => {
        const rows = async <T>(text: string, values: unknown[]) =>
          (await client.query(text, values)).rows as T[];
        return {
          metered: await rows<MeteredRow>(METERED, [from, to, participantId]),
          fills: await rows<FillPurchaseRow>(FILL_PURCHASES, [from, to, participantId]),
          awards: await rows<AuctionAwardLineRow>(AUCTION_AWARDS, [from, to]),
          grid: await rows<GridFactorRow>(GRID_FACTORS, [from, to]),
        };
      },
    );
  }

  /** Appends a version of a kind's factor (checked by the caller); audited in its transaction. */
  addFactorVersion(factor: NewEmissionFactor, actorId: string): Promise<EmissionFactorRow> {
    return this.append(`${factor.assetKind} on ${factor.fuel}`, async (client) => {
      const { rows } = await client.query<EmissionFactorRow>(INSERT_FACTOR_VERSION, [
        factor.assetKind,
        factor.fuel,
        factor.validFrom,
        factor.mgPerKwh?.toString() ?? null,
        factor.electricalEfficiency,
        factor.thermalEfficiency,
        factor.referenceElectricalEfficiency,
        factor.referenceThermalEfficiency,
        factor.efficiency,
        factor.renewable,
        factor.source,
        actorId,
      ]);
      return rows[0];
    });
  }

  /** Appends a version of a default factor; audited in its transaction. */
  addDefaultVersion(
    name: 'GRID_ELECTRICITY' | 'HEAT',
    validFrom: Date,
    mgPerKwh: bigint,
    source: string,
    actorId: string,
  ): Promise<CarbonDefaultRow> {
    return this.append(`the ${name} default`, async (client) => {
      const { rows } = await client.query<CarbonDefaultRow>(INSERT_DEFAULT_VERSION, [
        name,
        validFrom,
        mgPerKwh.toString(),
        source,
        actorId,
      ]);
      return rows[0];
    });
  }

  /** Appends one upload of grid factors (one per interval, checked by the caller); audited. */
  uploadGridFactors(
    factors: readonly { deliveryStart: Date; mgPerKwh: bigint }[],
    actorId: string,
  ): Promise<number> {
    return this.append('grid factors', async (client) => {
      const result = await client.query(INSERT_GRID_FACTORS, [
        factors.map((f) => f.deliveryStart),
        factors.map((f) => f.mgPerKwh.toString()),
        actorId,
      ]);
      return result.rowCount ?? 0;
    });
  }

  /** Names the fuel an asset burns from `validFrom` on; audited. */
  setAssetFuel(assetId: string, fuel: string, validFrom: Date, actorId: string): Promise<void> {
    return this.append(`asset ${assetId}'s fuel`, async (client) => {
      await client.query(INSERT_ASSET_FUEL, [assetId, fuel, validFrom, actorId]);
    });
  }

  private async append<T>(what: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    try {
      return await transaction(this.pool, { isolation: 'READ COMMITTED' }, async (client) => {
        const result = await work(client);
        await appendPendingAudit((text, values) => client.query(text, values));
        return result;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new CarbonVersionExistsError(what);
      throw error;
    }
  }
}
