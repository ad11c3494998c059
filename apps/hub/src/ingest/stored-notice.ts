import type { RegionContext } from '../regions/region.service';

/** One committed insert statement: its region and the envelopes it stored, in seq order. */
export interface StoredNotice {
  region: RegionContext;
  envelopes: Array<{ id: string; seq: number; tsMs: number; sender: string; size: number; purpose: string | null }>;
}

/** One step of the after-commit pipeline (ingest/after-commit.ts lists them, in order). */
export interface AfterCommitFollower {
  /** for logs and the kiki_hub_after_commit_failures_total label */
  readonly name: string;
  /**
   * true: this follower gets a region's notices one at a time, in commit order (its events must
   * not overtake each other); false: notices are handed to it as they come, side by side.
   */
  readonly inCommitOrder: boolean;
  follow(notice: StoredNotice): void | Promise<unknown>;
}
