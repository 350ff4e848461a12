import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { DbModule } from '@parkex/db';
import { AssetsModule } from './assets/assets.module';
import { AuctionsModule } from './auctions/auctions.module';
import { AuthModule } from './auth/auth.module';
import { ClearingModule } from './clearing/clearing.module';
import { type ApiConfig } from './config/api-config';
import { ApiConfigModule } from './config/api-config.module';
import { GraphiqlModule, graphiqlLandingPage } from './graphiql/graphiql.module';
import type { ApolloPlugin } from './graphql/apollo-plugin';
import { formatError } from './graphql/format-error';
import { PassThroughFilter } from './graphql/pass-through.filter';
import { DEFAULT_QUERY_LIMITS, queryLimitsPlugin } from './graphql/query-limits';
import { createValidationPipe } from './graphql/validation';
import { HealthController } from './health/health.controller';
import { OrdersModule } from './orders/orders.module';
import { ParticipantsModule } from './participants/participants.module';
import { ProductsModule } from './products/products.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { ExportsModule } from './exports/exports.module';
import { LiveModule } from './live/live.module';
import { StatisticsModule } from './statistics/statistics.module';
import { VerificationModule } from './verification/verification.module';
import { CarbonModule } from './carbon/carbon.module';
import { MeteringModule } from './metering/metering.module';
import { ImbalanceModule } from './imbalance/imbalance.module';

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig): DynamicModule {
    const production = config.nodeEnv === 'production';
    return {
      module: AppModule,
      imports: [
        ApiConfigModule.forRoot(config),
        DbModule.forRoot({
          url: config.databaseUrl,
          poolSize: config.dbPoolSize,
          applicationName: 'parkex-api',
          connection: config.dbConnection,
        }),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          introspection: !production,
          // The driver's GraphiQL loads React from a CDN; ours is served from node_modules.
          graphiql: false,
          allowBatchedHttpRequests: false,
          // Depth, cost and page sizes need the variables: checked once the operation is known.
          parseOptions: { maxTokens: DEFAULT_QUERY_LIMITS.maxTokens },
          plugins: [
            queryLimitsPlugin(DEFAULT_QUERY_LIMITS),
            // No @cacheControl hints and no HTTP caching of POSTs: Apollo's default cache-control
            // plugin would only wrap every field's resolver (1,000 orders → 2,000 wrapped calls).
            ApolloServerPluginCacheControlDisabled() as ApolloPlugin,
            ...(production ? [] : [graphiqlLandingPage()]),
          ],
          formatError,
          // graphql-ws on /graphql is served by LiveModule (LiveSocketServer), with its limits;
          // its operations' context carries `connectionParams` and `extra` (the upgrade request).
          context: ({ req }: { req?: unknown }) => ({ req }),
        }),
        AuthModule,
        ParticipantsModule,
        ProductsModule,
        ClearingModule,
        OrdersModule,
        AssetsModule,
        AuctionsModule,
        RateLimitModule.forRoot({
          perKey: { perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst },
          perAddress: {
            perSecond: config.rateLimitAnonPerSecond,
            burst: config.rateLimitAnonBurst,
          },
          trustedProxies: config.trustedProxies,
        }),
        LiveModule.forRoot({
          reconnectMinMs: config.liveReconnectMs,
          reconnectMaxMs: 30_000,
          sockets: {
            maxMessageBytes: config.liveMaxMessageBytes,
            maxConnectionsPerKey: config.liveMaxConnectionsPerKey,
            maxConnectionsPerAddress: config.liveMaxConnectionsPerAddress,
            maxSubscriptionsPerConnection: config.liveMaxSubscriptionsPerConnection,
            keyRecheckMs: config.liveKeyRecheckMs,
          },
        }),
        VerificationModule,
        StatisticsModule,
        ExportsModule,
        DashboardModule,
        CarbonModule,
        MeteringModule,
        ImbalanceModule,
        ...(production ? [] : [GraphiqlModule]),
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: PassThroughFilter },
      ],
    };
  }
}
