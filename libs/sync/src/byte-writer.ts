import { putVarint, varintLength } from './varint';

/** Growable output buffer; `truncate` lets the reconciler take back a range that would overflow a frame. */
export class ByteWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(initialCapacity = 512) {
    this.buf = new Uint8Array(initialCapacity);
  }

  get length(): number {
    return this.len;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  bytes(src: Uint8Array): void {
    this.reserve(src.length);
    this.buf.set(src, this.len);
    this.len += src.length;
  }

  varint(n: number): void {
    this.reserve(varintLength(n));
    this.len = putVarint(this.buf, this.len, n);
  }

  truncate(length: number): void {
    this.len = length;
  }

  /** A right-sized copy, so callers never hold the oversized scratch buffer. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private reserve(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}
