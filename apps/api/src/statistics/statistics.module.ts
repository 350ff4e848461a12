import { Module } from '@nestjs/common';
import { ProductsModule } from '@parkex/api/products/products.module';
import { StatisticsResolver } from './statistics.resolver';
import { StatisticsService } from './statistics.service';

@Module({
  imports: [ProductsModule],
  providers: [StatisticsResolver, StatisticsService],
  exports: [StatisticsService],
})
export class StatisticsModule {}
