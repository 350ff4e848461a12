import type { ProductEntity } from '@parkex/db';

/** A stored product as the specs of the API's rules use it: 0.0001 ticks in [-0.5, 4]. */
export const ELECTRICITY: ProductEntity = {
  code: 'ELECTRICITY',
  name: 'Electricity',
  unit: 'kWh',
  intervalSeconds: 900,
  gateClosureSeconds: 300,
  horizonSeconds: 172_800,
  priceTick: '0.0001',
  minPrice: '-0.5',
  maxPrice: '4',
  mechanism: 'UNIFORM_PRICE',
  k: '0.5',
  networkFee: '0.015',
  maxParticipantQuantityWh: '100000000',
  meteringWindowSeconds: 86_400,
  correctionWindowSeconds: 2_678_400,
  importTariff: '0.25',
  feedInTariff: '0.07',
  auctionSeries: null,
  updatedAt: new Date(0),
};
