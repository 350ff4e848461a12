import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('audit_log')
export class AuditLogEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'timestamptz', insert: false })
  at!: Date;

  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Column('text')
  action!: string;

  @Column('jsonb', { nullable: true })
  args!: unknown;

  @Column('text')
  outcome!: 'OK' | 'ERROR';

  @Column('text', { name: 'error_code', nullable: true })
  errorCode!: string | null;

  @Column('text', { nullable: true })
  message!: string | null;
}
