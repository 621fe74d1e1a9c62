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
  /** The next buffer's size: what the previous batch used (a batch with a huge response is not the norm). */
  #size = FIRST_SIZE;

  get count(): number {
    return this.#count;
  }

  append(c: CapturedRequest): void {
    this.#string(c.tenantId);
    this.#number(c.arrivedMs);
    this.#string(c.method);
    this.#string(c.path);
    this.#string(c.query);
    this.#number(c.status);
    this.#number(c.latencyMs);
    this.#string(c.requestId);
    this.#string(c.tokenId);
    this.#string(c.userAgent);
    this.#string(c.resourceId);
    this.#string(c.body === undefined ? undefined : JSON.stringify(c.body));
    this.#string(c.unparsedBody);
    this.#string(c.response);
    this.#string(c.bearer);
    this.#count++;
  }

  /** The batch so far, and an empty buffer for the next. */
  take(): { readonly bytes: Uint8Array; readonly count: number } {
    const taken = { bytes: (this.#bytes ?? Buffer.alloc(0)).subarray(0, this.#at), count: this.#count };
    this.#bytes = undefined;
    this.#size = Math.max(FIRST_SIZE, this.#at);
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

  #number(n: number): void {
    this.#reserve(8).writeDoubleLE(n, this.#at);
    this.#at += 8;
  }

  #string(s: string | undefined): void {
    if (s === undefined) {
      this.#reserve(4).writeUInt32LE(NONE, this.#at);
      this.#at += 4;
      return;
    }
    // At most three bytes of UTF-8 for each UTF-16 unit.
    const bytes = this.#reserve(4 + 3 * s.length);
    if (s.length <= SHORT) {
      // A short ASCII string (an id, the method, the query, the User-Agent: most of a request's
      // fields) copied here costs a tenth of a call of Buffer#write.
      const start = this.#at + 4;
      let i = 0;
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        bytes[start + i] = c;
      }
      if (i === s.length) {
        bytes.writeUInt32LE(i, this.#at);
        this.#at = start + i;
        return;
      }
    }
    const n = bytes.write(s, this.#at + 4, 'utf8');
    bytes.writeUInt32LE(n, this.#at);
    this.#at += 4 + n;
  }
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
    yield {
      tenantId: text(),
      arrivedMs: number(),
      method: text(),
      path: text(),
      query: text(),
      status: number(),
      latencyMs: number(),
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
