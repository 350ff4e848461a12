import { Module } from '@nestjs/common';
import { ProductsModule } from '../products/products.module';
import { ClearingRetryResolver } from './clearing-retry.resolver';
import { ClearingResolver } from './clearing.resolver';
import { ClearingService } from './clearing.service';

@Module({
  imports: [ProductsModule],
  providers: [ClearingResolver, ClearingRetryResolver, ClearingService],
  exports: [ClearingService],
})
export class ClearingModule {}
