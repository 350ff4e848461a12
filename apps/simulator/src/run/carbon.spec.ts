import { formatCarbon, monthsOf, noCarbon, type TenantCarbon } from './carbon';

const tenant = (name: string, overrides: Partial<TenantCarbon> = {}): TenantCarbon => ({
  ...noCarbon(name),
  ...overrides,
});

describe('the carbon part of the summary', () => {
  it('names the UTC months a run delivers in', () => {
    expect(monthsOf(new Date('2026-12-01T08:00:00Z'), new Date('2026-12-01T09:00:00Z'))).toEqual([
      '2026-12',
    ]);
    expect(monthsOf(new Date('2026-12-31T23:00:00Z'), new Date('2027-01-01T00:30:00Z'))).toEqual([
      '2026-12',
      '2027-01',
    ]);
  });

  it('shows each tenant and the park in kg with the renewable share', () => {
    const text = formatCarbon({
      months: ['2039-01'],
      tenants: [
        tenant('Bakery', {
          consumptionWh: 5500n,
          parkPurchasesWh: 4000n,
          renewableWh: 2000n,
          locationBasedG: 2050n,
          marketBasedG: 1098n,
          avoidedG: 952n,
        }),
        tenant('Rooftop PV'),
      ],
    });
    expect(text).toMatch(/Bakery\s+5\.500\s+4\.000\s+2\.050\s+1\.098\s+36\.4 %\s+0\.952/);
    expect(text).toMatch(/Rooftop PV\s+0\.000\s+0\.000\s+0\.000\s+0\.000\s+—\s+0\.000/);
    expect(text).toMatch(/park total\s+5\.500\s+4\.000\s+2\.050\s+1\.098\s+36\.4 %\s+0\.952/);
    expect(text).not.toMatch(/No meter readings/);
  });

  it('says why everything is zero without meter readings', () => {
    const text = formatCarbon({ months: ['2026-12'], tenants: [tenant('Bakery')] });
    expect(text).toMatch(/No meter readings for these deliveries/);
  });
});
