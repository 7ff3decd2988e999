// A small JSON writer producing UTF-8 bytes directly.
//
// Invariant: the output is always valid UTF-8 and valid JSON, whatever the strings hold. Lone
// surrogates (possible in AssemblyScript strings, e.g. from a "\ud800" escape in the input) are
// written as U+FFFD: the real host decodes replies with serde_json and refuses invalid UTF-8.

import { uninitializedBuffer } from "../arena";
import { decodeUtf8 } from "../strings";
import { heapSort } from "../sort";

export class JsonWriter {
  private buffer: ArrayBuffer;
  private length: i32 = 0;
  /** per nesting level: whether the next member needs a leading comma */
  private needsComma: Array<bool> = [false];

  constructor(capacity: i32 = 256) {
    this.buffer = uninitializedBuffer(capacity);
  }

  private reserve(extra: i32): void {
    const needed = this.length + extra;
    const capacity = this.buffer.byteLength;
    if (needed <= capacity) return;
    let next = capacity << 1;
    while (next < needed) next <<= 1;
    // In place when the buffer is the arena's last block (arena.ts arenaRealloc), else a copy.
    this.buffer = changetype<ArrayBuffer>(__renew(changetype<usize>(this.buffer), <usize>next));
  }

  @inline private byte(b: i32): void {
    this.reserve(1);
    store<u8>(changetype<usize>(this.buffer) + <usize>this.length, <u8>b);
    this.length++;
  }

  private ascii(text: string): void {
    const n = text.length;
    this.reserve(n);
    const base = changetype<usize>(this.buffer) + <usize>this.length;
    for (let i = 0; i < n; i++) store<u8>(base + <usize>i, <u8>text.charCodeAt(i));
    this.length += n;
  }

  private separator(): void {
    const top = this.needsComma.length - 1;
    if (unchecked(this.needsComma[top])) this.byte(0x2c);
    else unchecked((this.needsComma[top] = true));
  }

  /** Opens a container with `bracket` ("{" or "["). */
  private open(bracket: u8): JsonWriter {
    this.valueStart();
    this.byte(bracket);
    this.needsComma.push(false);
    return this;
  }

  /** Closes a container with `bracket` ("}" or "]"). */
  private close(bracket: u8): JsonWriter {
    if (this.needsComma.length > 1) this.needsComma.pop();
    this.byte(bracket);
    return this;
  }

  beginObject(): JsonWriter {
    return this.open(0x7b);
  }

  endObject(): JsonWriter {
    return this.close(0x7d);
  }

  beginArray(): JsonWriter {
    return this.open(0x5b);
  }

  endArray(): JsonWriter {
    return this.close(0x5d);
  }

  /** Writes member `name` with string `value`, or nothing when `value` is null. */
  optionalString(name: string, value: string | null): JsonWriter {
    if (value != null) this.key(name).string(value);
    return this;
  }

  /** Writes `"key":`; the value written next does not get a comma of its own. */
  key(name: string): JsonWriter {
    this.separator();
    this.stringBody(name);
    this.byte(0x3a);
    const top = this.needsComma.length - 1;
    unchecked((this.needsComma[top] = false));
    this.pendingValueAfterKey = true;
    return this;
  }

  private pendingValueAfterKey: bool = false;

  private valueStart(): void {
    if (this.pendingValueAfterKey) {
      this.pendingValueAfterKey = false;
      const top = this.needsComma.length - 1;
      unchecked((this.needsComma[top] = true));
    } else {
      this.separator();
    }
  }

  string(value: string): JsonWriter {
    this.valueStart();
    this.stringBody(value);
    return this;
  }

  bool(value: bool): JsonWriter {
    this.valueStart();
    this.ascii(value ? "true" : "false");
    return this;
  }

  integer(value: i64): JsonWriter {
    this.valueStart();
    // Decimal digits written directly (i64#toString pulls in every radix and its digit tables).
    this.reserve(20);
    if (value < 0) this.byte(0x2d);
    let u: u64 = value < 0 ? <u64>0 - <u64>value : <u64>value;
    let n = 1;
    for (let t = u; t >= 10; t /= 10) n++;
    const base = changetype<usize>(this.buffer) + <usize>this.length;
    for (let i = n - 1; i >= 0; i--) {
      store<u8>(base + <usize>i, <u8>(0x30 + <i32>(u % 10)));
      u /= 10;
    }
    this.length += n;
    return this;
  }

  null(): JsonWriter {
    this.valueStart();
    this.ascii("null");
    return this;
  }

  /**
   * Writes `map` as an object with its keys in ascending UTF-16 code-unit order (the order
   * JavaScript's default sort gives), whatever order they were set in; a null value is written as null.
   */
  sortedObject<T>(map: Map<string, T>): JsonWriter {
    const keys = map.keys();
    heapSort<string>(keys, (a: string, b: string): bool => a < b);
    this.beginObject();
    for (let i = 0; i < keys.length; i++) {
      const value = map.get(keys[i]);
      this.key(keys[i]);
      if (isNullable<T>() && value == null) this.null();
      else this.string(changetype<string>(value));
    }
    return this.endObject();
  }

  /** Writes already-serialised JSON (the caller guarantees it is valid UTF-8 JSON). */
  raw(json: string): JsonWriter {
    this.valueStart();
    const bytes = String.UTF8.encode(json, false, String.UTF8.ErrorMode.REPLACE);
    const n = bytes.byteLength;
    this.reserve(n);
    memory.copy(changetype<usize>(this.buffer) + <usize>this.length, changetype<usize>(bytes), <usize>n);
    this.length += n;
    return this;
  }

  private stringBody(value: string): void {
    const n = value.length;
    // Room for every code unit as three bytes (UTF-8's most per unit; a surrogate pair's four
    // bytes are two units') and the quotes, so that the loop below writes through a pointer; a
    // control character's six-byte escape makes room for itself.
    this.reserve(n * 3 + 2);
    const chars = changetype<usize>(value);
    let out = changetype<usize>(this.buffer) + <usize>this.length;
    store<u8>(out++, 0x22);
    let i = 0;
    while (i < n) {
      // Eight code units at a time while they are plain ASCII (no quote, backslash or control).
      if (i + 8 <= n) {
        const units = v128.load(chars + (<usize>i << 1));
        const plain = v128.and(
          i16x8.ge_u(units, i16x8.splat(0x20)),
          v128.and(i16x8.lt_u(units, i16x8.splat(0x80)),
            v128.and(i16x8.ne(units, i16x8.splat(0x22)), i16x8.ne(units, i16x8.splat(0x5c)))),
        );
        if (i16x8.all_true(plain)) {
          v128.store64_lane(out, i8x16.narrow_i16x8_u(units, units), 0);
          out += 8;
          i += 8;
          continue;
        }
      }
      const c = <i32>load<u16>(chars + (<usize>i << 1));
      i++;
      if (c < 0x80) {
        if (c == 0x22 || c == 0x5c) {
          store<u16>(out, 0x5c | (c << 8));
          out += 2;
        } else if (c >= 0x20) {
          store<u8>(out++, <u8>c);
        } else if (c == 0x0a || c == 0x0d || c == 0x09) {
          store<u16>(out, 0x5c | ((c == 0x0a ? 0x6e : c == 0x0d ? 0x72 : 0x74) << 8));
          out += 2;
        } else {
          const at = <i32>(out - changetype<usize>(this.buffer));
          this.length = at;
          this.reserve(6 + (n - i) * 3 + 1);
          out = changetype<usize>(this.buffer) + <usize>at;
          store<u32>(out, 0x3030755c); // "\u00"
          store<u8>(out, <u8>hexDigit(c >> 4), 4);
          store<u8>(out, <u8>hexDigit(c & 0xf), 5);
          out += 6;
        }
      } else if (c < 0x800) {
        store<u8>(out, <u8>(0xc0 | (c >> 6)));
        store<u8>(out, <u8>(0x80 | (c & 0x3f)), 1);
        out += 2;
      } else if (c >= 0xd800 && c <= 0xdbff && i < n && isLowSurrogate(<i32>load<u16>(chars + (<usize>i << 1)))) {
        const cp = 0x10000 + (((c - 0xd800) << 10) | (<i32>load<u16>(chars + (<usize>i << 1)) - 0xdc00));
        i++;
        store<u8>(out, <u8>(0xf0 | (cp >> 18)));
        store<u8>(out, <u8>(0x80 | ((cp >> 12) & 0x3f)), 1);
        store<u8>(out, <u8>(0x80 | ((cp >> 6) & 0x3f)), 2);
        store<u8>(out, <u8>(0x80 | (cp & 0x3f)), 3);
        out += 4;
      } else {
        // Lone surrogates become U+FFFD.
        const cp = c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
        store<u8>(out, <u8>(0xe0 | (cp >> 12)));
        store<u8>(out, <u8>(0x80 | ((cp >> 6) & 0x3f)), 1);
        store<u8>(out, <u8>(0x80 | (cp & 0x3f)), 2);
        out += 3;
      }
    }
    store<u8>(out++, 0x22);
    this.length = <i32>(out - changetype<usize>(this.buffer));
  }

  /**
   * The bytes written so far, as the writer's own buffer cut to their length (the arena gives
   * the rest back when the buffer is its last block): the writer is done with.
   */
  toBytes(): ArrayBuffer {
    const bytes = changetype<ArrayBuffer>(__renew(changetype<usize>(this.buffer), <usize>this.length));
    this.buffer = uninitializedBuffer(0);
    this.length = 0;
    return bytes;
  }

  toString(): string {
    return decodeUtf8(changetype<usize>(this.buffer), this.length);
  }
}

@inline function isLowSurrogate(c: i32): bool {
  return c >= 0xdc00 && c <= 0xdfff;
}

@inline function hexDigit(v: i32): i32 {
  return v < 10 ? 0x30 + v : 0x57 + v;
}

/** `value` as a JSON string literal. */
export function jsonString(value: string): string {
  const w = new JsonWriter(value.length + 8);
  w.string(value);
  return w.toString();
}

/** `value` as a JSON string literal, in UTF-8 bytes (a host-call payload). */
export function jsonStringBytes(value: string): ArrayBuffer {
  const w = new JsonWriter(value.length + 8);
  w.string(value);
  return w.toBytes();
}
