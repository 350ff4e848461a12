import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('SettlementVerification', {
  description:
    "A cleared interval's journal recomputed from its stored fills and network fee, compared line by line with the stored journal and entries",
})
export class SettlementVerificationModel {
  @Field({ description: 'True when nothing differs' }) ok!: boolean;
  @Field(() => ID, {
    nullable: true,
    description: "The interval's stored journal; null when it has none (no fills)",
  })
  journalId!: string | null;
  @Field(() => Int, {
    description: 'Journal lines compared (the longer of the stored and the recomputed journal)',
  })
  linesChecked!: number;
  @Field(() => [String], {
    description: 'Every difference found, for a person to read; empty when ok',
  })
  differences!: string[];
}
