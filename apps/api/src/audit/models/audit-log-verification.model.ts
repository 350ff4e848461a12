import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('AuditLogVerification', {
  description:
    'The seals of the audit rows recorded in a window: each linked to the previous seal, each hash recomputed from the stored row, and rows past the grace that have no seal',
})
export class AuditLogVerificationModel {
  @Field({ description: 'True when every seal checked passes and no row is unsealed' })
  ok!: boolean;
  @Field(() => Int, { description: 'Seals walked (by seq)' })
  sealsChecked!: number;
  @Field(() => ID, { nullable: true, description: 'The lowest seq that fails a check' })
  firstBrokenSeq!: string | null;
  @Field(() => [String], {
    description:
      'One line per broken seal: a changed row, a missing row, a broken link (the first 20, then a count); empty when ok',
  })
  reasons!: string[];
  @Field(() => Int, {
    description:
      'Rows in the window older than the grace (AUDIT_SEAL_GRACE_MS) without a seal: written or put back behind the sealer',
  })
  unsealed!: number;
}
