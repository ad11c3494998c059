/**
 * Raw DEFLATE (RFC 1951) inflation of small letters, as UTF-8 text.
 *
 * Why not just `zlib.inflateRawSync`: for a 1 KB letter it spends ~80% of its time building and
 * tearing down a zlib stream (a Transform stream, a native handle, inflateInit's 7 KB state and
 * 32 KB window, a 16 KB output buffer) and only ~2 µs inflating. The hub opens every public
 * letter it receives, so this was ~10 µs of the ~70 µs a public envelope costs. No npm inflater
 * measured better on 1 KB letters (fflate 55 µs, pako 27 µs, inflateRawSync 9.4 µs, this 2.3 µs;
 * `npm run bench -- crypto` has the last two, docs/benchmarks.md the rest).
 *
 * So one zlib handle is kept and reset between letters. Node has no public API for synchronous
 * reuse (`inflateRawSync` always closes its handle), so this drives the handle the way Node's own
 * `processChunkSync` does (`_handle.writeSync`, `_writeState`): the same zlib, the same error
 * checks in Node's C++ (including "unexpected end of file" for a truncated stream). Node calls
 * those internals "no clean way to recover" after an error, so a handle that reported one is
 * closed and never reused. If a Node version changes the internals, the feature check fails and
 * every call goes to `inflateRawSync` (a test pins which path this Node takes).
 * Output larger than the reused 64 KiB buffer is inflated again by `inflateRawSync` with the
 * caller's bound: big letters are rare, and pay ~10 µs on top of their size.
 */
import { constants, createInflateRaw, inflateRawSync, type InflateRaw } from 'node:zlib';

const SCRATCH_BYTES = 64 * 1024;

/** What inflateRawText throws: `tooLarge` when the output would pass `maxBytes`. */
export class InflateError extends Error {
  constructor(
    message: string,
    readonly tooLarge: boolean,
  ) {
    super(message);
    this.name = 'InflateError';
  }
}

interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  reset(): void;
  close(): void;
  onerror: (message: string, errno: number, code?: string) => void;
}

interface Reusable {
  stream: InflateRaw;
  handle: ZlibHandle;
  state: Uint32Array;
  failed: string | null;
}

let reusable: Reusable | null = null;
let unsupported = false;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

function acquire(): Reusable | null {
  if (reusable) return reusable;
  if (unsupported) return null;
  const stream = createInflateRaw();
  const internals = stream as unknown as { _handle?: Partial<ZlibHandle>; _writeState?: unknown };
  const handle = internals._handle;
  const state = internals._writeState;
  if (
    !handle ||
    typeof handle.writeSync !== 'function' ||
    typeof handle.reset !== 'function' ||
    typeof handle.close !== 'function' ||
    !(state instanceof Uint32Array) ||
    state.length < 2
  ) {
    unsupported = true;
    stream.close();
    return null;
  }
  const r: Reusable = { stream, handle: handle as ZlibHandle, state, failed: null };
  // Node's own handler destroys the stream; ours records the message for the caller.
  r.handle.onerror = (message: string) => {
    r.failed = message || 'zlib error';
  };
  reusable = r;
  return r;
}

function discard(r: Reusable): void {
  if (reusable === r) reusable = null;
  try {
    r.stream.close();
  } catch {
    // already closed
  }
}

function viaStream(input: Uint8Array, maxBytes: number): string {
  let out: Buffer;
  try {
    out = inflateRawSync(input, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (e) {
    const tooLarge = (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new InflateError(tooLarge ? `inflates to more than ${maxBytes} bytes` : (e as Error).message, tooLarge);
  }
  if (out.length > maxBytes) throw new InflateError(`inflates to more than ${maxBytes} bytes`, true);
  return out.toString('utf8');
}

/** Which implementation this process uses: 'reused-handle', or 'stream' when Node's internals differ. */
export function rawInflaterMode(): 'reused-handle' | 'stream' {
  return acquire() ? 'reused-handle' : 'stream';
}

/**
 * Inflates raw DEFLATE `input` and decodes it as UTF-8 (invalid sequences become U+FFFD, as
 * Buffer#toString does). Throws InflateError for invalid or truncated data, and for output
 * longer than `maxBytes`. Data after the end of the DEFLATE stream is ignored, as zlib does.
 */
export function inflateRawText(input: Uint8Array, maxBytes: number): string {
  const r = acquire();
  if (!r) return viaStream(input, maxBytes);
  r.handle.reset();
  r.handle.writeSync(constants.Z_FINISH, input, 0, input.byteLength, scratch, 0, SCRATCH_BYTES);
  // Letters can be private (clients open theirs here): the scratch keeps no plaintext afterwards.
  if (r.failed !== null) {
    const message = r.failed;
    discard(r);
    scratch.fill(0);
    throw new InflateError(message, false);
  }
  const availOut = r.state[0];
  const length = SCRATCH_BYTES - availOut;
  const text = availOut > 0 && length <= maxBytes ? scratch.toString('utf8', 0, length) : null;
  scratch.fill(0, 0, length);
  if (availOut === 0) return viaStream(input, maxBytes); // filled the buffer: may be longer
  if (text === null) throw new InflateError(`inflates to more than ${maxBytes} bytes`, true);
  return text;
}
