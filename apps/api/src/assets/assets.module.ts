import { Module } from '@nestjs/common';
import { AssetsResolver } from './assets.resolver';
import { AssetsService } from './assets.service';
import { SafetyFeedService } from './safety-feed.service';

@Module({
  providers: [AssetsResolver, AssetsService, SafetyFeedService],
  exports: [AssetsService],
})
export class AssetsModule {}
