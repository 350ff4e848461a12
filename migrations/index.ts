import { CreateAccountsAndProducts1764201600000 } from './1764201600000-CreateAccountsAndProducts';
import { CreateOrderBook1764205200000 } from './1764205200000-CreateOrderBook';

/** Every migration, oldest first. Append new ones here. */
export const MIGRATIONS = [CreateAccountsAndProducts1764201600000, CreateOrderBook1764205200000];
