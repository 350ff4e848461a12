import { electricityReference, priceContext, seasonOf } from './reference-price';
import {
  DAY_AHEAD_2024_EUR_PER_MWH,
  ELECTRICITY_ASK_FLOOR,
  ELECTRICITY_BID_CAP,
  ELECTRICITY_NETWORK_FEE,
  FEED_IN_PRICE,
  GRID_IMPORT_TARIFF,
  REFERENCE_ADDER,
} from './tariffs';

describe('park reference price', () => {
  it('keeps the bounds: a buyer never pays more than the tariff, a seller never gets less than feed-in', () => {
    expect(ELECTRICITY_BID_CAP + ELECTRICITY_NETWORK_FEE).toBeLessThan(GRID_IMPORT_TARIFF);
    expect(ELECTRICITY_ASK_FLOOR).toBeGreaterThan(FEED_IN_PRICE);
    for (const season of ['summer', 'winter'] as const) {
      for (let hour = 0; hour < 24; hour++) {
        const price = electricityReference(season, hour);
        expect(Number.isSafeInteger(price)).toBe(true);
        expect(price).toBeGreaterThanOrEqual(ELECTRICITY_ASK_FLOOR);
        expect(price).toBeLessThanOrEqual(ELECTRICITY_BID_CAP);
      }
    }
  });

  it('puts the 2024 mean day-ahead price in the middle of the band', () => {
    expect(REFERENCE_ADDER).toBe(740); // 0.0740 EUR/kWh
    expect(785 + REFERENCE_ADDER).toBe((ELECTRICITY_ASK_FLOOR + ELECTRICITY_BID_CAP) / 2);
  });

  it('follows the day-ahead shape: cheap summer noon, dear evening', () => {
    expect(electricityReference('summer', 13)).toBeLessThan(electricityReference('summer', 8));
    expect(electricityReference('summer', 20)).toBe(
      Math.max(
        ...DAY_AHEAD_2024_EUR_PER_MWH.summer.map((_, h) => electricityReference('summer', h)),
      ),
    );
    expect(electricityReference('summer', 20)).toBe(Math.round(139.1 * 10) + 740);
    expect(priceContext('summer', 12).electricity.dailyPeak).toBe(
      electricityReference('summer', 20),
    );
  });

  it('knows the seasons and refuses hours outside the day', () => {
    expect(seasonOf(4)).toBe('summer');
    expect(seasonOf(9)).toBe('summer');
    expect(seasonOf(10)).toBe('winter');
    expect(seasonOf(3)).toBe('winter');
    expect(() => electricityReference('winter', 24)).toThrow('hour');
  });
});
