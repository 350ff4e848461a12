import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  DB_CONNECTION,
  DEFAULT_DB_CONNECTION,
  type DbConnectionSettings,
} from './connection-settings';
import { createDataSource } from './data-source';
import { AuditLogRepository } from './repositories/audit-log.repository';
import { ClearingOutcomeRepository } from './repositories/clearing-outcome.repository';
import { ClearingRepository } from './repositories/clearing.repository';
import { OrderRepository } from './repositories/order.repository';
import { ParticipantRepository } from './repositories/participant.repository';
import { ProductRepository } from './repositories/product.repository';
import { SettlementRepository } from './repositories/settlement.repository';
import { ClearingFeedRepository } from './repositories/clearing-feed.repository';
import { ExportRepository } from './repositories/export.repository';
import { LedgerRepository } from './repositories/ledger.repository';
import { StatisticsRepository } from './repositories/statistics.repository';
import { HealthRepository } from './repositories/health.repository';
import { AssetRepository } from './repositories/asset.repository';
import { SafetyRepository } from './repositories/safety.repository';
import { AuctionRepository } from './repositories/auction.repository';
import { AuctionClearingRepository } from './repositories/auction-clearing.repository';
import { CarbonRepository } from './repositories/carbon.repository';
import { ImbalanceRepository } from './repositories/imbalance.repository';
import { MeterReadingRepository } from './repositories/meter-reading.repository';
import { ImbalanceReadRepository } from './repositories/imbalance-read.repository';

export const REPOSITORIES = [
  ParticipantRepository,
  ProductRepository,
  AuditLogRepository,
  ClearingRepository,
  ClearingOutcomeRepository,
  OrderRepository,
  SettlementRepository,
  ClearingFeedRepository,
  ExportRepository,
  LedgerRepository,
  StatisticsRepository,
  HealthRepository,
  AssetRepository,
  SafetyRepository,
  AuctionRepository,
  AuctionClearingRepository,
  CarbonRepository,
  ImbalanceRepository,
  MeterReadingRepository,
  ImbalanceReadRepository,
];

export interface DbModuleOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** Keepalives and timeouts of every connection (DEFAULT_DB_CONNECTION when absent). */
  connection?: DbConnectionSettings;
}

@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** The persistence module: one DataSource per process and the repositories on it. */
@Global()
@Module({})
export class DbModule {
  static forRoot(options: DbModuleOptions): DynamicModule {
    const connection = options.connection ?? DEFAULT_DB_CONNECTION;
    return {
      module: DbModule,
      providers: [
        { provide: DB_CONNECTION, useValue: connection },
        {
          provide: DataSource,
          useFactory: () =>
            createDataSource(options.url, {
              poolSize: options.poolSize,
              name: options.applicationName,
              connection,
            }).initialize(),
        },
        DataSourceCloser,
        ...REPOSITORIES,
      ],
      exports: [DataSource, DB_CONNECTION, ...REPOSITORIES],
    };
  }
}
