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

  /** Imbalance settlement: seconds after delivery ends until the interval is settled. */
  @Column('integer', { name: 'metering_window_seconds' })
  meteringWindowSeconds!: number;

  /** Seconds after delivery ends during which readings and corrections are accepted. */
  @Column('integer', { name: 'correction_window_seconds' })
  correctionWindowSeconds!: number;

  /** Currency per kWh; null (with `feedInTariff`): the product is not imbalance-settled. */
  @Column('numeric', { name: 'import_tariff', nullable: true })
  importTariff!: string | null;

  @Column('numeric', { name: 'feed_in_tariff', nullable: true })
  feedInTariff!: string | null;

  /** The integrated-auction series whose awards of this product's carrier count in positions. */
  @Column('text', { name: 'auction_series', nullable: true })
  auctionSeries!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
