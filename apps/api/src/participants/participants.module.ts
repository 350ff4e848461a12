import { Module } from '@nestjs/common';
import { ParticipantsResolver } from './participants.resolver';
import { ParticipantsService } from './participants.service';

@Module({
  providers: [ParticipantsResolver, ParticipantsService],
  exports: [ParticipantsService],
})
export class ParticipantsModule {}
