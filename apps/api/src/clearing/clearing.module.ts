import { Module } from '@nestjs/common';
import { ProductsModule } from '../products/products.module';
import { ClearingResolver } from './clearing.resolver';
import { ClearingService } from './clearing.service';

@Module({
  imports: [ProductsModule],
  providers: [ClearingResolver, ClearingService],
  exports: [ClearingService],
})
export class ClearingModule {}
