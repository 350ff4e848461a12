import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@parkex/api/audit/audit.module';
import { ProductsModule } from '@parkex/api/products/products.module';
import { ClearingFeedService } from './clearing-feed.service';
import { LiveConnections } from './live-connections';
import { LiveSocketServer } from './live-socket.server';
import { LIVE_OPTIONS, type LiveOptions } from './live.options';
import { LiveResolver } from './live.resolver';
import { LiveService } from './live.service';

/**
 * Live prices: the `clearingPublished` subscription fed by PostgreSQL LISTEN/NOTIFY, and the
 * graphql-ws endpoint itself. Global, so that revoking or suspending can close sockets.
 */
@Module({})
export class LiveModule {
  static forRoot(options: LiveOptions): DynamicModule {
    return {
      module: LiveModule,
      global: true,
      imports: [ProductsModule, AuditModule],
      providers: [
        { provide: LIVE_OPTIONS, useValue: options },
        ClearingFeedService,
        LiveService,
        LiveResolver,
        LiveConnections,
        LiveSocketServer,
      ],
      exports: [LiveService, LiveConnections, ClearingFeedService],
    };
  }
}
