import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type Mechanism = 'UNIFORM_PRICE' | 'PAY_AS_BID';

/** Decimal columns stay strings (pg returns `numeric` as text): no float ever. */
@Entity('product')
export class ProductEntity {
  @PrimaryColumn('text')
  code!: string;

  @Column('text')
  name!: string;

  @Column('text')
  unit!: string;

  @Column('integer', { name: 'interval_seconds' })
  intervalSeconds!: number;

  @Column('integer', { name: 'gate_closure_seconds' })
  gateClosureSeconds!: number;

  @Column('integer', { name: 'horizon_seconds' })
  horizonSeconds!: number;

  @Column('numeric', { name: 'price_tick' })
  priceTick!: string;

  @Column('numeric', { name: 'min_price' })
  minPrice!: string;

  @Column('numeric', { name: 'max_price' })
  maxPrice!: string;

  @Column('text')
  mechanism!: Mechanism;

  @Column('numeric')
  k!: string;

  @Column('numeric', { name: 'network_fee' })
  networkFee!: string;

  /** Most Wh one participant may have in one product-interval and side (int8 as text). */
  @Column('bigint', { name: 'max_participant_quantity_wh' })
  maxParticipantQuantityWh!: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
