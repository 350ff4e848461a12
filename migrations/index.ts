import { CreateAccountsAndProducts1764201600000 } from './1764201600000-CreateAccountsAndProducts';
import { CreateOrderBook1764205200000 } from './1764205200000-CreateOrderBook';
import { CreateSettlement1764208800000 } from './1764208800000-CreateSettlement';
import { IndexOpenOrders1764206000000 } from './1764206000000-IndexOpenOrders';

/** Every migration, oldest first. Append new ones here. */
export const MIGRATIONS = [
  CreateAccountsAndProducts1764201600000,
  CreateOrderBook1764205200000,
  IndexOpenOrders1764206000000,
  CreateSettlement1764208800000,
];
