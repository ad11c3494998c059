import { Initial1764000000000 } from './1764000000000-Initial';
import { Quotas1764000000001 } from './1764000000001-Quotas';
import { SyncNonce1764000000002 } from './1764000000002-SyncNonce';
import { RegionRemovedSeq1764000000003 } from './1764000000003-RegionRemovedSeq';
import { EnvelopeRegionTrigger1764000000004 } from './1764000000004-EnvelopeRegionTrigger';
import { EnvelopeV21764000000100 } from './1764000000100-EnvelopeV2';
import { RegionCap1764000000101 } from './1764000000101-RegionCap';
import { UnprovenSenders1764000000150 } from './1764000000150-UnprovenSenders';
import { AdminAccounts1764000000400 } from './1764000000400-AdminAccounts';
import { PersonUsageBytesIndex1764000000401 } from './1764000000401-PersonUsageBytesIndex';
import { UsageSample1764000000402 } from './1764000000402-UsageSample';

/** Every migration, oldest first. Listed explicitly so builds and tests need no file globbing. */
export const migrations = [
  Initial1764000000000,
  Quotas1764000000001,
  SyncNonce1764000000002,
  RegionRemovedSeq1764000000003,
  EnvelopeRegionTrigger1764000000004,
  EnvelopeV21764000000100,
  RegionCap1764000000101,
  UnprovenSenders1764000000150,
  AdminAccounts1764000000400,
  PersonUsageBytesIndex1764000000401,
  UsageSample1764000000402,
];
