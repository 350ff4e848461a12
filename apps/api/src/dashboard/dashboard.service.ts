import { Injectable } from '@nestjs/common';
import type { ParticipantEntity } from '@parkex/db';
import { AppError, badInput } from '../common/app-error';
import { MAX_NAMED_PARTICIPANTS } from '../graphql/list-bounds';
import { ParticipantsService } from '@parkex/api/participants/participants.service';

@Injectable()
export class DashboardService {
  constructor(private readonly participantsService: ParticipantsService) {}

  /** The participants with these ids, in the order asked, without unknown ids and repeats. */
  async byIds(ids: readonly string[]): Promise<ParticipantEntity[]> {
    if (ids.length > MAX_NAMED_PARTICIPANTS) {
      throw badInput(`ids takes at most ${MAX_NAMED_PARTICIPANTS} ids, got ${ids.length}`, {
        field: 'ids',
      });
    }
    const found = await Promise.all(
      [...new Set(ids)].map((id) =>
        this.participantsService.get(id).catch((error: unknown) => {
          if (error instanceof AppError && error.code === 'NOT_FOUND') return null;
          throw error;
        }),
      ),
    );
    return found.filter((p): p is ParticipantEntity => p !== null);
  }
}
