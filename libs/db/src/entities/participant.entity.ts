import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * `METER`: the utility's metering system; its keys may submit meter readings and nothing else
 * (README "Meter readings").
 */
export type Role = 'PARTICIPANT' | 'OPERATOR' | 'AUDITOR' | 'METER';
export const ROLES: readonly Role[] = ['PARTICIPANT', 'OPERATOR', 'AUDITOR', 'METER'];

@Entity('participant')
export class ParticipantEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  role!: Role;

  @Column('text', { name: 'suspended_reason', nullable: true })
  suspendedReason!: string | null;

  @Column('timestamptz', { name: 'suspended_at', nullable: true })
  suspendedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
