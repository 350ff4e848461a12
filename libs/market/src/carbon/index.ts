export {
  CARBON_CARRIERS,
  DEFAULT_FUEL,
  FACTOR_METHOD,
  OUTPUT_CARRIERS,
  chpFactors,
  gridFactor,
  isCarbonCarrier,
  referenceFactor,
  supplyFactor,
} from './factors';
export type {
  CarbonCarrier,
  CarbonFactors,
  DefaultName,
  DefaultVersion,
  FactorMethod,
  FactorVersion,
  Supply,
  SupplyFactor,
} from './factors';
export { carbonReport, parkIntensity, poolFactor, purchaseFrom } from './report';
export type { CarbonLine, CarbonReport, IntensityPoint, MeteredImport, Purchase } from './report';
