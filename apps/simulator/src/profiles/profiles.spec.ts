import {
  addDays,
  counterpart,
  dayOfYear,
  formatLocalDate,
  isoWeekday,
  parseLocalDate,
} from './calendar';
import { parseSeries, parseTable } from './csv';
import { workplaceChargingWh } from './ev-workplace';
import { allocationTemperatures, heatProfile, sigmoid, temperatureBand } from './heat-slp';
import { quarterHours, quarterHourWh } from './slice';

describe('calendar', () => {
  it('parses dates and refuses impossible ones', () => {
    expect(parseLocalDate('2025-04-22')).toEqual({ year: 2025, month: 4, day: 22 });
    expect(() => parseLocalDate('2025-02-30')).toThrow('no such date');
    expect(() => parseLocalDate('22.04.2025')).toThrow('2025-04-22');
  });

  it('finds the same weekday in another year, at most three days away', () => {
    const tuesday = parseLocalDate('2025-04-22');
    expect(isoWeekday(tuesday)).toBe(2);
    const in2018 = counterpart(tuesday, 2018, true);
    expect(isoWeekday(in2018)).toBe(2);
    expect(
      Math.abs(dayOfYear(in2018) - dayOfYear({ year: 2018, month: 4, day: 22 })),
    ).toBeLessThanOrEqual(3);
    expect(counterpart(tuesday, 2015, false)).toEqual({ year: 2015, month: 4, day: 22 });
    expect(counterpart(parseLocalDate('2024-02-29'), 2015, false)).toEqual({
      year: 2015,
      month: 2,
      day: 28,
    });
    expect(formatLocalDate(addDays(parseLocalDate('2024-12-31'), 1))).toBe('2025-01-01');
  });
});

describe('profile files', () => {
  const text = [
    'datetime,load [W]',
    '2015-04-22 00:00:00+02:00,10',
    '2015-04-22 00:15:00+02:00,20',
    '2015-04-22 00:30:00+02:00,30',
    '2015-04-22 00:45:00+02:00,40',
    '',
  ].join('\n');

  it('reads a column and slices quarter-hours, wrapping at the end', () => {
    const series = parseSeries(text, 1);
    expect(series.values).toEqual([10, 20, 30, 40]);
    const date = { year: 2015, month: 4, day: 22 };
    expect(quarterHours(series, date, 1, 5, '15min')).toEqual([20, 30, 40, 10, 20]);
    expect(quarterHours(series, date, 0, 6, '60min')).toEqual([10, 10, 10, 10, 20, 20]);
    expect(() => quarterHours(series, { year: 2016, month: 1, day: 1 }, 0, 1, '15min')).toThrow(
      'no row',
    );
    expect(quarterHourWh(1000)).toBe(250);
  });

  it('fails loudly on a broken row', () => {
    expect(() => parseSeries('h,v\n2015-01-01,abc\n', 1, 'x.csv')).toThrow('x.csv line 2');
    expect(parseTable('a,b\n1,2\n')).toEqual([{ a: '1', b: '2' }]);
  });
});

describe('BDEW heat profile (SigLinDe)', () => {
  it('bands the daily mean temperature in 5 K steps', () => {
    expect(temperatureBand(-20)).toBe(1);
    expect(temperatureBand(-15)).toBe(1);
    expect(temperatureBand(-14)).toBe(2);
    expect(temperatureBand(0)).toBe(4);
    expect(temperatureBand(0.6)).toBe(5);
    expect(temperatureBand(25)).toBe(9);
    expect(temperatureBand(26)).toBe(10);
  });

  it('needs more heat when it is colder', () => {
    const gmk = { a: 2.7882424, b: -34.880613, c: 6.5951899, d: 0.0540329 };
    expect(sigmoid(gmk, -10)).toBeGreaterThan(sigmoid(gmk, 5));
    expect(sigmoid(gmk, 5)).toBeGreaterThan(sigmoid(gmk, 20));
    expect(allocationTemperatures([8, 8, 8, 8])).toEqual([8, 8, 8, 8]);
  });

  it('spreads the annual demand over the hours exactly', () => {
    const keys: string[] = [];
    const values: number[] = [];
    for (let day = 0; day < 14; day++) {
      for (let hour = 0; hour < 24; hour++) {
        keys.push(
          `2015-01-${String(day + 1).padStart(2, '0')} ${String(hour).padStart(2, '0')}:00:00+01:00`,
        );
        values.push(day < 7 ? -5 : 10);
      }
    }
    const profile = heatProfile({
      parameters: { a: 3, b: -37, c: 6, d: 0.1 },
      weekdayFactors: [1, 1, 1, 1, 1, 0.8, 0.8],
      hourFactor: (_weekday, hour) => (hour >= 6 && hour < 18 ? 2 : 1),
      temperatures: { keys, values },
      firstWeekday: 4,
      annualKWh: 1000,
    });
    const totalKWh = profile.values.reduce((s, w) => s + w, 0) / 1000;
    expect(totalKWh).toBeCloseTo(1000, 6);
    expect(profile.values[12]).toBeCloseTo(profile.values[2] * 2, 6); // day hours weigh double
    expect(profile.values[24 * 2]).toBeGreaterThan(profile.values[24 * 12]); // cold week
  });
});

describe('workplace EV charging', () => {
  it('charges by day on workdays and little at weekends', () => {
    const tuesday = workplaceChargingWh(10, parseLocalDate('2025-04-22'), 0, 96);
    const sunday = workplaceChargingWh(10, parseLocalDate('2025-04-27'), 0, 96);
    const sum = (values: number[]) => values.reduce((s, x) => s + x, 0);
    expect(sum(tuesday)).toBeCloseTo(10 * 0.96 * 23_300, -2);
    expect(sum(sunday)).toBeLessThan(sum(tuesday) * 0.05);
    expect(Math.max(...tuesday)).toBe(Math.max(...tuesday.slice(36, 40)));
  });
});
