// A strict JSON reader (RFC 8259) over UTF-8 bytes that never traps.
//
// Why not json-as: json-as 1.6.0 decodes straight into typed classes and, on this machine,
// silently loses the rest of an object after a string value ending in a backslash, and turns wrong
// types into default values instead of errors. An admission policy must see every container and
// must tell "absent" from "wrong type", so every payload is read here first: malformed input is an
// error value, and the typed views (protocol.ts, kubernetes.ts, oci/types.ts) check each type.
//
// Values keep byte offsets into the source; strings are decoded only when asked for.

export const enum JsonKind {
  Null = 0,
  False = 1,
  True = 2,
  Number = 3,
  String = 4,
  Array = 5,
  Object = 6,
}

/** Nesting deeper than this is refused (policy-server's serde_json stops at 128). */
export const MAX_DEPTH: i32 = 512;

export class JsonValue {
  constructor(
    public kind: JsonKind,
    public source: JsonSource,
    /** byte offset of the first byte of the value (the quote for strings) */
    public start: i32,
    /** byte offset just past the value */
    public end: i32,
  ) {}
  /** array items, or object values (parallel to `keys`) */
  items: JsonValue[] | null = null;
  /** object keys, decoded */
  keys: string[] | null = null;
  /** for strings: true when the raw text holds a backslash escape */
  escaped: bool = false;

  get isNull(): bool {
    return this.kind == JsonKind.Null;
  }
  get isString(): bool {
    return this.kind == JsonKind.String;
  }
  get isArray(): bool {
    return this.kind == JsonKind.Array;
  }
  get isObject(): bool {
    return this.kind == JsonKind.Object;
  }
  get isBool(): bool {
    return this.kind == JsonKind.True || this.kind == JsonKind.False;
  }
  get isNumber(): bool {
    return this.kind == JsonKind.Number;
  }

  get length(): i32 {
    const items = this.items;
    return items == null ? 0 : items.length;
  }

  /** The member `key` of an object; null when this is not an object or has no such key. */
  get(key: string): JsonValue | null {
    const keys = this.keys;
    const items = this.items;
    if (this.kind != JsonKind.Object || keys == null || items == null) return null;
    // Last duplicate wins, as in serde_json's Map.
    for (let i = keys.length - 1; i >= 0; i--) {
      if (unchecked(keys[i]) == key) return unchecked(items[i]);
    }
    return null;
  }

  /** Item `index` of an array, or null. */
  at(index: i32): JsonValue | null {
    const items = this.items;
    if (this.kind != JsonKind.Array || items == null || index < 0 || index >= items.length) return null;
    return unchecked(items[index]);
  }

  /** The decoded string, or null when this is not a string. */
  str(): string | null {
    if (this.kind != JsonKind.String) return null;
    return decodeJsonString(this.source, this.start, this.end, this.escaped);
  }

  /** The raw bytes of this value as they appeared in the source. */
  rawText(): string {
    return String.UTF8.decodeUnsafe(this.source.ptr + <usize>this.start, <usize>(this.end - this.start));
  }

  /** Integer value when this is a number without fraction or exponent that fits in i64. */
  integer(): JsonInteger | null {
    if (this.kind != JsonKind.Number) return null;
    const base = this.source.ptr;
    let i = this.start;
    let negative = false;
    if (load<u8>(base + <usize>i) == 0x2d) {
      negative = true;
      i++;
    }
    let value: i64 = 0;
    const digits = this.end - i;
    if (digits > 18) return null;
    for (; i < this.end; i++) {
      const c = <i32>load<u8>(base + <usize>i);
      if (c < 0x30 || c > 0x39) return null;
      value = value * 10 + <i64>(c - 0x30);
    }
    return new JsonInteger(negative ? -value : value);
  }
}

export class JsonInteger {
  constructor(public value: i64) {}
}

/** The bytes a tree points into. The reader keeps the buffer alive for the values' lifetime. */
export class JsonSource {
  constructor(
    public buffer: ArrayBuffer,
    public ptr: usize,
    public length: i32,
  ) {}
}

export class JsonParseResult {
  constructor(
    public value: JsonValue | null,
    public error: string | null,
  ) {}
}

/** Parses `bytes` (a whole JSON text). Never traps: malformed input gives `error`. */
export function parseJson(bytes: ArrayBuffer): JsonParseResult {
  const source = new JsonSource(bytes, changetype<usize>(bytes), bytes.byteLength);
  const parser = new Parser(source);
  parser.skipWhitespace();
  const value = parser.parseValue(0);
  if (value == null) return new JsonParseResult(null, parser.errorText());
  parser.skipWhitespace();
  if (parser.pos < source.length) {
    parser.fail("trailing characters after the JSON value");
    return new JsonParseResult(null, parser.errorText());
  }
  return new JsonParseResult(value, null);
}

export function parseJsonString(text: string): JsonParseResult {
  return parseJson(String.UTF8.encode(text));
}

class Parser {
  pos: i32 = 0;
  error: string | null = null;
  errorPos: i32 = 0;

  constructor(public source: JsonSource) {}

  fail(message: string): void {
    if (this.error == null) {
      this.error = message;
      this.errorPos = this.pos;
    }
  }

  errorText(): string {
    const e = this.error;
    return (e == null ? "invalid JSON" : e) + " at byte " + this.errorPos.toString();
  }

  @inline byteAt(i: i32): i32 {
    return <i32>load<u8>(this.source.ptr + <usize>i);
  }

  skipWhitespace(): void {
    const n = this.source.length;
    let i = this.pos;
    while (i < n) {
      const c = this.byteAt(i);
      if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) i++;
      else break;
    }
    this.pos = i;
  }

  parseValue(depth: i32): JsonValue | null {
    if (this.pos >= this.source.length) {
      this.fail("unexpected end of input");
      return null;
    }
    const c = this.byteAt(this.pos);
    if (c == 0x7b) return this.parseObject(depth);
    if (c == 0x5b) return this.parseArray(depth);
    if (c == 0x22) return this.parseString();
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    if (c == 0x74) return this.parseLiteral("true", JsonKind.True);
    if (c == 0x66) return this.parseLiteral("false", JsonKind.False);
    if (c == 0x6e) return this.parseLiteral("null", JsonKind.Null);
    this.fail("unexpected character");
    return null;
  }

  parseLiteral(word: string, kind: JsonKind): JsonValue | null {
    const start = this.pos;
    const n = word.length;
    if (start + n > this.source.length) {
      this.fail("unexpected end of input");
      return null;
    }
    for (let i = 0; i < n; i++) {
      if (this.byteAt(start + i) != word.charCodeAt(i)) {
        this.fail("invalid literal");
        return null;
      }
    }
    this.pos = start + n;
    return new JsonValue(kind, this.source, start, this.pos);
  }

  parseNumber(): JsonValue | null {
    const n = this.source.length;
    const start = this.pos;
    let i = start;
    if (this.byteAt(i) == 0x2d) i++;
    if (i >= n) {
      this.pos = i;
      this.fail("invalid number");
      return null;
    }
    let c = this.byteAt(i);
    if (c == 0x30) {
      i++;
    } else if (c >= 0x31 && c <= 0x39) {
      while (i < n && isDigit(this.byteAt(i))) i++;
    } else {
      this.pos = i;
      this.fail("invalid number");
      return null;
    }
    if (i < n && this.byteAt(i) == 0x2e) {
      i++;
      const fractionStart = i;
      while (i < n && isDigit(this.byteAt(i))) i++;
      if (i == fractionStart) {
        this.pos = i;
        this.fail("invalid number");
        return null;
      }
    }
    if (i < n) {
      c = this.byteAt(i);
      if (c == 0x65 || c == 0x45) {
        i++;
        if (i < n && (this.byteAt(i) == 0x2b || this.byteAt(i) == 0x2d)) i++;
        const exponentStart = i;
        while (i < n && isDigit(this.byteAt(i))) i++;
        if (i == exponentStart) {
          this.pos = i;
          this.fail("invalid number");
          return null;
        }
      }
    }
    this.pos = i;
    return new JsonValue(JsonKind.Number, this.source, start, i);
  }

  /** Validates a string (escapes, control characters, UTF-8) and returns its value node. */
  parseString(): JsonValue | null {
    const n = this.source.length;
    const start = this.pos;
    let i = start + 1;
    let escaped = false;
    while (true) {
      if (i >= n) {
        this.pos = i;
        this.fail("unterminated string");
        return null;
      }
      const c = this.byteAt(i);
      if (c == 0x22) break;
      if (c == 0x5c) {
        escaped = true;
        if (i + 1 >= n) {
          this.pos = i;
          this.fail("unterminated string");
          return null;
        }
        const e = this.byteAt(i + 1);
        if (e == 0x75) {
          if (i + 6 > n) {
            this.pos = i;
            this.fail("invalid \\u escape");
            return null;
          }
          for (let k = 2; k < 6; k++) {
            if (hexValue(this.byteAt(i + k)) < 0) {
              this.pos = i;
              this.fail("invalid \\u escape");
              return null;
            }
          }
          i += 6;
        } else if (
          e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 ||
          e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74
        ) {
          i += 2;
        } else {
          this.pos = i;
          this.fail("invalid escape");
          return null;
        }
      } else if (c < 0x20) {
        this.pos = i;
        this.fail("control character in string");
        return null;
      } else if (c < 0x80) {
        i++;
      } else {
        const width = utf8SequenceLength(this.source.ptr, i, n);
        if (width == 0) {
          this.pos = i;
          this.fail("invalid UTF-8 in string");
          return null;
        }
        i += width;
      }
    }
    this.pos = i + 1;
    const value = new JsonValue(JsonKind.String, this.source, start, this.pos);
    value.escaped = escaped;
    return value;
  }

  parseArray(depth: i32): JsonValue | null {
    if (depth >= MAX_DEPTH) {
      this.fail("nesting deeper than " + MAX_DEPTH.toString());
      return null;
    }
    const start = this.pos;
    this.pos++;
    const items = new Array<JsonValue>();
    this.skipWhitespace();
    if (this.pos < this.source.length && this.byteAt(this.pos) == 0x5d) {
      this.pos++;
    } else {
      while (true) {
        this.skipWhitespace();
        const item = this.parseValue(depth + 1);
        if (item == null) return null;
        items.push(item);
        this.skipWhitespace();
        if (this.pos >= this.source.length) {
          this.fail("unterminated array");
          return null;
        }
        const c = this.byteAt(this.pos);
        this.pos++;
        if (c == 0x5d) break;
        if (c != 0x2c) {
          this.pos--;
          this.fail("expected ',' or ']'");
          return null;
        }
      }
    }
    const value = new JsonValue(JsonKind.Array, this.source, start, this.pos);
    value.items = items;
    return value;
  }

  parseObject(depth: i32): JsonValue | null {
    if (depth >= MAX_DEPTH) {
      this.fail("nesting deeper than " + MAX_DEPTH.toString());
      return null;
    }
    const start = this.pos;
    this.pos++;
    const keys = new Array<string>();
    const items = new Array<JsonValue>();
    this.skipWhitespace();
    if (this.pos < this.source.length && this.byteAt(this.pos) == 0x7d) {
      this.pos++;
    } else {
      while (true) {
        this.skipWhitespace();
        if (this.pos >= this.source.length || this.byteAt(this.pos) != 0x22) {
          this.fail("expected a string key");
          return null;
        }
        const key = this.parseString();
        if (key == null) return null;
        this.skipWhitespace();
        if (this.pos >= this.source.length || this.byteAt(this.pos) != 0x3a) {
          this.fail("expected ':'");
          return null;
        }
        this.pos++;
        this.skipWhitespace();
        const item = this.parseValue(depth + 1);
        if (item == null) return null;
        keys.push(decodeJsonString(this.source, key.start, key.end, key.escaped));
        items.push(item);
        this.skipWhitespace();
        if (this.pos >= this.source.length) {
          this.fail("unterminated object");
          return null;
        }
        const c = this.byteAt(this.pos);
        this.pos++;
        if (c == 0x7d) break;
        if (c != 0x2c) {
          this.pos--;
          this.fail("expected ',' or '}'");
          return null;
        }
      }
    }
    const value = new JsonValue(JsonKind.Object, this.source, start, this.pos);
    value.keys = keys;
    value.items = items;
    return value;
  }
}

@inline function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Length of the well-formed UTF-8 sequence at `i` (RFC 3629 table), or 0 when ill-formed. */
function utf8SequenceLength(base: usize, i: i32, n: i32): i32 {
  const b0 = <i32>load<u8>(base + <usize>i);
  let width: i32;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) width = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    width = 3;
    if (b0 == 0xe0) lo = 0xa0;
    if (b0 == 0xed) hi = 0x9f; // no surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    width = 4;
    if (b0 == 0xf0) lo = 0x90;
    if (b0 == 0xf4) hi = 0x8f;
  } else return 0;
  if (i + width > n) return 0;
  const b1 = <i32>load<u8>(base + <usize>(i + 1));
  if (b1 < lo || b1 > hi) return 0;
  for (let k = 2; k < width; k++) {
    const b = <i32>load<u8>(base + <usize>(i + k));
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return width;
}

/** Decodes a validated JSON string token [start, end) (quotes included) into a UTF-16 string. */
function decodeJsonString(source: JsonSource, start: i32, end: i32, escaped: bool): string {
  const base = source.ptr;
  if (!escaped) {
    return String.UTF8.decodeUnsafe(base + <usize>(start + 1), <usize>(end - start - 2));
  }
  // Escapes present: decode segment by segment.
  let out = "";
  const parts = new Array<string>();
  let i = start + 1;
  let segment = i;
  const last = end - 1;
  while (i < last) {
    const c = <i32>load<u8>(base + <usize>i);
    if (c != 0x5c) {
      i++;
      continue;
    }
    if (i > segment) parts.push(String.UTF8.decodeUnsafe(base + <usize>segment, <usize>(i - segment)));
    const e = <i32>load<u8>(base + <usize>(i + 1));
    if (e == 0x75) {
      let code = 0;
      for (let k = 2; k < 6; k++) code = (code << 4) | hexValue(<i32>load<u8>(base + <usize>(i + k)));
      i += 6;
      // A surrogate pair written as two escapes.
      if (code >= 0xd800 && code <= 0xdbff && i + 6 <= last &&
        <i32>load<u8>(base + <usize>i) == 0x5c && <i32>load<u8>(base + <usize>(i + 1)) == 0x75) {
        let low = 0;
        let valid = true;
        for (let k = 2; k < 6; k++) {
          const h = hexValue(<i32>load<u8>(base + <usize>(i + k)));
          if (h < 0) valid = false;
          low = (low << 4) | h;
        }
        if (valid && low >= 0xdc00 && low <= 0xdfff) {
          parts.push(String.fromCharCodes([code, low]));
          i += 6;
          segment = i;
          continue;
        }
      }
      parts.push(String.fromCharCode(code));
    } else {
      let ch = e;
      if (e == 0x62) ch = 0x08;
      else if (e == 0x66) ch = 0x0c;
      else if (e == 0x6e) ch = 0x0a;
      else if (e == 0x72) ch = 0x0d;
      else if (e == 0x74) ch = 0x09;
      parts.push(String.fromCharCode(ch));
      i += 2;
    }
    segment = i;
  }
  if (last > segment) parts.push(String.UTF8.decodeUnsafe(base + <usize>segment, <usize>(last - segment)));
  out = parts.join("");
  return out;
}
