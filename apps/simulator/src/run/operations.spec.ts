import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, coerceInputValue, isInputObjectType, parse, validate } from 'graphql';
import { IMBALANCES_QUERY } from './imbalance';
import {
  imbalanceTerms,
  readingInput,
  REGISTER_METER,
  SET_IMBALANCE_TERMS,
  SUBMIT_METER_READINGS,
} from './meter';

/**
 * The metering and imbalance operations of the demo and of the dashboard's imbalance panel, held
 * against the contract (apps/api/contract.graphql, which contract-auction.graphql extends: one
 * document): the API that serves them is built to it.
 */
const ROOT = join(__dirname, '..', '..', '..', '..');
const schema = buildSchema(
  ['contract.graphql', 'contract-auction.graphql']
    .map((file) => readFileSync(join(ROOT, 'apps', 'api', file), 'utf8'))
    .join('\n'),
);

/** One of the panel's operations: a `const NAME = '…'` or template literal of the browser module. */
function panelOperation(name: string): string {
  const source = readFileSync(join(ROOT, 'apps', 'api', 'dashboard', 'imbalance-panel.js'), 'utf8');
  const match = new RegExp(`^const ${name} = (['\`])([^'\`]+)\\1;$`, 'm').exec(source);
  if (!match) throw new Error(`imbalance-panel.js: no ${name}`);
  return match[2];
}

describe('the imbalance operations against the contract', () => {
  const documents: Record<string, () => string> = {
    setImbalanceTerms: () => SET_IMBALANCE_TERMS,
    'createParticipant (METER)': () => REGISTER_METER,
    submitMeterReadings: () => SUBMIT_METER_READINGS,
    imbalances: () => IMBALANCES_QUERY,
    'the dashboard panel: imbalances': () => panelOperation('QUERY'),
    'the dashboard panel: metered products': () => panelOperation('PRODUCTS'),
  };
  it.each(Object.keys(documents))('%s is valid', (name) => {
    const errors = validate(schema, parse(documents[name]()));
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('sends terms and readings that coerce to their input types', () => {
    const coerce = (type: string, value: unknown) => {
      const input = schema.getType(type);
      if (!isInputObjectType(input)) throw new Error(`${type} is not an input type`);
      return coerceInputValue(value, input, (path, _invalid, error) => {
        throw new Error(`${type}${path.map((p) => `.${p}`).join('')}: ${error.message}`);
      });
    };
    for (const terms of imbalanceTerms(4, 'DEMO_DA')) {
      expect(coerce('ImbalanceTermsInput', terms)).toEqual(terms);
    }
    const reading = readingInput({
      runId: 'ab12',
      tenant: 'metal',
      participantId: '7',
      product: 'heat',
      index: 3,
      deliveryStart: new Date('2026-12-02T03:00:12Z'),
      flow: { importWh: 1500, exportWh: 0 },
    });
    expect(coerce('MeterReadingInput', reading)).toEqual(reading);
  });
});
