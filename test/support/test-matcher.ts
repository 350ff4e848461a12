import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClearingRunner } from '@parkex/matcher/clearing/clearing-runner';
import { loadMatcherConfig, type MatcherConfig } from '@parkex/matcher/config/matcher-config';
import { MatcherModule } from '@parkex/matcher/matcher.module';
import {
  ImbalanceSettler,
  type SettledRevision,
} from '@parkex/matcher/imbalance/imbalance-settler';
import { ClearingScheduler } from '@parkex/matcher/scheduler';
import { testAdminDatabaseUrl, testDatabaseUrl } from './test-database';

export interface TestMatcher {
  app: INestApplicationContext;
  runner: ClearingRunner;
  /** Clears every due interval of the matcher's products; returns how many. */
  drain(): Promise<number>;
  /** Settles every due imbalance revision of the matcher's products. */
  settleImbalances(): Promise<SettledRevision[]>;
  close(): Promise<void>;
}

/** The real matcher module in-process as the runtime role, loop off, limited to the given products. */
export async function startTestMatcher(
  products: string[],
  overrides: Partial<MatcherConfig> = {},
): Promise<TestMatcher> {
  const config: MatcherConfig = {
    ...loadMatcherConfig({
      DATABASE_URL: testDatabaseUrl(),
      MIGRATION_DATABASE_URL: testAdminDatabaseUrl(),
    }),
    autoStart: false,
    products,
    // a product matcher of one spec leaves the other specs' auctions alone
    clearsAuctions: false,
    dbPoolSize: 2,
    ...overrides,
  };
  const app = await NestFactory.createApplicationContext(MatcherModule.forRoot(config), {
    logger: ['error'],
    abortOnError: false,
  });
  await app.init();
  const scheduler = app.get(ClearingScheduler);
  return {
    app,
    runner: app.get(ClearingRunner),
    drain: () => scheduler.drain(),
    settleImbalances: () => app.get(ImbalanceSettler).settleAll(),
    close: () => app.close(),
  };
}
