import { Module } from '@nestjs/common';
import { ProductsModule } from '@parkex/api/products/products.module';
import { CarbonResolver } from './carbon.resolver';
import { CarbonService } from './carbon.service';

/**
 * Carbon accounting: emission factors, scope 2 reports, the park's carbon intensity. Its CSV route
 * (`CarbonExportController`) is registered by ExportsModule, with the other exports.
 */
@Module({
  imports: [ProductsModule],
  providers: [CarbonResolver, CarbonService],
  exports: [CarbonService],
})
export class CarbonModule {}
