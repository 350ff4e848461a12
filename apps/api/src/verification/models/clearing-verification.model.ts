import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType('ClearingVerification', {
  description:
    'A clearing re-run from its stored frozen book and terms, compared with what is stored',
})
export class ClearingVerificationModel {
  @Field({ description: 'True when nothing differs' }) ok!: boolean;
  @Field({ description: 'The stored SHA-256 of the frozen book and terms' }) inputHash!: string;
  @Field({ description: 'The stored SHA-256 of the result' }) resultHash!: string;
  @Field({
    description: 'Recomputed from the stored book; empty when the book cannot be cleared again',
  })
  recomputedInputHash!: string;
  @Field({ description: 'Recomputed by clearing the stored book again; empty when it cannot be' })
  recomputedResultHash!: string;
  @Field(() => [String], {
    description: 'Every difference found, for a person to read; empty when ok',
  })
  differences!: string[];
}
