import { type DynamicModule, Module } from '@nestjs/common';
import { DbModule } from '@parkex/db';
import { AuctionRunner } from './auction/auction-runner';
import { ClearingRunner } from './clearing/clearing-runner';
import { FAILPOINTS, Failpoints } from './clearing/failpoints';
import { CLOCK, type Clock, systemClock } from './clock';
import { MATCHER_CONFIG, type MatcherConfig } from './config/matcher-config';
import { ImbalanceSettler } from './imbalance/imbalance-settler';
import { SafetySweep } from './safety-sweep';
import { ClearingScheduler } from './scheduler';

@Module({})
export class MatcherModule {
  static forRoot(config: MatcherConfig, clock: Clock = systemClock): DynamicModule {
    return {
      module: MatcherModule,
      imports: [
        DbModule.forRoot({
          url: config.databaseUrl,
          poolSize: config.dbPoolSize,
          applicationName: 'parkex-matcher',
          connection: config.dbConnection,
        }),
      ],
      providers: [
        { provide: MATCHER_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        { provide: FAILPOINTS, useValue: new Failpoints(config.failpoint) },
        ClearingRunner,
        AuctionRunner,
        ClearingScheduler,
        SafetySweep,
        ImbalanceSettler,
      ],
      exports: [ClearingRunner, AuctionRunner, ClearingScheduler, SafetySweep, ImbalanceSettler],
    };
  }
}
