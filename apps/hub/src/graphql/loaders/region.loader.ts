import DataLoader from 'dataloader';
import type { ReadRepository, UsageTotals } from '@kiki/storage';

const EMPTY: UsageTotals = { envelopes: 0, bytes: 0, people: 0 };

/** Region totals of one request, batched: `regions { stats { ... } }` is one query, not one per region. */
export class RegionLoader {
  private readonly totals: DataLoader<number, UsageTotals>;

  constructor(reads: ReadRepository, opts: { cache: boolean } = { cache: true }) {
    this.totals = new DataLoader(
      async (ids: readonly number[]) => {
        const found = await reads.usageTotalsByRegion([...ids]);
        return ids.map((id) => found.get(id) ?? EMPTY);
      },
      { cache: opts.cache, maxBatchSize: 1000 },
    );
  }

  stats(regionId: number): Promise<UsageTotals> {
    return this.totals.load(regionId);
  }
}
