import fc from 'fast-check';

// Property tests run the same cases on every run, so CI is deterministic; set FC_SEED to explore
// others (`FC_SEED=$RANDOM npm test`), and a failure prints the seed and path to replay it.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261125) });
