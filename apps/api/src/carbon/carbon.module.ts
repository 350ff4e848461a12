import { Module } from '@nestjs/common';
import { ExportsModule } from '@parkex/api/exports/exports.module';
import { ProductsModule } from '@parkex/api/products/products.module';
import { CarbonExportController } from './carbon-export.controller';
import { CarbonResolver } from './carbon.resolver';
import { CarbonService } from './carbon.service';

/** Carbon accounting: emission factors, scope 2 reports, the park's carbon intensity, carbon.csv. */
@Module({
  imports: [ProductsModule, ExportsModule],
  controllers: [CarbonExportController],
  providers: [CarbonResolver, CarbonService],
  exports: [CarbonService],
})
export class CarbonModule {}
