import type { ImbalanceParty } from './imbalance';

/** A party of the specs: traded Wh, and its reading (import, export) or none. */
export function party(
  participantId: string,
  boughtWh: bigint,
  soldWh: bigint,
  metered: [bigint, bigint] | null,
): ImbalanceParty {
  return {
    participantId,
    boughtWh,
    soldWh,
    meteredImportWh: metered?.[0] ?? null,
    meteredExportWh: metered?.[1] ?? null,
  };
}
