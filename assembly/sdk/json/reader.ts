// A strict JSON reader (RFC 8259) over UTF-8 bytes that never traps.
//
// Why not json-as: json-as 1.6.0 decodes straight into typed classes and, on this machine,
// silently loses the rest of an object after a string value ending in a backslash, and turns wrong
// types into default values instead of errors. An admission policy must see every container and
// must tell "absent" from "wrong type", so every payload is read here first: malformed input is an
// error value, and the typed views (protocol.ts, kubernetes.ts, oci/types.ts) check each type.
//
// How: one pass validates the whole text (syntax, escapes, UTF-8, depth) and records every value
// on a "tape", with no allocation per value. A scalar (null, false, true, number, string) takes
// two u32 words, an array or object four:
//   word 0: kind (bits 0-2) | not-plain string (bit 3: it holds an escape or non-ASCII; a plain
//           string's bytes are its text, printable ASCII) | for a scalar, its length in bytes
//           (quotes included), for a container its item or member count (bits 4-31)
//   word 1: address of the first byte of the value (the quote for strings)
//   word 2 (containers): address just past the value
//   word 3 (containers): address of the tape entry just past the value and everything inside it
//           (its next sibling; a scalar's is the entry two words on)
// Addresses rather than offsets and indices, so that the parser's loop and member lookup need
// neither the text's nor the tape's base in a register. Most values are scalars: two words for
// them keep a request's tape at about a page per 4 KB of text, which is what a fresh instance
// pays for (a page fault per page written).
// An object's members are a key (a string entry) followed by its value. JsonValue is the tape
// entry itself, seen as an object; strings are decoded only when read.

import { uninitializedBuffer, withTextPadding } from "../arena";
import { fail, ok, Result } from "../result";
import { decodeAscii } from "../strings";

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

/**
 * Longer texts are refused: the tape reserved for them (parseJson: up to 8 bytes per byte of
 * text) would pass 512 MiB. policy-server's requests stop at 2 MB (axum's body limit), and
 * manifests and configs at 4 MB in the Docker registry and containers/image
 * (https://pkg.go.dev/github.com/containers/image/v5/internal/iolimits).
 */
export const MAX_TEXT_BYTES: i32 = 64 << 20;

/** A scalar's tape entry: kind and length, start. */
const SCALAR_BYTES: i32 = 8;
/** A container's tape entry: kind and count, start, end, next sibling. */
const CONTAINER_BYTES: i32 = 16;
const NOT_PLAIN: u32 = 8;
const COUNT_SHIFT: u32 = 4;

/**
 * A JSON value: a view on its tape entry that is the entry itself (`changetype<usize>(this)` is the
 * entry's address), so that reading a member or an item allocates nothing. Valid while its text
 * and tape are, that is for the rest of the call (they are in the call's arena, arena.ts). Never
 * allocated with `new`; nothing may read it as an object (no fields, no `instanceof`), and
 * `@unmanaged` keeps a collector (the test harnesses' incremental runtime) from tracing it.
 */
@final @unmanaged
export class JsonValue {
  /** The value whose tape entry is at `entry`. */
  // @ts-ignore: decorator
  @inline static of(entry: usize): JsonValue {
    return changetype<JsonValue>(entry);
  }

  /** address of this value's tape entry */
  // @ts-ignore: decorator
  @inline private get entry(): usize {
    return changetype<usize>(this);
  }
  // @ts-ignore: decorator
  @inline private get head(): u32 {
    return load<u32>(changetype<usize>(this));
  }
  // @ts-ignore: decorator
  @inline get kind(): JsonKind {
    return <JsonKind>(this.head & 7);
  }
  /** address of the first byte of the value (the quote for strings) */
  // @ts-ignore: decorator
  @inline get start(): usize {
    return <usize>load<u32>(changetype<usize>(this), 4);
  }
  /** address just past the value */
  get end(): usize {
    const head = this.head;
    return isContainer(head) ? <usize>load<u32>(changetype<usize>(this), 8) : this.start + this.scalarLength;
  }
  /** for a scalar (not an array or object): its length in bytes, quotes included */
  // @ts-ignore: decorator
  @inline private get scalarLength(): usize {
    return <usize>(this.head >>> COUNT_SHIFT);
  }
  /** address of the entry past this value and everything in it: its next sibling's, if any */
  // @ts-ignore: decorator
  @inline private get after(): usize {
    return afterEntry(changetype<usize>(this));
  }
  /** for strings: true when the raw text holds an escape or non-ASCII (its bytes are not its text) */
  // @ts-ignore: decorator
  @inline get notPlain(): bool {
    return (this.head & NOT_PLAIN) != 0;
  }

  // @ts-ignore: decorator
  @inline get isNull(): bool {
    return this.kind == JsonKind.Null;
  }
  // @ts-ignore: decorator
  @inline get isString(): bool {
    return this.kind == JsonKind.String;
  }
  // @ts-ignore: decorator
  @inline get isArray(): bool {
    return this.kind == JsonKind.Array;
  }
  // @ts-ignore: decorator
  @inline get isObject(): bool {
    return this.kind == JsonKind.Object;
  }
  get isBool(): bool {
    const kind = this.kind;
    return kind == JsonKind.True || kind == JsonKind.False;
  }
  // @ts-ignore: decorator
  @inline get isNumber(): bool {
    return this.kind == JsonKind.Number;
  }

  /** Number of items of an array or members of an object; 0 for anything else. */
  get length(): i32 {
    const kind = this.kind;
    if (kind != JsonKind.Array && kind != JsonKind.Object) return 0;
    return <i32>(this.head >>> COUNT_SHIFT);
  }

  /** The member `key` of an object; null when this is not an object or has no such key. */
  get(key: string): JsonValue | null {
    if (this.kind != JsonKind.Object) return null;
    const n = key.length;
    const chars = changetype<usize>(key);
    const stop = this.after;
    // Last duplicate wins, as in serde_json's Map.
    let found: usize = 0;
    let at = this.entry + CONTAINER_BYTES;
    while (at < stop) {
      const head = load<u32>(at);
      if ((head & NOT_PLAIN) == 0) {
        // A plain member key's bytes are its text, its length (quotes included) in its entry.
        if (<i32>(head >>> COUNT_SHIFT) == n + 2) {
          const start = <usize>load<u32>(at, 4) + 1;
          if (asciiEquals(start, chars, n)) found = at;
        }
      } else if (JsonValue.of(at).decoded() == key) {
        found = at;
      }
      at = afterEntry(at + SCALAR_BYTES);
    }
    return found == 0 ? null : JsonValue.of(found + SCALAR_BYTES);
  }

  /**
   * The first item of an array, or the first member of an object as its key (a string value:
   * `valueOfKey` is the member's value); null when empty or neither.
   */
  first(): JsonValue | null {
    const kind = this.kind;
    if ((kind != JsonKind.Array && kind != JsonKind.Object) || this.head >>> COUNT_SHIFT == 0) return null;
    return JsonValue.of(this.entry + CONTAINER_BYTES);
  }

  /** The item or member key of this array or object that follows `child` (one of them), or null. */
  next(child: JsonValue): JsonValue | null {
    const at = this.kind == JsonKind.Object ? child.valueOfKey().after : child.after;
    return at < this.after ? JsonValue.of(at) : null;
  }

  /** The value of the member whose key is this (a key returned by `first` or `next` of an object). */
  // @ts-ignore: decorator
  @inline valueOfKey(): JsonValue {
    return JsonValue.of(this.entry + SCALAR_BYTES);
  }

  /** Whether this is a string equal to `text` (compared without decoding when possible). */
  equals(text: string): bool {
    if (this.kind != JsonKind.String) return false;
    const start = this.start + 1;
    const length = <i32>this.scalarLength - 2;
    // A plain string's bytes are its text.
    if (!this.notPlain) return length == text.length && asciiEquals(start, changetype<usize>(text), length);
    return this.decoded() == text;
  }

  /** Whether this and `other` are equal strings. */
  sameString(other: JsonValue): bool {
    if (this.kind != JsonKind.String || other.kind != JsonKind.String) return false;
    if (!this.notPlain && !other.notPlain) {
      const length = this.scalarLength;
      return length == other.scalarLength && memory.compare(this.start, other.start, length) == 0;
    }
    return this.decoded() == other.decoded();
  }

  /** The decoded string, or null when this is not a string. */
  str(): string | null {
    if (this.kind != JsonKind.String) return null;
    return this.decoded();
  }

  /** The decoded text of this string value. */
  private decoded(): string {
    const start = this.start;
    return decodeJsonString(start, <i32>this.scalarLength, this.notPlain);
  }

  /** The raw bytes of this value as they appeared in the source. */
  rawText(): string {
    const start = this.start;
    return String.UTF8.decodeUnsafe(start, this.end - start);
  }

  /** Whether this is a number without fraction or exponent that fits in i64 (up to 18 digits). */
  get isInteger(): bool {
    if (this.kind != JsonKind.Number) return false;
    let i = this.start;
    const end = i + this.scalarLength;
    if (load<u8>(i) == 0x2d) i++;
    if (end - i > 18) return false;
    for (; i < end; i++) if (!isDigit(<i32>load<u8>(i))) return false;
    return true;
  }

  /** The value of a number that `isInteger`. */
  integer(): i64 {
    let i = this.start;
    const end = i + this.scalarLength;
    const negative = load<u8>(i) == 0x2d;
    if (negative) i++;
    let value: i64 = 0;
    for (; i < end; i++) value = value * 10 + <i64>(<i32>load<u8>(i) - 0x30);
    return negative ? -value : value;
  }
}

/**
 * Parses `bytes` (a whole JSON text). Never traps: malformed input gives `error`. The values
 * point into `bytes` and the tape made here, both in the call's arena.
 */
export function parseJson(bytes: ArrayBuffer): Result<JsonValue> {
  const length = bytes.byteLength;
  if (length > MAX_TEXT_BYTES) {
    return fail<JsonValue>("JSON text of " + length.toString() + " bytes is longer than " + MAX_TEXT_BYTES.toString());
  }
  const text = withTextPadding(bytes);
  const parser = new Parser(changetype<usize>(text), length);
  // The tape, allocated last for the most entries the text can hold (one per two bytes:
  // `[0,0,…]`), so that the parser never checks for room; the arena gives back the unused end in
  // place (pages never written cost nothing), so the entries' addresses stay as they are.
  // At most 8 bytes of tape per byte of text: a container takes 16 bytes and at least two of
  // text (`[[[…]]]`), a scalar 8 and at least two with its separator (`[0,0,…]`), 8 for one alone.
  const tape = changetype<usize>(uninitializedBuffer((length / 2 + 2) * CONTAINER_BYTES));
  const used = parser.parse(tape);
  __renew(tape, used == 0 ? <usize>CONTAINER_BYTES : used);
  if (used == 0) return fail<JsonValue>(parser.errorText());
  return ok(JsonValue.of(tape));
}

export function parseJsonString(text: string): Result<JsonValue> {
  return parseJson(String.UTF8.encode(text));
}

/**
 * A bit per byte of the 16 at `at` that may end a plain run of string characters: a quote, a
 * backslash, a control character or a non-ASCII byte (signed, both are below 0x20). wasm SIMD
 * (on in wasmtime's and V8's defaults) checks 16 bytes in a handful of instructions.
 */
// @ts-ignore: decorator
@inline function specialBytes(at: usize): i32 {
  const x = v128.load(at);
  const special = v128.or(
    v128.or(i8x16.eq(x, i8x16.splat(0x22)), i8x16.eq(x, i8x16.splat(0x5c))),
    i8x16.lt_s(x, i8x16.splat(0x20)),
  );
  return i8x16.bitmask(special);
}

/**
 * The end (after the closing quote) of the string whose opening quote is at `p`, when it is plain:
 * its first special byte is the closing quote; 0 otherwise (escapes, control characters,
 * non-ASCII, no closing quote: the out-of-line scan, `Parser.string`, looks again). The text's
 * zero padding (arena.ts withTextPadding) is special, so the scan never passes the text's end by
 * more than one 16-byte load.
 */
// @ts-ignore: decorator
@inline function plainStringEnd(p: usize): usize {
  let i = p + 1;
  let special = specialBytes(i);
  while (special == 0) {
    i += 16;
    special = specialBytes(i);
  }
  i += <usize>ctz(special);
  return load<u8>(i) == 0x22 ? i + 1 : 0;
}

/** The tape entry at `at` of a value without children (SCALAR_BYTES): its length in the head. */
// @ts-ignore: decorator
@inline function writeScalar(at: usize, head: u32, start: usize, end: usize): void {
  store<u32>(at, head | (<u32>(end - start) << COUNT_SHIFT));
  store<u32>(at, <u32>start, 4);
}

/**
 * Completes the entry `open` of a container whose closing bracket ends just before `end`: its end
 * and its next sibling's entry (`next`), in place of the entry of the container around it, which
 * it returns (parse keeps it there while `open` is open).
 */
// @ts-ignore: decorator
@inline function close(open: usize, end: usize, next: usize): usize {
  const outer = <usize>load<u32>(open, 12);
  store<u32>(open, <u32>end, 8);
  store<u32>(open, <u32>next, 12);
  return outer;
}

/** Whether the entry whose head word is `head` is an array's or an object's (CONTAINER_BYTES). */
// @ts-ignore: decorator
@inline function isContainer(head: u32): bool {
  return (head & 7) >= <u32>JsonKind.Array;
}

/** The address of the entry after the one at `at` and everything inside it. */
// @ts-ignore: decorator
@inline function afterEntry(at: usize): usize {
  return isContainer(load<u32>(at)) ? <usize>load<u32>(at, 12) : at + <usize>SCALAR_BYTES;
}

/** What the parser found wrong; the text is made only when asked for (errorText). */
const enum Problem {
  None,
  EndOfInput,
  TooDeep,
  UnexpectedCharacter,
  TrailingCharacters,
  UnterminatedObject,
  UnterminatedArray,
  ExpectedCommaOrBrace,
  ExpectedCommaOrBracket,
  ExpectedKey,
  ExpectedColon,
  InvalidLiteral,
  InvalidNumber,
  UnterminatedString,
  InvalidUnicodeEscape,
  InvalidEscape,
  ControlCharacter,
  InvalidUtf8,
}

function problemText(problem: Problem): string {
  switch (problem) {
    case Problem.EndOfInput: return "unexpected end of input";
    case Problem.TooDeep: return "nesting deeper than " + MAX_DEPTH.toString();
    case Problem.UnexpectedCharacter: return "unexpected character";
    case Problem.TrailingCharacters: return "trailing characters after the JSON value";
    case Problem.UnterminatedObject: return "unterminated object";
    case Problem.UnterminatedArray: return "unterminated array";
    case Problem.ExpectedCommaOrBrace: return "expected ',' or '}'";
    case Problem.ExpectedCommaOrBracket: return "expected ',' or ']'";
    case Problem.ExpectedKey: return "expected a string key";
    case Problem.ExpectedColon: return "expected ':'";
    case Problem.InvalidLiteral: return "invalid literal";
    case Problem.InvalidNumber: return "invalid number";
    case Problem.UnterminatedString: return "unterminated string";
    case Problem.InvalidUnicodeEscape: return "invalid \\u escape";
    case Problem.InvalidEscape: return "invalid escape";
    case Problem.ControlCharacter: return "control character in string";
    case Problem.InvalidUtf8: return "invalid UTF-8 in string";
    default: return "invalid JSON";
  }
}

/**
 * The tape builder. Written for what wasmtime's compiler (Cranelift) does with it: the whole
 * document is one loop in one function, the common cases (compact JSON, plain strings, the
 * closing quote within 16 bytes) take no call and enter no inner loop, and everything rarer
 * (white space, escapes, non-ASCII, numbers, errors) is out of line. Under policy-server every
 * function entry and every loop header is an epoch check, and every call spills registers, so
 * this is most of what a validate costs beyond the policy's own work.
 */
class Parser {
  problem: Problem = Problem.None;
  errorPos: i32 = 0;
  /** whether the last string scanned out of line is not plain (an escape, non-ASCII) */
  notPlain: bool = false;

  constructor(
    /** address of the text */
    public base: usize,
    /** its length in bytes */
    public n: i32,
  ) {}

  /** Records the problem at byte `at` (the first one only). */
  failAt(problem: Problem, at: i32): void {
    if (this.problem == Problem.None) {
      this.problem = problem;
      this.errorPos = at;
    }
  }

  /** Records the problem at address `at`; returns 0, parse's failure. */
  fail(problem: Problem, at: usize): usize {
    this.failAt(problem, <i32>(at - this.base));
    return 0;
  }

  errorText(): string {
    return problemText(this.problem) + " at byte " + this.errorPos.toString();
  }

  /**
   * The whole text (one value and nothing but white space around it) onto the tape at `tape`,
   * which has room for every entry the text can hold. Returns the bytes of tape used, or 0.
   * The text ends with zero padding (withTextPadding): the byte at its end reads as 0, which no
   * check below accepts, so most need no test of the position against the end.
   */
  parse(tape: usize): usize {
    const base = this.base;
    const stop = base + <usize>this.n;
    let next = tape; // where the next entry goes
    // The innermost open container's entry (0 at the top level). Its count of values so far is
    // kept in its entry, and the entry of the container around it in its word 3 until it closes
    // (close): the open containers are a list through the tape, no stack of their own.
    let open: usize = 0;
    let depth = 0;
    let wantKey = false;
    let p = pastWhitespace(base, stop);
    // Loop invariant: a value (a member, when wantKey) is expected at `p`, white space skipped.
    while (true) {
      if (wantKey) {
        if (load<u8>(p) != 0x22) return this.fail(Problem.ExpectedKey, p);
        let end = plainStringEnd(p);
        // Its length goes in its entry (writeScalar), for member lookup (`get`) to compare without loads.
        let head = <u32>JsonKind.String;
        if (end == 0) {
          end = this.stringOutOfLine(p);
          if (end == 0) return 0;
          if (this.notPlain) head |= NOT_PLAIN;
        }
        writeScalar(next, head, p, end);
        next += SCALAR_BYTES;
        p = pastWhitespace(end, stop);
        if (load<u8>(p) != 0x3a) return this.fail(Problem.ExpectedColon, p);
        p = pastWhitespace(p + 1, stop);
      }
      const c = <u32>load<u8>(p);
      let head: u32;
      let end: usize;
      if (c == 0x22) {
        // The key's lines above again, on purpose: folded into one inline helper that writes the
        // entry, they cost 0.7 % more instructions per validate (measured with callgrind).
        end = plainStringEnd(p);
        head = <u32>JsonKind.String;
        if (end == 0) {
          end = this.stringOutOfLine(p);
          if (end == 0) return 0;
          if (this.notPlain) head |= NOT_PLAIN;
        }
      } else if (c == 0x7b || c == 0x5b) {
        if (depth >= MAX_DEPTH) return this.fail(Problem.TooDeep, p);
        const object = c == 0x7b;
        store<u32>(next, object ? <u32>JsonKind.Object : <u32>JsonKind.Array);
        store<u32>(next, <u32>p, 4);
        store<u32>(next, <u32>open, 12);
        depth++;
        open = next;
        next += CONTAINER_BYTES;
        p = pastWhitespace(p + 1, stop);
        if (load<u8>(p) != (object ? 0x7d : 0x5d)) {
          wantKey = object;
          continue;
        }
        // An empty container, closed at once.
        end = p + 1;
        open = close(open, end, next);
        depth--;
        head = 0xffffffff; // no entry to write
      } else if (c == 0x74) {
        // "true", "null" and "false" as little-endian words
        if (p + 4 > stop) return this.fail(Problem.EndOfInput, p);
        if (load<u32>(p) != 0x65757274) return this.fail(Problem.InvalidLiteral, p);
        head = <u32>JsonKind.True;
        end = p + 4;
      } else if (c == 0x6e) {
        if (p + 4 > stop) return this.fail(Problem.EndOfInput, p);
        if (load<u32>(p) != 0x6c6c756e) return this.fail(Problem.InvalidLiteral, p);
        head = <u32>JsonKind.Null;
        end = p + 4;
      } else if (c == 0x66) {
        if (p + 5 > stop) return this.fail(Problem.EndOfInput, p);
        if (load<u32>(p, 1) != 0x65736c61) return this.fail(Problem.InvalidLiteral, p);
        head = <u32>JsonKind.False;
        end = p + 5;
      } else if (c == 0x2d || c - 0x30 <= 9) {
        end = this.number(p);
        if (end == 0) return 0;
        head = <u32>JsonKind.Number;
      } else {
        return this.fail(p >= stop ? Problem.EndOfInput : Problem.UnexpectedCharacter, p);
      }
      if (head != 0xffffffff) {
        writeScalar(next, head, p, end);
        next += SCALAR_BYTES;
      }
      p = pastWhitespace(end, stop);
      // A value ended at `p`; find what comes next.
      while (true) {
        if (depth == 0) return p < stop ? this.fail(Problem.TrailingCharacters, p) : next - tape;
        // One more value in the open container.
        const openHead = load<u32>(open);
        store<u32>(open, openHead + (1 << COUNT_SHIFT));
        const isObject = (openHead & 7) == <u32>JsonKind.Object;
        const d = load<u8>(p);
        if (d == 0x2c) {
          p = pastWhitespace(p + 1, stop);
          wantKey = isObject;
          break;
        }
        if (d != (isObject ? 0x7d : 0x5d)) {
          if (p >= stop) return this.fail(isObject ? Problem.UnterminatedObject : Problem.UnterminatedArray, p);
          return this.fail(isObject ? Problem.ExpectedCommaOrBrace : Problem.ExpectedCommaOrBracket, p);
        }
        open = close(open, p + 1, next);
        depth--;
        p = pastWhitespace(p + 1, stop);
      }
    }
    return 0; // not reached: the loop returns
  }

  /** `string` for a string at address `p`: its end address, or 0 (the problem recorded). */
  private stringOutOfLine(p: usize): usize {
    const after = this.string(<i32>(p - this.base));
    return after < 0 ? 0 : this.base + <usize>after;
  }

  /**
   * The end of the number at address `p` (validated), or 0 (the problem recorded). The zero
   * padding after the text ends every digit run.
   */
  number(p: usize): usize {
    let i = p;
    if (load<u8>(i) == 0x2d) i++;
    const c = <i32>load<u8>(i);
    if (c == 0x30) {
      i++;
    } else if (c >= 0x31 && c <= 0x39) {
      i = pastDigits(i + 1);
    } else {
      return this.fail(Problem.InvalidNumber, i);
    }
    if (load<u8>(i) == 0x2e) {
      const fraction = i + 1;
      i = pastDigits(fraction);
      if (i == fraction) return this.fail(Problem.InvalidNumber, i);
    }
    const e = <i32>load<u8>(i);
    if (e == 0x65 || e == 0x45) {
      i++;
      const sign = <i32>load<u8>(i);
      if (sign == 0x2b || sign == 0x2d) i++;
      const exponent = i;
      i = pastDigits(exponent);
      if (i == exponent) return this.fail(Problem.InvalidNumber, i);
    }
    return i;
  }

  /**
   * Validates the string at `start` (escapes, control characters, UTF-8): the end after its
   * closing quote, or -1. Sets `notPlain`.
   */
  string(start: i32): i32 {
    const n = this.n;
    const base = this.base;
    let i = start + 1;
    let notPlain = false;
    while (true) {
      // Sixteen plain ASCII bytes at a time, then straight to the first byte that needs a look.
      while (i + 16 <= n) {
        const special = specialBytes(base + <usize>i);
        if (special == 0) {
          i += 16;
          continue;
        }
        i += ctz(special);
        break;
      }
      if (i >= n) {
        this.failAt(Problem.UnterminatedString, i);
        return -1;
      }
      const c = <i32>load<u8>(base + <usize>i);
      if (c == 0x22) break;
      if (c == 0x5c) {
        notPlain = true;
        if (i + 1 >= n) {
          this.failAt(Problem.UnterminatedString, i);
          return -1;
        }
        const e = <i32>load<u8>(base + <usize>(i + 1));
        if (e == 0x75) {
          if (i + 6 > n) {
            this.failAt(Problem.InvalidUnicodeEscape, i);
            return -1;
          }
          for (let k = 2; k < 6; k++) {
            if (hexValue(<i32>load<u8>(base + <usize>(i + k))) < 0) {
              this.failAt(Problem.InvalidUnicodeEscape, i);
              return -1;
            }
          }
          i += 6;
        } else if (
          e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 ||
          e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74
        ) {
          i += 2;
        } else {
          this.failAt(Problem.InvalidEscape, i);
          return -1;
        }
      } else if (c < 0x20) {
        this.failAt(Problem.ControlCharacter, i);
        return -1;
      } else if (c < 0x80) {
        i++;
      } else {
        notPlain = true;
        const width = utf8SequenceLength(base, i, n);
        if (width == 0) {
          this.failAt(Problem.InvalidUtf8, i);
          return -1;
        }
        i += width;
      }
    }
    this.notPlain = notPlain;
    return i + 1;
  }
}

/**
 * The first address from `p` that is not JSON white space (or `stop`): inline when there is none,
 * as in compact JSON; the scanning loop (skipWhitespace) is entered only when there is some. The
 * zero padding at `stop` is not white space.
 */
// @ts-ignore: decorator
@inline function pastWhitespace(p: usize, stop: usize): usize {
  if (load<u8>(p) <= 0x20) p = skipWhitespace(p, stop);
  return p;
}

/** The first address from `p` that is not a digit (the padding after the text is not one). */
function pastDigits(p: usize): usize {
  while (isDigit(<i32>load<u8>(p))) p++;
  return p;
}

/** The first address from `p` that is not JSON white space (or `stop`). */
function skipWhitespace(p: usize, stop: usize): usize {
  while (p < stop) {
    const c = load<u8>(p);
    if (c > 0x20 || (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09)) break;
    p++;
  }
  return p;
}

/**
 * Whether the `n` bytes at `bytes`, those of a plain string (ASCII: see NOT_PLAIN), equal the `n`
 * UTF-16 code units at `chars`. Up to 16 in two compares, inline: the loads may read past the ends
 * of both (into the text's padding, withTextPadding, and the arena's LOAD_SLACK), and only the
 * first `n` lanes count.
 */
// @ts-ignore: decorator
@inline function asciiEquals(bytes: usize, chars: usize, n: i32): bool {
  if (n > 16) return longAsciiEquals(bytes, chars, n);
  // Up to 16 units: a bit per unit that matches, the second eight's above the first eight's.
  let same = i16x8.bitmask(i16x8.eq(v128.load8x8_u(bytes), v128.load(chars)));
  if (n > 8) same |= i16x8.bitmask(i16x8.eq(v128.load8x8_u(bytes + 8), v128.load(chars + 16))) << 8;
  const lanes = (1 << n) - 1;
  return (same & lanes) == lanes;
}

/** asciiEquals for more than 16: eight at a time, the last eight overlapping the ones before. */
function longAsciiEquals(bytes: usize, chars: usize, n: i32): bool {
  for (let i = 0; ; i += 8) {
    if (i > n - 8) i = n - 8;
    const wide = v128.load8x8_u(bytes + <usize>i);
    if (!v128.all_true<i16>(i16x8.eq(wide, v128.load(chars + (<usize>i << 1))))) return false;
    if (i == n - 8) return true;
  }
  return false; // not reached
}

// @ts-ignore: decorator
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

/**
 * Decodes a validated JSON string token of `length` bytes at `token` (quotes included) into a
 * UTF-16 string: a plain one (printable ASCII) by widening its bytes, any other in two passes
 * (length, then characters) and one allocation. A surrogate pair written as two escapes is simply
 * two code units; a lone surrogate escape stays a lone code unit (the writer turns it into U+FFFD
 * on the way out).
 */
function decodeJsonString(token: usize, length: i32, notPlain: bool): string {
  if (!notPlain) return decodeAscii(token + 1, length - 2);
  const base = token;
  const last = length - 1;
  // Pass 1: the number of UTF-16 code units.
  let units = 0;
  let i = 1;
  while (i < last) {
    const c = <i32>load<u8>(base + <usize>i);
    if (c == 0x5c) {
      i += load<u8>(base + <usize>(i + 1)) == 0x75 ? 6 : 2;
      units++;
    } else if (c < 0x80) {
      i++;
      units++;
    } else if (c < 0xe0) {
      i += 2;
      units++;
    } else if (c < 0xf0) {
      i += 3;
      units++;
    } else {
      i += 4;
      units += 2;
    }
  }
  // Pass 2: the code units.
  const out = changetype<string>(__new(<usize>units << 1, idof<string>()));
  let o = changetype<usize>(out);
  i = 1;
  while (i < last) {
    const c = <u32>load<u8>(base + <usize>i);
    if (c == 0x5c) {
      const e = <u32>load<u8>(base + <usize>(i + 1));
      let unit: u32 = e;
      if (e == 0x75) {
        unit = 0;
        for (let k = 2; k < 6; k++) unit = (unit << 4) | <u32>hexValue(<i32>load<u8>(base + <usize>(i + k)));
        i += 6;
      } else {
        if (e == 0x62) unit = 0x08;
        else if (e == 0x66) unit = 0x0c;
        else if (e == 0x6e) unit = 0x0a;
        else if (e == 0x72) unit = 0x0d;
        else if (e == 0x74) unit = 0x09;
        i += 2;
      }
      store<u16>(o, unit);
      o += 2;
    } else if (c < 0x80) {
      store<u16>(o, c);
      o += 2;
      i++;
    } else if (c < 0xe0) {
      store<u16>(o, ((c & 0x1f) << 6) | (<u32>load<u8>(base + <usize>(i + 1)) & 0x3f));
      o += 2;
      i += 2;
    } else if (c < 0xf0) {
      store<u16>(o, ((c & 0x0f) << 12) | ((<u32>load<u8>(base + <usize>(i + 1)) & 0x3f) << 6) | (<u32>load<u8>(base + <usize>(i + 2)) & 0x3f));
      o += 2;
      i += 3;
    } else {
      const cp = (((c & 0x07) << 18) | ((<u32>load<u8>(base + <usize>(i + 1)) & 0x3f) << 12) |
        ((<u32>load<u8>(base + <usize>(i + 2)) & 0x3f) << 6) | (<u32>load<u8>(base + <usize>(i + 3)) & 0x3f)) - 0x10000;
      store<u16>(o, 0xd800 | (cp >> 10));
      store<u16>(o, 0xdc00 | (cp & 0x3ff), 2);
      o += 4;
      i += 4;
    }
  }
  return out;
}
