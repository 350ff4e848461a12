import { Module } from '@nestjs/common';
import { OrdersResolver } from './orders.resolver';
import { OrdersService } from './orders.service';

@Module({ providers: [OrdersResolver, OrdersService], exports: [OrdersService] })
export class OrdersModule {}
