import { CreateAccountsAndProducts1764201600000 } from './1764201600000-CreateAccountsAndProducts';

/** Every migration, oldest first. Append new ones here. */
export const MIGRATIONS = [CreateAccountsAndProducts1764201600000];
