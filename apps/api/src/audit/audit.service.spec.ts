import type { AuditLogRepository, AuditRecord } from '@parkex/db';
import { AppError } from '../common/app-error';
import { AuditService, REFUSAL_SUBJECTS_PER_MINUTE } from './audit.service';

/** The per-minute refusal counts: their memory bound (the rows' storage is tested end to end). */
describe('AuditService refusal counts', () => {
  const written: AuditRecord[] = [];
  const log = {
    appendMany: (records: readonly AuditRecord[]) => {
      written.push(...records);
      return Promise.resolve();
    },
  } as unknown as AuditLogRepository;

  beforeEach(() => {
    written.length = 0;
    // One minute throughout (the clock stands still).
    jest.useFakeTimers({ now: new Date('2026-12-01T00:17:10Z') });
  });
  afterEach(() => jest.useRealTimers());

  it('keeps at most REFUSAL_SUBJECTS_PER_MINUTE subjects apart, the rest in one row per code', async () => {
    const audit = new AuditService(log);
    const extra = 5;
    for (let i = 0; i < REFUSAL_SUBJECTS_PER_MINUTE + extra; i++) {
      audit.refused('UNAUTHENTICATED', { address: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}` });
    }
    audit.refused('UNAUTHENTICATED', { address: '10.0.0.0' }); // a known subject counts on
    await audit.flushRefusals(true);
    expect(written).toHaveLength(REFUSAL_SUBJECTS_PER_MINUTE + 1);
    const other = written.filter((r) => (r.args as { subjects?: string }).subjects);
    expect(other.map((r) => (r.args as { count: number }).count)).toEqual([extra]);
    const first = written.find((r) => (r.args as { address?: string }).address === '10.0.0.0');
    expect((first?.args as { count: number }).count).toBe(2);
  });

  it('counts a request once however many of its fields are refused, and ignores other errors', async () => {
    const audit = new AuditService(log);
    const request = {};
    const refusal = new AppError('UNAUTHENTICATED', 'no key');
    audit.noteRefusal(request, refusal, { address: '10.1.1.1' });
    audit.noteRefusal(request, refusal, { address: '10.1.1.1' });
    audit.noteRefusal({}, new Error('database down'), { address: '10.1.1.1' });
    await audit.flushRefusals(true);
    expect(written.map((r) => [r.errorCode, (r.args as { count: number }).count])).toEqual([
      ['UNAUTHENTICATED', 1],
    ]);
  });
});
