import { Module } from '@nestjs/common';
import { ProductsModule } from '@parkex/api/products/products.module';
import { MeteringResolver } from './metering.resolver';
import { MeteringService } from './metering.service';

/** Meter readings: submitted by the metering system (METER keys), listed per role. */
@Module({
  imports: [ProductsModule],
  providers: [MeteringResolver, MeteringService],
  exports: [MeteringService],
})
export class MeteringModule {}
