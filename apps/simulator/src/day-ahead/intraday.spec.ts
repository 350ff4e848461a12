import type { OrderIntent } from '../tenants/types';
import { afterDayAhead } from './intraday';

const bid = (priceTicks: number, quantityWh: number, block: string): OrderIntent => ({
  product: 'electricity',
  side: 'BUY',
  priceTicks,
  quantityWh,
  block,
});

describe('intraday after day-ahead', () => {
  const ladder = [bid(2000, 400, 'b1'), bid(1800, 300, 'b2'), bid(1600, 300, 'b3')];
  const resell = () => 750;
  const buyBack = () => 2300;

  it('leaves what the day-ahead awards did not cover, cheapest bids dropped first', () => {
    const left = afterDayAhead(ladder, () => 450, resell, buyBack);
    expect(left).toEqual([bid(2000, 400, 'b1'), bid(1800, 150, 'b2')]);
    expect(afterDayAhead(ladder, () => 0, resell, buyBack)).toEqual(ladder);
    expect(afterDayAhead(ladder, () => 1000, resell, buyBack)).toEqual([]);
  });

  it('offers back what the day-ahead forecast bought too much of', () => {
    expect(afterDayAhead(ladder, () => 1200, resell, buyBack)).toEqual([
      { product: 'electricity', side: 'SELL', priceTicks: 750, quantityWh: 200, block: 'ds' },
    ]);
  });

  it('buys back what PV sold day-ahead beyond its output; sides and products apart', () => {
    const pv: OrderIntent[] = [
      { product: 'electricity', side: 'SELL', priceTicks: 900, quantityWh: 100, block: 's1' },
      { product: 'electricity', side: 'SELL', priceTicks: 1200, quantityWh: 100, block: 's2' },
      { product: 'heat', side: 'BUY', priceTicks: 800, quantityWh: 50, block: 'hb1' },
    ];
    const awarded = (product: string, side: string) =>
      product === 'electricity' && side === 'SELL' ? 250 : 0;
    expect(afterDayAhead(pv, awarded, resell, buyBack)).toEqual([
      { product: 'heat', side: 'BUY', priceTicks: 800, quantityWh: 50, block: 'hb1' },
      { product: 'electricity', side: 'BUY', priceTicks: 2300, quantityWh: 50, block: 'db' },
    ]);
  });
});
