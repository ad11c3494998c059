import DataLoader from 'dataloader';
import type { ReadRepository, RegionPressure, UsageTotals } from '@kiki/storage';

const EMPTY: UsageTotals = { envelopes: 0, bytes: 0, people: 0 };

/** Region totals of one request, batched: `regions { stats { ... } }` is one query, not one per region. */
export class RegionLoader {
  private readonly totals: DataLoader<number, UsageTotals>;
  private readonly pressures: DataLoader<number, RegionPressure>;

  constructor(reads: ReadRepository, opts: { cache: boolean } = { cache: true }) {
    this.totals = new DataLoader(
      async (ids: readonly number[]) => {
        const found = await reads.usageTotalsByRegion([...ids]);
        return ids.map((id) => found.get(id) ?? EMPTY);
      },
      { cache: opts.cache, maxBatchSize: 1000 },
    );
    this.pressures = new DataLoader(
      async (ids: readonly number[]) => {
        const found = await reads.regionPressure([...ids]);
        return ids.map((id) => found.get(id) ?? { overLimit: 0, nearLimit: 0, ingestEnvelopes: 0, ingestBytes: 0 });
      },
      { cache: opts.cache, maxBatchSize: 1000 },
    );
  }

  /** People near / over their limit and the last hour's ingest (one statement per batch of regions). */
  pressure(regionId: number): Promise<RegionPressure> {
    return this.pressures.load(regionId);
  }

  stats(regionId: number): Promise<UsageTotals> {
    return this.totals.load(regionId);
  }
}
