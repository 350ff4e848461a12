import { UseGuards } from '@nestjs/common';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyGuard } from '@parkex/api/auth/api-key.guard';
import { Roles } from '@parkex/api/auth/roles.decorator';
import { DateTimeScalar } from '../graphql/scalars';
import { ClearingVerificationModel } from './models/clearing-verification.model';
import { LedgerVerificationModel } from './models/ledger-verification.model';
import { SettlementVerificationModel } from './models/settlement-verification.model';
import { VerificationService } from './verification.service';

/** Auditors (and the operator) re-run clearings and walk the ledger; they change nothing. */
@Resolver()
@UseGuards(ApiKeyGuard)
@Roles('AUDITOR', 'OPERATOR')
export class VerificationResolver {
  constructor(private readonly service: VerificationService) {}

  @Query(() => ClearingVerificationModel, {
    description:
      'Re-clears a cleared interval from its stored frozen book and terms and lists every difference from what is stored (NOT_FOUND when not cleared)',
  })
  verifyClearing(
    @Args('productCode') productCode: string,
    @Args('deliveryStart', { type: () => DateTimeScalar }) deliveryStart: Date,
  ): Promise<ClearingVerificationModel> {
    return this.service.verifyClearing(productCode, deliveryStart);
  }

  @Query(() => SettlementVerificationModel, {
    description:
      "Recomputes a cleared interval's journal from its stored fills and network fee and lists every difference from the stored journal and entries (NOT_FOUND when not cleared)",
  })
  verifySettlement(
    @Args('productCode') productCode: string,
    @Args('deliveryStart', { type: () => DateTimeScalar }) deliveryStart: Date,
  ): Promise<SettlementVerificationModel> {
    return this.service.verifySettlement(productCode, deliveryStart);
  }

  @Query(() => LedgerVerificationModel, {
    description:
      'Checks the journals delivering in [from, to): hash chain (from the actual predecessor of the first one), hashes, balances',
  })
  async verifyLedger(
    @Args('from', { type: () => DateTimeScalar }) from: Date,
    @Args('to', { type: () => DateTimeScalar }) to: Date,
  ): Promise<LedgerVerificationModel> {
    const check = await this.service.verifyLedger(from, to);
    return {
      ok: check.ok,
      firstBrokenJournalId: check.firstBrokenJournalId,
      journalsChecked: check.journalsChecked,
      reasons: check.reasons,
    };
  }
}
