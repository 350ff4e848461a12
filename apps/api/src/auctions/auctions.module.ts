import { Module } from '@nestjs/common';
import { AuctionResultsService } from './auction-results.service';
import { AuctionResultsResolver, AuctionsResolver } from './auctions.resolver';
import { AuctionsService } from './auctions.service';

/** The integrated day-ahead auction: series, orders, results, live results and proof. */
@Module({
  providers: [AuctionsService, AuctionResultsService, AuctionsResolver, AuctionResultsResolver],
  exports: [AuctionsService, AuctionResultsService],
})
export class AuctionsModule {}
