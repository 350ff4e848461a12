import { Module } from '@nestjs/common';
import { ProductsModule } from '@parkex/api/products/products.module';
import { ClearingRetryResolver } from './clearing-retry.resolver';
import { ClearingResolver } from './clearing.resolver';
import { ClearingService } from './clearing.service';
import { FillsLoader } from './fills.loader';

@Module({
  imports: [ProductsModule],
  providers: [ClearingResolver, ClearingRetryResolver, ClearingService, FillsLoader],
  exports: [ClearingService],
})
export class ClearingModule {}
