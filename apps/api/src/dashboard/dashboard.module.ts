import { Module } from '@nestjs/common';
import { ParticipantsModule } from '@parkex/api/participants/participants.module';
import { DashboardController } from './dashboard.controller';
import { DashboardResolver } from './dashboard.resolver';
import { DashboardService } from './dashboard.service';

/** The utility dashboard: the static page at /dashboard and the names it shows. */
@Module({
  imports: [ParticipantsModule],
  controllers: [DashboardController],
  providers: [DashboardService, DashboardResolver],
})
export class DashboardModule {}
