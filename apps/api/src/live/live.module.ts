import { type DynamicModule, Module } from '@nestjs/common';
import { ProductsModule } from '../products/products.module';
import { ClearingFeedService } from './clearing-feed.service';
import { LIVE_OPTIONS, type LiveOptions } from './live.options';
import { LiveResolver } from './live.resolver';
import { LiveService } from './live.service';

/** Live prices: the `clearingPublished` subscription fed by PostgreSQL LISTEN/NOTIFY. */
@Module({})
export class LiveModule {
  static forRoot(options: LiveOptions): DynamicModule {
    return {
      module: LiveModule,
      imports: [ProductsModule],
      providers: [
        { provide: LIVE_OPTIONS, useValue: options },
        ClearingFeedService,
        LiveService,
        LiveResolver,
      ],
      exports: [LiveService],
    };
  }
}
