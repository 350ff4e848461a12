import { Column, Entity, PrimaryColumn } from 'typeorm';

export type OrderSide = 'BUY' | 'SELL';
export type OrderStatus = 'OPEN' | 'CANCELLED' | 'FILLED' | 'PARTIALLY_FILLED' | 'UNFILLED';

/**
 * A bid (BUY) or offer (SELL) of one participant for one product-interval. Exact units only:
 * `price` is `numeric` text (currency per kWh), quantities are integer Wh as `int8` text, `id`
 * is `int8` text. Terms never change; `status` moves once, from OPEN to CANCELLED. The outcome
 * of clearing (FILLED, PARTIALLY_FILLED, UNFILLED and the filled quantity) is stored in
 * `order_result`; repositories return orders with it merged in.
 */
@Entity('market_order')
export class MarketOrderEntity {
  @PrimaryColumn('bigint')
  id!: string;

  @Column('uuid', { name: 'participant_id' })
  participantId!: string;

  @Column('text', { name: 'client_order_id' })
  clientOrderId!: string;

  @Column('text', { name: 'product_code' })
  productCode!: string;

  @Column('timestamptz', { name: 'delivery_start' })
  deliveryStart!: Date;

  @Column('text')
  side!: OrderSide;

  @Column('numeric')
  price!: string;

  @Column('bigint', { name: 'quantity_wh' })
  quantityWh!: string;

  /** From `order_result` ("0" until cleared). */
  filledWh!: string;

  /** OPEN or CANCELLED in the table; the clearing outcome from `order_result` once cleared. */
  @Column('text')
  status!: OrderStatus;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
