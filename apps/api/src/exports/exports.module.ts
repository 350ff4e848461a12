import { Module } from '@nestjs/common';
import { CarbonModule } from '@parkex/api/carbon/carbon.module';
import { CarbonExportController } from '@parkex/api/carbon/carbon-export.controller';
import { ImbalanceExportController } from '@parkex/api/imbalance/imbalance-export.controller';
import { ProductsModule } from '@parkex/api/products/products.module';
import { ExportsController } from './exports.controller';
import { ExportsService } from './exports.service';

/**
 * CSV exports over plain HTTP for auditors (and the operator). Every route is registered here, on
 * the one ExportsService (its running-export slots, and its shutdown cuts them all first); the
 * carbon report's route lives with carbon accounting, imbalance.csv with imbalance settlement.
 */
@Module({
  imports: [CarbonModule, ProductsModule],
  controllers: [ExportsController, CarbonExportController, ImbalanceExportController],
  providers: [ExportsService],
})
export class ExportsModule {}
