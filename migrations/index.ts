import { Initial1764000000000 } from './1764000000000-Initial';

/** Every migration, oldest first. Listed explicitly so builds and tests need no file globbing. */
export const migrations = [Initial1764000000000];
