import { EnvelopeEntity } from './envelope.entity';
import { PersonUsageEntity } from './person-usage.entity';
import { RegionSeqEntity } from './region-seq.entity';
import { RegionEntity } from './region.entity';

export { EnvelopeEntity, PersonUsageEntity, RegionEntity, RegionSeqEntity };
export type { RemovedReason } from './envelope.entity';
export const entities = [RegionEntity, RegionSeqEntity, EnvelopeEntity, PersonUsageEntity];
