export * from './entities';
export * from './data-source';
export * from './migrate';
export * from './repositories/region.repository';
export * from './repositories/envelope.repository';
export * from './repositories/quota.repository';
export * from './repositories/read.repository';
export * from './repositories/nonce.repository';
export { isStorableText } from './repositories/prepared';
