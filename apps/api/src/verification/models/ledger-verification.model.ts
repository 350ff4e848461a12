import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('LedgerVerification', {
  description:
    'The journals delivering in a window: each chained to its actual predecessor, its hash recomputed from its entries, its entries balanced',
})
export class LedgerVerificationModel {
  @Field({ description: 'True when every journal checked passes' }) ok!: boolean;
  @Field(() => ID, {
    nullable: true,
    description: 'The lowest journal id in the window that fails a check',
  })
  firstBrokenJournalId!: string | null;
  @Field(() => Int) journalsChecked!: number;
  @Field(() => [String], { description: 'Why the first broken journal fails; empty when ok' })
  reasons!: string[];
}
