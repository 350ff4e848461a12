import { Module } from '@nestjs/common';
import { ProductsModule } from '@parkex/api/products/products.module';
import { ImbalanceResolver } from './imbalance.resolver';
import { ImbalanceService } from './imbalance.service';

/**
 * Imbalance settlement reads: positions, settlement revisions and their verification. Its CSV
 * route (`ImbalanceExportController`) is registered by ExportsModule, with the other exports.
 */
@Module({
  imports: [ProductsModule],
  providers: [ImbalanceResolver, ImbalanceService],
  exports: [ImbalanceService],
})
export class ImbalanceModule {}
