import { type Bound, compareBounds, ZERO_BOUND } from './bound';
import type { ByteWriter } from './byte-writer';
import {
  DEFAULT_MAX_ID_LIST_LENGTH,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_RANGES,
  FINGERPRINT_SIZE,
  ID_SIZE,
  MAX_TIMESTAMP,
  Mode,
  PROTOCOL_VERSION,
} from './constants';
import { ReconcileProtocolError } from './errors';
import { decodeVarint } from './varint';

/** One decoded range: everything from the previous range's bound up to (excluding) `bound`. */
export type DecodedRange =
  | { readonly bound: Bound; readonly mode: typeof Mode.Skip }
  | { readonly bound: Bound; readonly mode: typeof Mode.Fingerprint; readonly fingerprint: Uint8Array }
  | { readonly bound: Bound; readonly mode: typeof Mode.IdList; readonly ids: Uint8Array; readonly count: number };

export interface DecodedMessage {
  /** The version byte; ranges are only decoded for PROTOCOL_VERSION. */
  readonly version: number;
  readonly ranges: DecodedRange[];
}

export interface DecodeLimits {
  maxMessageBytes: number;
  maxRanges: number;
  maxIdListLength: number;
}

/**
 * Parses and validates a whole message before any work is done on it, so hostile input is refused
 * cheaply and nothing half-processed leaks out. Payload bytes are views into `msg`, not copies.
 */
export function decodeMessage(msg: Uint8Array, limits: Partial<DecodeLimits> = {}): DecodedMessage {
  const maxMessageBytes = limits.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const maxRanges = limits.maxRanges ?? DEFAULT_MAX_RANGES;
  const maxIdListLength = limits.maxIdListLength ?? DEFAULT_MAX_ID_LIST_LENGTH;
  if (!(msg instanceof Uint8Array)) throw new TypeError('a reconciliation message must be a Uint8Array');
  if (msg.length > maxMessageBytes) {
    throw new ReconcileProtocolError('message_too_large', `message of ${msg.length} bytes exceeds ${maxMessageBytes}`);
  }
  if (msg.length === 0) throw new ReconcileProtocolError('truncated', 'empty message');
  const version = msg[0];
  if (version < 0x60 || version > 0x6f) {
    throw new ReconcileProtocolError('bad_version', `0x${version.toString(16)} is not a negentropy version byte`);
  }
  if (version !== PROTOCOL_VERSION) return { version, ranges: [] };

  const ranges: DecodedRange[] = [];
  let pos = 1;
  let lastTimestamp = 0;
  let prev = ZERO_BOUND;

  const varint = (): number => {
    const r = decodeVarint(msg, pos);
    pos = r.offset;
    return r.value;
  };
  const take = (n: number, what: string): Uint8Array => {
    if (n > msg.length - pos) throw new ReconcileProtocolError('truncated', `${what} at byte ${pos} is truncated`);
    const out = msg.subarray(pos, pos + n);
    pos += n;
    return out;
  };

  while (pos < msg.length) {
    if (ranges.length >= maxRanges) {
      throw new ReconcileProtocolError('too_many_ranges', `message has more than ${maxRanges} ranges`);
    }
    const boundAt = pos;
    const encoded = varint();
    let timestamp: number;
    if (encoded === 0 || lastTimestamp === Infinity) {
      // 0 is infinity; past infinity every delta saturates to infinity, as in the reference.
      timestamp = Infinity;
    } else {
      timestamp = lastTimestamp + (encoded - 1);
      if (timestamp > MAX_TIMESTAMP) {
        throw new ReconcileProtocolError('timestamp_out_of_range', `bound at byte ${boundAt} has a timestamp above 2^53 - 2`);
      }
    }
    lastTimestamp = timestamp;
    const prefixLength = varint();
    if (prefixLength > ID_SIZE) {
      throw new ReconcileProtocolError('bound_prefix_too_long', `bound at byte ${boundAt} has a ${prefixLength}-byte id prefix`);
    }
    const bound: Bound = { timestamp, idPrefix: take(prefixLength, 'id prefix') };
    // Equal bounds (an empty range) are legal: a truncated IdList reply can end exactly where it began.
    if (compareBounds(bound, prev) < 0) {
      throw new ReconcileProtocolError('bound_out_of_order', `bound at byte ${boundAt} is below the previous one`);
    }
    prev = bound;

    const modeAt = pos;
    const mode = varint();
    if (mode === Mode.Skip) {
      ranges.push({ bound, mode });
    } else if (mode === Mode.Fingerprint) {
      ranges.push({ bound, mode, fingerprint: take(FINGERPRINT_SIZE, 'fingerprint') });
    } else if (mode === Mode.IdList) {
      const count = varint();
      if (count > maxIdListLength) {
        throw new ReconcileProtocolError('id_list_too_long', `id list of ${count} ids exceeds ${maxIdListLength}`);
      }
      // Checked against the bytes present before anything is allocated for it.
      ranges.push({ bound, mode, ids: take(count * ID_SIZE, 'id list'), count });
    } else {
      throw new ReconcileProtocolError('unknown_mode', `unknown mode ${mode} at byte ${modeAt}`);
    }
  }
  return { version, ranges };
}

/** Writes bounds with the protocol's per-message timestamp deltas. */
export class BoundWriter {
  private lastTimestamp = 0;

  constructor(private readonly out: ByteWriter) {}

  write(bound: Bound): void {
    if (bound.timestamp === Infinity) {
      this.lastTimestamp = Infinity;
      this.out.varint(0);
    } else {
      this.out.varint(1 + bound.timestamp - this.lastTimestamp);
      this.lastTimestamp = bound.timestamp;
    }
    this.out.varint(bound.idPrefix.length);
    this.out.bytes(bound.idPrefix);
  }

  /** The delta state, so a caller can take back bounds it wrote into a discarded range. */
  snapshot(): number {
    return this.lastTimestamp;
  }

  restore(lastTimestamp: number): void {
    this.lastTimestamp = lastTimestamp;
  }

  /** Upper bound on the encoded size of any bound. */
  static readonly MAX_BYTES = 8 + 1 + ID_SIZE;
}
