import { PushQueue } from './push-queue';

describe('PushQueue', () => {
  it('hands pushed items to next() in order, whether pushed before or after the call', async () => {
    const queue = new PushQueue<number>({ limit: 10 });
    queue.push(1);
    const waiting = queue.next();
    const later = queue.next();
    queue.push(2);
    expect(await waiting).toEqual({ value: 1, done: false });
    expect(await later).toEqual({ value: 2, done: false });
  });

  it('ends on return(): pending next() calls finish, onClose runs once, pushes are dropped', async () => {
    let closed = 0;
    const queue = new PushQueue<number>({ limit: 10, onClose: () => (closed += 1) });
    const pending = queue.next();
    await queue.return();
    await queue.return();
    queue.push(3);
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
  });

  it('fails a reader that falls more than `limit` items behind', async () => {
    let closed = false;
    const queue = new PushQueue<number>({
      limit: 2,
      onClose: () => (closed = true),
      overflowMessage: 'too slow',
    });
    queue.push(1);
    queue.push(2);
    expect(closed).toBe(false);
    queue.push(3);
    expect(closed).toBe(true);
    await expect(queue.next()).rejects.toThrow('too slow');
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('rejects a waiting reader when failed', async () => {
    const queue = new PushQueue<number>({ limit: 2 });
    const pending = queue.next();
    queue.fail(new Error('replay failed'));
    await expect(pending).rejects.toThrow('replay failed');
  });

  it('whenBelow() waits until the reader has caught up', async () => {
    const queue = new PushQueue<number>({ limit: 10 });
    for (const n of [1, 2, 3]) queue.push(n);
    let resolved = false;
    const room = queue.whenBelow(2).then(() => (resolved = true));
    await queue.next();
    await Promise.resolve();
    expect(resolved).toBe(false);
    await queue.next();
    await room;
    expect(resolved).toBe(true);
    expect(queue.size).toBe(1);
  });
});
