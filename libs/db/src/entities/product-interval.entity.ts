import { Column, Entity, PrimaryColumn } from 'typeorm';

export type IntervalState = 'OPEN' | 'CLEARED';

/**
 * One delivery interval of a product: created on its first order, with the gate closure
 * computed from the product's settings at that moment. The database refuses orders (and
 * cancellations) once `gate_closure_at` has passed or the matcher has set `CLEARED`.
 */
@Entity('product_interval')
export class ProductIntervalEntity {
  @PrimaryColumn('text', { name: 'product_code' })
  productCode!: string;

  @PrimaryColumn('timestamptz', { name: 'delivery_start' })
  deliveryStart!: Date;

  @Column('timestamptz', { name: 'gate_closure_at' })
  gateClosureAt!: Date;

  @Column('text')
  state!: IntervalState;

  /** The product's maxParticipantQuantity (Wh) when the interval opened. */
  @Column('bigint', { name: 'max_participant_quantity_wh' })
  maxParticipantQuantityWh!: string;
}
