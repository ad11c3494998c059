import { type Bound, INFINITY_BOUND, minimalBound, ZERO_BOUND } from './bound';
import { ByteWriter } from './byte-writer';
import {
  DEFAULT_BUCKETS,
  DEFAULT_FRAME_SIZE_LIMIT,
  DEFAULT_ID_LIST_THRESHOLD,
  DEFAULT_MAX_ID_LIST_LENGTH,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_RANGES,
  FINGERPRINT_SIZE,
  FRAME_SLACK,
  ID_SIZE,
  MIN_FRAME_SIZE_LIMIT,
  Mode,
  PROTOCOL_VERSION,
} from './constants';
import { ReconcileProtocolError } from './errors';
import { BoundWriter, type DecodedRange, decodeMessage, type DecodeLimits } from './message';
import type { ReconStorage } from './storage';
import { varintLength } from './varint';

export interface NegentropyOptions {
  /** Largest message this side writes, in bytes; 0 = no limit. Default 256 KiB; at least 4096. */
  frameSizeLimit?: number;
  /** How many sub-ranges a mismatched range is split into. Default 16. */
  buckets?: number;
  /** A range with fewer items than this is sent as a plain id list. Default 32; at least `buckets`. */
  idListThreshold?: number;
  /** Largest incoming message accepted. Default 1 MiB. */
  maxMessageBytes?: number;
  /** Most ranges accepted in one incoming message; bounds the work per message. Default 32768. */
  maxRanges?: number;
  /** Most ids accepted in one incoming id list. Default 65536. */
  maxIdListLength?: number;
}

/** One client round: the next message to send (null when reconciliation is complete) and what it learned. */
export interface ReconcileResult {
  output: Uint8Array | null;
  /** Ids this side has and the peer lacks. */
  have: Uint8Array[];
  /** Ids the peer has and this side lacks. */
  need: Uint8Array[];
}

interface Settings extends DecodeLimits {
  frameSizeLimit: number;
  buckets: number;
  idListThreshold: number;
}

function integerOption(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  return v;
}

function resolveSettings(options: NegentropyOptions): Settings {
  const buckets = integerOption('buckets', options.buckets, DEFAULT_BUCKETS, 2, 1024);
  const idListThreshold = integerOption('idListThreshold', options.idListThreshold, DEFAULT_ID_LIST_THRESHOLD, buckets, 65536);
  const frameSizeLimit = integerOption('frameSizeLimit', options.frameSizeLimit, DEFAULT_FRAME_SIZE_LIMIT, 0, Number.MAX_SAFE_INTEGER);
  if (frameSizeLimit !== 0) {
    if (frameSizeLimit < MIN_FRAME_SIZE_LIMIT) throw new RangeError(`frameSizeLimit must be 0 or at least ${MIN_FRAME_SIZE_LIMIT}`);
    // Every message must carry at least one whole range, or a limited exchange could never progress.
    const header = BoundWriter.MAX_BYTES + 1; // a bound and its mode byte
    const split = buckets * (header + FINGERPRINT_SIZE);
    const idList = header + varintLength(idListThreshold) + (idListThreshold - 1) * ID_SIZE;
    const worstRange = header + Math.max(split, idList); // plus a pending Skip before it
    if (1 + worstRange > frameSizeLimit - FRAME_SLACK) {
      throw new RangeError(`frameSizeLimit ${frameSizeLimit} cannot hold one range with these buckets/idListThreshold`);
    }
  }
  return {
    frameSizeLimit,
    buckets,
    idListThreshold,
    maxMessageBytes: integerOption('maxMessageBytes', options.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES, 1, 1 << 30),
    maxRanges: integerOption('maxRanges', options.maxRanges, DEFAULT_MAX_RANGES, 1, 1 << 24),
    maxIdListLength: integerOption('maxIdListLength', options.maxIdListLength, DEFAULT_MAX_ID_LIST_LENGTH, 1, 1 << 24),
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function idKey(bytes: Uint8Array, offset: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, ID_SIZE).toString('latin1');
}

/**
 * What an initiator learns from id lists. `reported` keeps each id to one report per session: a
 * frame-limited reply can re-open a region the client already settled, which would repeat ids.
 */
interface Findings {
  have: Uint8Array[];
  need: Uint8Array[];
  reported: Set<string>;
}

/** The range-based reconciliation both roles share; holds no state between messages. */
class RangeReconciler {
  constructor(
    private readonly storage: ReconStorage,
    private readonly settings: Settings,
  ) {}

  initiate(): Uint8Array {
    const out = new ByteWriter();
    out.byte(PROTOCOL_VERSION);
    this.splitRange(out, new BoundWriter(out), 0, this.storage.size, INFINITY_BOUND);
    return out.finish();
  }

  /** Answers one message; an initiator (findings given) also collects what the peer's id lists reveal. */
  process(msg: Uint8Array, findings: Findings | null): Uint8Array {
    const initiator = findings !== null;
    const decoded = decodeMessage(msg, this.settings);
    const out = new ByteWriter();
    out.byte(PROTOCOL_VERSION);
    if (decoded.version !== PROTOCOL_VERSION) {
      if (initiator) {
        throw new ReconcileProtocolError('unsupported_version', `peer answered with protocol version 0x${decoded.version.toString(16)}`);
      }
      // The spec's downgrade signal: a lone byte naming the version we speak.
      return out.finish();
    }

    const storage = this.storage;
    const size = storage.size;
    const bounds = new BoundWriter(out);
    let prevIndex = 0;
    let prevBound: Bound = ZERO_BOUND;
    let skip = false;
    // Skips are written lazily: a run of matching ranges costs one bound, and trailing ones nothing.
    const flushSkip = (): void => {
      if (!skip) return;
      skip = false;
      bounds.write(prevBound);
      out.varint(Mode.Skip);
    };

    // Past the last range the peer still works on, it has settled everything: never reopen that tail.
    let openUntil: Bound = ZERO_BOUND;
    for (const range of decoded.ranges) if (range.mode !== Mode.Skip) openUntil = range.bound;

    for (const range of decoded.ranges) {
      const mark = out.length;
      const markTimestamp = bounds.snapshot();
      const skipBefore = skip;
      const lower = prevIndex;
      let upper = storage.lowerBound(range.bound, lower, size);
      let truncatedReply = false;

      if (range.mode === Mode.Skip) {
        skip = true;
      } else if (range.mode === Mode.Fingerprint) {
        if (sameBytes(range.fingerprint, storage.fingerprint(lower, upper))) {
          skip = true;
        } else {
          flushSkip();
          this.splitRange(out, bounds, lower, upper, range.bound);
        }
      } else if (initiator) {
        this.diffIdList(range, lower, upper, findings);
        skip = true;
      } else {
        flushSkip();
        const reply = this.replyIdList(out, bounds, lower, upper, range.bound);
        upper = reply.upper;
        truncatedReply = reply.truncated;
      }

      if (truncatedReply || this.overFrame(out.length)) {
        let restart = upper;
        if (!truncatedReply) {
          // Take this range's output back; the closing range below re-covers it from its lower end.
          out.truncate(mark);
          bounds.restore(markTimestamp);
          skip = skipBefore;
          flushSkip();
          restart = lower;
        }
        // The rest of the open ranges as one fingerprint: the peer splits it again in the next round.
        bounds.write(openUntil);
        out.varint(Mode.Fingerprint);
        out.bytes(storage.fingerprint(restart, storage.lowerBound(openUntil, restart, size)));
        break;
      }
      prevIndex = upper;
      prevBound = range.bound;
    }
    return out.finish();
  }

  private overFrame(length: number): boolean {
    return this.settings.frameSizeLimit !== 0 && length > this.settings.frameSizeLimit - FRAME_SLACK;
  }

  /** Sends [lower, upper) as an id list when small, else as `buckets` fingerprints of equal item counts. */
  private splitRange(out: ByteWriter, bounds: BoundWriter, lower: number, upper: number, upperBound: Bound): void {
    const storage = this.storage;
    const n = upper - lower;
    if (n < this.settings.idListThreshold) {
      bounds.write(upperBound);
      out.varint(Mode.IdList);
      out.varint(n);
      storage.forEach(lower, upper, (_ts, id) => out.bytes(id));
      return;
    }
    const buckets = this.settings.buckets;
    const perBucket = Math.floor(n / buckets);
    const withExtra = n % buckets;
    let curr = lower;
    for (let i = 0; i < buckets; i++) {
      const next = curr + perBucket + (i < withExtra ? 1 : 0);
      const fingerprint = storage.fingerprint(curr, next);
      curr = next;
      const bound =
        curr === upper
          ? upperBound
          : minimalBound(storage.timestampAt(curr - 1), storage.idAt(curr - 1), storage.timestampAt(curr), storage.idAt(curr));
      bounds.write(bound);
      out.varint(Mode.Fingerprint);
      out.bytes(fingerprint);
    }
  }

  /**
   * The responder's answer to an id list: every id it holds in the range. Under a frame limit the
   * list is cut at an item, whose full id becomes the range's bound.
   */
  private replyIdList(out: ByteWriter, bounds: BoundWriter, lower: number, upper: number, bound: Bound): { upper: number; truncated: boolean } {
    let count = upper - lower;
    let endBound = bound;
    let truncated = false;
    const limit = this.settings.frameSizeLimit;
    if (limit !== 0) {
      const header = BoundWriter.MAX_BYTES + 1 + varintLength(count);
      const room = Math.max(1, Math.floor((limit - FRAME_SLACK - out.length - header) / ID_SIZE));
      if (count > room) {
        count = room;
        endBound = { timestamp: this.storage.timestampAt(lower + count), idPrefix: this.storage.idAt(lower + count).slice() };
        truncated = true;
      }
    }
    bounds.write(endBound);
    out.varint(Mode.IdList);
    out.varint(count);
    this.storage.forEach(lower, lower + count, (_ts, id) => out.bytes(id));
    return { upper: lower + count, truncated };
  }

  /** Initiator side of an id list: our ids missing from theirs are `have`, theirs missing from ours `need`. */
  private diffIdList(range: DecodedRange & { mode: typeof Mode.IdList }, lower: number, upper: number, findings: Findings): void {
    const theirs = new Map<string, number>();
    for (let i = 0; i < range.count; i++) {
      const key = idKey(range.ids, i * ID_SIZE);
      if (!theirs.has(key)) theirs.set(key, i);
    }
    this.storage.forEach(lower, upper, (_ts, id) => {
      const key = idKey(id, 0);
      if (theirs.delete(key) || findings.reported.has(key)) return;
      findings.reported.add(key);
      findings.have.push(id.slice());
    });
    for (const [key, i] of theirs) {
      if (findings.reported.has(key)) continue;
      findings.reported.add(key);
      findings.need.push(range.ids.slice(i * ID_SIZE, (i + 1) * ID_SIZE));
    }
  }
}

/**
 * The initiating side (a device): `initiate()` once, then feed each server reply to `reconcile()`
 * until its `output` is null. Ids found are reported per round in `have` and `need`.
 */
export class NegentropyClient {
  private readonly engine: RangeReconciler;
  private readonly reported = new Set<string>();

  constructor(storage: ReconStorage, options: NegentropyOptions = {}) {
    this.engine = new RangeReconciler(storage, resolveSettings(options));
  }

  /** Starts (or restarts) a session: ids are reported again after this. */
  initiate(): Uint8Array {
    this.reported.clear();
    return this.engine.initiate();
  }

  /** Throws ReconcileProtocolError for a malformed reply; nothing else for any input bytes. */
  reconcile(msg: Uint8Array): ReconcileResult {
    const findings: Findings = { have: [], need: [], reported: this.reported };
    const output = this.engine.process(msg, findings);
    return { output: output.length === 1 ? null : output, have: findings.have, need: findings.need };
  }
}

/**
 * The responding side (the hub): stateless, so each HTTP request can be answered by any instance
 * from the current index. Throws ReconcileProtocolError for malformed input, nothing else.
 */
export class NegentropyServer {
  private readonly engine: RangeReconciler;

  constructor(storage: ReconStorage, options: NegentropyOptions = {}) {
    this.engine = new RangeReconciler(storage, resolveSettings(options));
  }

  reconcile(msg: Uint8Array): Uint8Array {
    return this.engine.process(msg, null);
  }
}
