import { CreateAccountsAndProducts1764201600000 } from './1764201600000-CreateAccountsAndProducts';
import { CreateOrderBook1764205200000 } from './1764205200000-CreateOrderBook';
import { IndexOpenOrders1764206000000 } from './1764206000000-IndexOpenOrders';
import { CreateSettlement1764208800000 } from './1764208800000-CreateSettlement';
import { BoundOrderBooks1764300000000 } from './1764300000000-BoundOrderBooks';
import { IsolateClearingFailures1764300100000 } from './1764300100000-IsolateClearingFailures';
import { EnforceLedgerShape1764300200000 } from './1764300200000-EnforceLedgerShape';
import { SealAuditLog1764300300000 } from './1764300300000-SealAuditLog';
import { GrantRuntimeRole1764300900000 } from './1764300900000-GrantRuntimeRole';

/** Every migration, oldest first. Append new ones here. */
export const MIGRATIONS = [
  CreateAccountsAndProducts1764201600000,
  CreateOrderBook1764205200000,
  IndexOpenOrders1764206000000,
  CreateSettlement1764208800000,
  BoundOrderBooks1764300000000,
  IsolateClearingFailures1764300100000,
  EnforceLedgerShape1764300200000,
  SealAuditLog1764300300000,
  GrantRuntimeRole1764300900000,
];
