import { type DynamicModule, Module } from '@nestjs/common';
import { DbModule } from '@parkex/db';
import { MATCHER_CONFIG, type MatcherConfig } from './config/matcher-config';

@Module({})
export class MatcherModule {
  static forRoot(config: MatcherConfig): DynamicModule {
    return {
      module: MatcherModule,
      imports: [
        DbModule.forRoot({
          url: config.databaseUrl,
          poolSize: config.dbPoolSize,
          applicationName: 'parkex-matcher',
        }),
      ],
      providers: [{ provide: MATCHER_CONFIG, useValue: config }],
    };
  }
}
