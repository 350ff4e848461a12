import { Injectable } from '@nestjs/common';
import { SettlementRepository, type FillPageKey, type FillRow } from '@parkex/db';
import DataLoader from 'dataloader';

/**
 * Reads fills in batches: every page of fills a request asks for while it resolves one level
 * of its results goes into one query (`fillPages`), whatever the number of results, aliases or
 * connections. Loaders live as long as their GraphQL context (one HTTP request, one
 * graphql-ws operation) and cache nothing: a long subscription holds no fills.
 */
@Injectable()
export class FillsLoader {
  private readonly loaders = new WeakMap<object, DataLoader<FillPageKey, FillRow[]>>();
  private readonly shared = new WeakMap<object, Promise<FillRow[]>>();

  constructor(private readonly settlements: SettlementRepository) {}

  /** A page of fills, batched with the other pages of this request (`context`). */
  load(context: object, key: FillPageKey): Promise<FillRow[]> {
    let loader = this.loaders.get(context);
    if (!loader) {
      loader = new DataLoader((keys) => this.settlements.fillPages(keys), { cache: false });
      this.loaders.set(context, loader);
    }
    return loader.load(key);
  }

  /**
   * A page of fills of a result the live feed published: read once for that one published
   * object and shared by every subscriber it is pushed to.
   */
  loadShared(published: object, key: FillPageKey): Promise<FillRow[]> {
    let fills = this.shared.get(published);
    if (!fills) {
      fills = this.settlements.fillPages([key]).then(([page]) => page);
      void fills.catch(() => this.shared.delete(published)); // a failed read is tried again
      this.shared.set(published, fills);
    }
    return fills;
  }
}
