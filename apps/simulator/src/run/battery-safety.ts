import {
  INITIAL_THERMAL_STATE,
  stepThermal,
  type BatteryThermalState,
} from '../tenants/battery-thermal';
import type { OrderIntent } from '../tenants/types';
import type { GraphqlClient } from './graphql-client';

/** What the demo's battery went through, for the summary. */
export interface SafetyTally {
  /** Changes of level, in order: `HH:MM NORMAL → WARNING (rules)`. */
  changes: string[];
  /** Its OPEN orders the linkage cancelled. */
  cancelledOrders: number;
  /** Quarter-hours it traded derated, and suspended (no orders at all). */
  deratedIntervals: number;
  suspendedIntervals: number;
  /** Cleared deliveries flagged to the operator as expected imbalance. */
  expectedImbalances: number;
}

interface AssetState {
  level: string;
  trading: 'FULL' | 'DERATED' | 'SUSPENDED';
  powerPermille: number;
}

interface IngestEvent {
  fromLevel: string;
  toLevel: string;
  findings: { rule: string }[];
  cancelledOrderIds: string[];
  expectedImbalances: number;
}

const INGEST = `mutation($samples: [TelemetrySampleInput!]!) { ingestTelemetry(samples: $samples) {
  events { fromLevel toLevel findings { rule } cancelledOrderIds expectedImbalances }
  assets { level trading powerPermille } } }`;

/**
 * The demo's battery as an asset: registered by the operator, its battery management sending
 * one sample per simulated quarter-hour from the thermal model (with the fault of `--fault
 * battery@HH:MM`), and its storage offers naming the asset and kept within what its safety level
 * allows — derated at WARNING, none at ALARM; the exchange cancels what is beyond it.
 *
 * The demo's intervals are accelerated (one of `intervalSeconds` real seconds stands for a
 * quarter-hour), so the asset is rated for that time: its power delivers its whole capacity in
 * one demo interval, as the storage product's offers (capacity per interval) need.
 */
export class BatterySafety {
  private thermal: BatteryThermalState = INITIAL_THERMAL_STATE;
  private asset: AssetState = { level: 'NORMAL', trading: 'FULL', powerPermille: 1000 };
  readonly tally: SafetyTally = {
    changes: [],
    cancelledOrders: 0,
    deratedIntervals: 0,
    suspendedIntervals: 0,
    expectedImbalances: 0,
  };

  private constructor(
    private readonly client: GraphqlClient,
    readonly assetId: string,
    private readonly capacityWh: number,
    /** Quarter-hour of the run the fault begins at; null: none. */
    private readonly faultIndex: number | null,
  ) {}

  /** Registers the battery participant's asset through the operator. */
  static async register(options: {
    operator: GraphqlClient;
    owner: GraphqlClient;
    participantId: string;
    name: string;
    capacityWh: number;
    intervalSeconds: number;
    faultIndex: number | null;
  }): Promise<BatterySafety> {
    const powerKw = Math.ceil((options.capacityWh * 3600) / options.intervalSeconds / 1000);
    const created = await options.operator.request<{ registerAsset: { id: string } }>(
      'mutation($input: AssetInput!) { registerAsset(input: $input) { id } }',
      {
        input: {
          participantId: options.participantId,
          name: options.name,
          kind: 'BATTERY',
          energyCapacity: String(options.capacityWh / 1000),
          chargePower: String(powerKw),
          dischargePower: String(powerKw),
        },
      },
    );
    return new BatterySafety(
      options.owner,
      created.registerAsset.id,
      options.capacityWh,
      options.faultIndex,
    );
  }

  /**
   * Quarter-hour `index` (`clock` its local time): advances the model and sends its sample; the
   * answer says the asset's level. Returns a line for each change of level.
   */
  async sample(index: number, hour: number, clock: string): Promise<string[]> {
    const { state, reading } = stepThermal(this.thermal, {
      hour,
      capacityWh: this.capacityWh,
      fault: this.faultIndex !== null && index >= this.faultIndex,
    });
    this.thermal = state;
    const data = await this.client.request<{
      ingestTelemetry: { events: IngestEvent[]; assets: AssetState[] };
    }>(INGEST, {
      samples: [{ assetId: this.assetId, time: new Date().toISOString(), ...reading }],
    });
    this.asset = data.ingestTelemetry.assets[0];
    const lines: string[] = [];
    for (const event of data.ingestTelemetry.events) {
      const rules = event.findings.map((f) => f.rule.toLowerCase().replaceAll('_', ' '));
      const change = `${clock} ${event.fromLevel} → ${event.toLevel}${rules.length ? ` (${rules.join(', ')})` : ''}`;
      this.tally.changes.push(change);
      this.tally.cancelledOrders += event.cancelledOrderIds.length;
      this.tally.expectedImbalances += event.expectedImbalances;
      const effects = [
        event.toLevel === 'WARNING' ? `derated to ${this.asset.powerPermille / 10} %` : null,
        event.toLevel === 'ALARM' ? 'suspended' : null,
        event.cancelledOrderIds.length
          ? `${event.cancelledOrderIds.length} open order(s) cancelled`
          : null,
        event.expectedImbalances
          ? `${event.expectedImbalances} cleared delivery(ies) flagged as expected imbalance`
          : null,
      ].filter(Boolean);
      lines.push(`battery ${change}${effects.length ? `: ${effects.join(', ')}` : ''}`);
    }
    return lines;
  }

  /**
   * The battery's storage offers as its level allows: all of them (naming the asset), trimmed
   * to the derated share of its capacity at WARNING, none at ALARM.
   */
  limit(intents: OrderIntent[]): OrderIntent[] {
    if (this.asset.trading === 'SUSPENDED') {
      this.tally.suspendedIntervals += 1;
      return [];
    }
    if (this.asset.trading === 'FULL') return intents;
    this.tally.deratedIntervals += 1;
    let left = Math.floor((this.capacityWh * this.asset.powerPermille) / 1000);
    const kept: OrderIntent[] = [];
    for (const intent of intents) {
      const quantityWh = Math.min(intent.quantityWh, left);
      if (quantityWh <= 0) break;
      kept.push({ ...intent, quantityWh });
      left -= quantityWh;
    }
    return kept;
  }
}
