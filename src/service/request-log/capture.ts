/** A SCIM request as the HTTP layer hands it over, before anything is redacted. Never stored as such. */
export interface CapturedRequest {
  readonly tenantId: string;
  /** When the request arrived, epoch milliseconds. */
  readonly arrivedMs: number;
  readonly method: string;
  /** Below the SCIM base path, without the query. */
  readonly path: string;
  /** Without "?"; "" when none. */
  readonly query: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly requestId: string;
  readonly tokenId: string | undefined;
  readonly userAgent: string | undefined;
  readonly resourceId: string | undefined;
  /** The parsed JSON body, when it parsed. */
  readonly body: unknown;
  /** The body text when it did not parse (400 invalidSyntax). */
  readonly unparsedBody: string | undefined;
  /** The response text, when the response was one (not a stream). */
  readonly response: string | undefined;
  /** The bearer token the request carried: scrubbed from every stored field. */
  readonly bearer: string | undefined;
}

/** A captured request read back from a batch: the parsed body is its JSON text. */
export type CapturedText = Omit<CapturedRequest, 'body'> & { readonly body: string | undefined };

/** Marks an absent string. */
const NONE = 0xffffffff;
const FIRST_SIZE = 64 * 1024;
/** Strings up to this length are copied by a loop here when they are ASCII. */
const SHORT = 128;
/** A request's numbers (arrival, status, latency), 8 bytes each; each string takes a 32-bit length besides its bytes. */
const NUMBERS = 3 * 8;

/**
 * The requests of one batch, copied as they are answered into one growing buffer outside the
 * JavaScript heap: a captured request's strings (a response of a kilobyte or more) are not kept
 * alive across the young generation's collections until the batch is written, which doubled
 * their pauses (docs/console.md, "What it costs"). Each string is its UTF-8 bytes after a 32-bit
 * length; the parsed body is serialised here, as the log stores it.
 */
export class CaptureBuffer {
  #bytes: Buffer | undefined;
  #at = 0;
  #count = 0;
  /** The next buffer's size: twice what the previous batch used (see take). */
  #size = FIRST_SIZE;

  get count(): number {
    return this.#count;
  }

  append(c: CapturedRequest): void {
    // One list serves the room reserved and what is written (readCaptures reads them in this order).
    const strings = [
      c.tenantId,
      c.method,
      c.path,
      c.query,
      c.requestId,
      c.tokenId,
      c.userAgent,
      c.resourceId,
      c.body === undefined ? undefined : JSON.stringify(c.body),
      c.unparsedBody,
      c.response,
      c.bearer,
    ];
    // Room for the request once, at most three bytes of UTF-8 for each UTF-16 unit, rather than a
    // check for each field.
    let units = 0;
    for (const text of strings) units += text?.length ?? 0;
    const bytes = this.#reserve(NUMBERS + 4 * strings.length + 3 * units);
    let at = this.#at;
    at = bytes.writeDoubleLE(c.arrivedMs, at);
    at = bytes.writeDoubleLE(c.status, at);
    at = bytes.writeDoubleLE(c.latencyMs, at);
    for (const text of strings) at = putString(bytes, at, text);
    this.#at = at;
    this.#count++;
  }

  /** The batch so far, and an empty buffer for the next. */
  take(): { readonly bytes: Uint8Array; readonly count: number } {
    const taken = { bytes: (this.#bytes ?? Buffer.alloc(0)).subarray(0, this.#at), count: this.#count };
    this.#bytes = undefined;
    // Twice what this batch used: a batch like it then never outgrows its buffer (which copies it
    // whole), since room for its last response is reserved at three bytes a character. The pages
    // it leaves unused are never touched, so they cost no memory; a batch with a huge response
    // is not the norm, and the one after it gets a buffer of its own size again.
    this.#size = Math.max(FIRST_SIZE, 2 * this.#at);
    this.#at = 0;
    this.#count = 0;
    return taken;
  }

  #reserve(n: number): Buffer {
    const bytes = this.#bytes;
    if (bytes !== undefined && this.#at + n <= bytes.length) return bytes;
    while (this.#size < this.#at + n) this.#size *= 2;
    // Unpooled: a batch's memory is its own, freed with it.
    const grown = Buffer.allocUnsafeSlow(this.#size);
    bytes?.copy(grown, 0, 0, this.#at);
    this.#bytes = grown;
    return grown;
  }
}

/** Writes s (its length, then its UTF-8 bytes) at `at`, in room reserved for it; where the next field starts. */
function putString(bytes: Buffer, at: number, s: string | undefined): number {
  if (s === undefined) return putLength(bytes, at, NONE);
  const start = at + 4;
  if (s.length <= SHORT) {
    // A short ASCII string (an id, the method, the query, the User-Agent: most of a request's
    // fields) copied here costs a tenth of a call of Buffer#write.
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      bytes[start + i] = c;
    }
    if (i === s.length) {
      putLength(bytes, at, i);
      return start + i;
    }
  }
  const n = bytes.write(s, start, 'utf8');
  putLength(bytes, at, n);
  return start + n;
}

/** A 32-bit length, little-endian, as readUInt32LE reads it, without Buffer#writeUInt32LE's range checks. */
function putLength(bytes: Buffer, at: number, n: number): number {
  bytes[at] = n;
  bytes[at + 1] = n >>> 8;
  bytes[at + 2] = n >>> 16;
  bytes[at + 3] = n >>> 24;
  return at + 4;
}

/** The requests of a batch CaptureBuffer made, in the order they were appended. */
export function* readCaptures(batch: Uint8Array): Generator<CapturedText> {
  const bytes = Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength);
  let at = 0;
  const number = () => {
    const n = bytes.readDoubleLE(at);
    at += 8;
    return n;
  };
  const string = () => {
    const n = bytes.readUInt32LE(at);
    at += 4;
    if (n === NONE) return undefined;
    at += n;
    return bytes.toString('utf8', at - n, at);
  };
  const text = () => string() ?? '';
  while (at < bytes.length) {
    const arrivedMs = number();
    const status = number();
    const latencyMs = number();
    yield {
      arrivedMs,
      status,
      latencyMs,
      tenantId: text(),
      method: text(),
      path: text(),
      query: text(),
      requestId: text(),
      tokenId: string(),
      userAgent: string(),
      resourceId: string(),
      body: string(),
      unparsedBody: string(),
      response: string(),
      bearer: string(),
    };
  }
}
