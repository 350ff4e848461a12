import { parseOptions } from './options';
import { renderBar } from './run/progress';
import { demoProducts, gateClosureFor } from './run/products';

describe('demo options', () => {
  it('--fault battery@HH:MM names a quarter-hour inside the run', () => {
    expect(parseOptions([]).batteryFaultQuarter).toBeNull();
    expect(parseOptions(['--fault', 'battery@14:15']).batteryFaultQuarter).toBe(57);
    expect(() => parseOptions(['--fault', 'pv@14:00'])).toThrow(/battery@HH:MM/);
    expect(() => parseOptions(['--fault', 'battery@14:10'])).toThrow(/quarter-hour/);
    expect(() =>
      parseOptions(['--start', '06:00', '--intervals', '8', '--fault', 'battery@09:00']),
    ).toThrow(/outside the simulated quarter-hours/);
  });

  it('runs the integrated day-ahead auction unless --no-auction', () => {
    expect(parseOptions([]).auction).toBe(true);
    expect(parseOptions(['--no-auction']).auction).toBe(false);
  });

  it('has defaults for a simulated day', () => {
    expect(parseOptions([])).toMatchObject({
      intervals: 96,
      intervalSeconds: 4,
      date: { year: 2025, month: 4, day: 22 },
      startQuarter: 0,
      keepRunning: false,
      apiUrl: undefined,
    });
  });

  it('reads every option, with = or a separate value', () => {
    const options = parseOptions([
      '--intervals=24',
      '--interval-seconds',
      '3',
      '--date',
      '2025-07-01',
      '--start',
      '06:45',
      '--api',
      'http://localhost:3000/graphql',
      '--operator-key',
      'pkx_x',
      '--keep-running',
    ]);
    expect(options).toMatchObject({
      intervals: 24,
      intervalSeconds: 3,
      startQuarter: 27,
      apiUrl: 'http://localhost:3000/graphql',
      operatorKey: 'pkx_x',
      keepRunning: true,
    });
    expect(parseOptions(['--speed', '300']).intervalSeconds).toBe(3);
    expect(
      parseOptions(['--api', 'http://h/graphql'], { OPERATOR_API_KEY: 'pkx_env' }).operatorKey,
    ).toBe('pkx_env');
  });

  it('explains what is wrong', () => {
    expect(() => parseOptions(['--intervals', '0'])).toThrow(
      '--intervals must be a whole number from 1',
    );
    expect(() => parseOptions(['--interval-seconds', '1'])).toThrow('from 2 to 900');
    expect(() => parseOptions(['--start', '06:10'])).toThrow('quarter-hour');
    expect(() => parseOptions(['--api', 'localhost:3000'])).toThrow('http(s) URL');
    expect(() => parseOptions(['--api', 'http://h/graphql'])).toThrow('operator key');
    expect(() => parseOptions(['--frobnicate'])).toThrow('unknown option --frobnicate');
    expect(() => parseOptions(['--date'])).toThrow('--date needs a value');
  });
});

describe('demo products and progress', () => {
  it('configures three accelerated products with a gate before each interval', () => {
    const products = demoProducts(4);
    expect(products.map((p) => p.code)).toEqual(['DEMO_ELECTRICITY', 'DEMO_HEAT', 'DEMO_STORAGE']);
    for (const p of products) {
      expect(p).toMatchObject({
        intervalSeconds: 4,
        gateClosureSeconds: 2,
        priceTick: '0.0001',
        mechanism: 'UNIFORM_PRICE',
      });
    }
    expect(products[0].networkFee).toBe('0.0150');
    expect(gateClosureFor(3)).toBe(1);
  });

  it('draws a progress bar', () => {
    expect(renderBar(0, 4, 8)).toBe('[░░░░░░░░] 0/4');
    expect(renderBar(2, 4, 8)).toBe('[████░░░░] 2/4');
    expect(renderBar(96, 96, 4)).toBe('[████] 96/96');
  });
});
