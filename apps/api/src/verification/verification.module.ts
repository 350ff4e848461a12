import { Module } from '@nestjs/common';
import { VerificationResolver } from './verification.resolver';
import { VerificationService } from './verification.service';

/** Audit re-runs: verifyClearing, verifySettlement and verifyLedger. */
@Module({ providers: [VerificationResolver, VerificationService], exports: [VerificationService] })
export class VerificationModule {}
