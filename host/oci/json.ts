// A JSON reader and writer that behave like serde_json, which is what the real host uses to parse
// registry bodies and to serialise its replies:
// - numbers keep serde_json's three kinds (u64, i64, f64), so integers beyond 2^53 survive and a
//   float prints the way Rust's ryu prints it ("1.0", "1e30", "-0.0");
// - `serialiseValue` writes a serde_json::Value, whose maps are BTreeMaps: keys sorted by their
//   UTF-8 bytes, recursively (serde_json is built without `preserve_order` in Kubewarden);
// - error messages follow serde_json's wording ("expected value at line 1 column 1").

export type JsonNumber =
  | { readonly type: "u64"; readonly value: bigint }
  | { readonly type: "i64"; readonly value: bigint }
  | { readonly type: "f64"; readonly value: number };

export type JsonValue =
  | { readonly kind: "null" }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "number"; readonly value: JsonNumber }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "array"; readonly items: readonly JsonValue[] }
  | { readonly kind: "object"; readonly entries: ReadonlyMap<string, JsonValue> };

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line} column ${column}`);
    this.name = "JsonSyntaxError";
  }
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN_MAGNITUDE = 1n << 63n;
const RECURSION_LIMIT = 128;

/** Parses UTF-8 bytes; invalid UTF-8 is reported like serde_json::from_slice does. */
export function parseJsonBytes(bytes: Uint8Array): JsonValue {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new JsonSyntaxError("invalid unicode code point", 1, 1);
  }
  return parseJson(text);
}

export function parseJson(text: string): JsonValue {
  return new Parser(text).parseDocument();
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  parseDocument(): JsonValue {
    this.skipWhitespace();
    const value = this.parseValue();
    this.skipWhitespace();
    if (this.pos < this.text.length) throw this.error("trailing characters");
    return value;
  }

  private error(reason: string, at: number = this.pos): JsonSyntaxError {
    let line = 1;
    let column = 0;
    const end = Math.min(at, this.text.length);
    for (let i = 0; i < end; i++) {
      if (this.text.charCodeAt(i) === 0x0a) {
        line++;
        column = 0;
      } else {
        column++;
      }
    }
    // serde_json reports the column of the offending character (1-based) or, at EOF, the last one.
    return new JsonSyntaxError(reason, line, at < this.text.length ? column + 1 : column);
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  private parseValue(): JsonValue {
    if (this.pos >= this.text.length) throw this.error("EOF while parsing a value");
    const c = this.text[this.pos];
    switch (c) {
      case "n":
        return this.parseIdent("null", { kind: "null" });
      case "t":
        return this.parseIdent("true", { kind: "bool", value: true });
      case "f":
        return this.parseIdent("false", { kind: "bool", value: false });
      case '"':
        return { kind: "string", value: this.parseString() };
      case "[":
        return this.parseArray();
      case "{":
        return this.parseObject();
      default:
        if (c === "-" || (c >= "0" && c <= "9")) return { kind: "number", value: this.parseNumber() };
        throw this.error("expected value");
    }
  }

  private parseIdent(word: string, value: JsonValue): JsonValue {
    for (let i = 0; i < word.length; i++) {
      if (this.pos >= this.text.length) throw this.error("EOF while parsing a value");
      if (this.text[this.pos] !== word[i]) throw this.error("expected ident");
      this.pos++;
    }
    return value;
  }

  private enter(): void {
    if (++this.depth > RECURSION_LIMIT) throw this.error("recursion limit exceeded");
  }

  private parseArray(): JsonValue {
    const items: JsonValue[] = [];
    this.parseContainer("]", "EOF while parsing a list", () => {
      items.push(this.parseValue());
    });
    return { kind: "array", items };
  }

  private parseObject(): JsonValue {
    const entries = new Map<string, JsonValue>();
    const eof = "EOF while parsing an object";
    this.parseContainer("}", eof, () => {
      if (this.pos >= this.text.length) throw this.error(eof);
      if (this.text[this.pos] !== '"') throw this.error("key must be a string");
      const key = this.parseString();
      this.skipWhitespace();
      if (this.pos >= this.text.length) throw this.error(eof);
      if (this.text[this.pos] !== ":") throw this.error("expected `:`");
      this.pos++;
      this.skipWhitespace();
      // Like serde_json::Map, a repeated key keeps the last value.
      entries.set(key, this.parseValue());
    });
    return { kind: "object", entries };
  }

  /**
   * Reads a list or an object from its opening bracket to `close`: the items separated by commas,
   * each read by `parseItem`, with no trailing comma; `eofMessage` when the text ends before `close`.
   */
  private parseContainer(close: "]" | "}", eofMessage: string, parseItem: () => void): void {
    this.enter();
    this.pos++; // [ or {
    this.skipWhitespace();
    if (this.text[this.pos] === close) {
      this.pos++;
      this.depth--;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      parseItem();
      this.skipWhitespace();
      if (this.pos >= this.text.length) throw this.error(eofMessage);
      const c = this.text[this.pos++];
      if (c === close) break;
      if (c !== ",") throw this.error(`expected \`,\` or \`${close}\``, this.pos - 1);
      this.skipWhitespace();
      if (this.text[this.pos] === close) throw this.error("trailing comma");
    }
    this.depth--;
  }

  private parseString(): string {
    this.pos++; // opening quote
    let out = "";
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= this.text.length) throw this.error("EOF while parsing a string");
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22) {
        out += this.text.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (code < 0x20) throw this.error("control character (\\u0000-\\u001F) found while parsing a string");
      if (code === 0x5c) {
        out += this.text.slice(runStart, this.pos);
        this.pos++;
        out += this.parseEscape();
        runStart = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private parseEscape(): string {
    if (this.pos >= this.text.length) throw this.error("EOF while parsing a string");
    const c = this.text[this.pos++];
    switch (c) {
      case '"':
        return '"';
      case "\\":
        return "\\";
      case "/":
        return "/";
      case "b":
        return "\b";
      case "f":
        return "\f";
      case "n":
        return "\n";
      case "r":
        return "\r";
      case "t":
        return "\t";
      case "u": {
        const first = this.parseHex4();
        if (first >= 0xdc00 && first <= 0xdfff) throw this.error("lone leading surrogate in hex escape");
        if (first < 0xd800 || first > 0xdbff) return String.fromCharCode(first);
        if (this.text[this.pos] !== "\\" || this.text[this.pos + 1] !== "u") {
          throw this.error("unexpected end of hex escape");
        }
        this.pos += 2;
        const second = this.parseHex4();
        if (second < 0xdc00 || second > 0xdfff) throw this.error("lone leading surrogate in hex escape");
        return String.fromCharCode(first, second);
      }
      default:
        throw this.error("invalid escape", this.pos - 1);
    }
  }

  private parseHex4(): number {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      if (this.pos >= this.text.length) throw this.error("EOF while parsing a string");
      const digit = parseInt(this.text[this.pos], 16);
      if (Number.isNaN(digit)) throw this.error("invalid escape");
      value = value * 16 + digit;
      this.pos++;
    }
    return value;
  }

  private parseNumber(): JsonNumber {
    const start = this.pos;
    const negative = this.text[this.pos] === "-";
    if (negative) this.pos++;
    const intStart = this.pos;
    if (this.pos >= this.text.length) throw this.error("EOF while parsing a value");
    if (this.text[this.pos] === "0") {
      this.pos++;
      if (isDigit(this.text[this.pos])) throw this.error("invalid number");
    } else if (isDigit(this.text[this.pos])) {
      while (isDigit(this.text[this.pos])) this.pos++;
    } else {
      throw this.error("invalid number");
    }
    const intDigits = this.text.slice(intStart, this.pos);
    let isFloat = false;
    if (this.text[this.pos] === ".") {
      isFloat = true;
      this.pos++;
      if (!isDigit(this.text[this.pos])) {
        throw this.error(this.pos >= this.text.length ? "EOF while parsing a value" : "invalid number");
      }
      while (isDigit(this.text[this.pos])) this.pos++;
    }
    if (this.text[this.pos] === "e" || this.text[this.pos] === "E") {
      isFloat = true;
      this.pos++;
      if (this.text[this.pos] === "+" || this.text[this.pos] === "-") this.pos++;
      if (!isDigit(this.text[this.pos])) {
        throw this.error(this.pos >= this.text.length ? "EOF while parsing a value" : "invalid number");
      }
      while (isDigit(this.text[this.pos])) this.pos++;
    }
    const raw = this.text.slice(start, this.pos);
    if (!isFloat) {
      const magnitude = BigInt(intDigits);
      if (!negative && magnitude <= U64_MAX) return { type: "u64", value: magnitude };
      // serde_json: `-0` and negatives beyond i64::MIN become floats.
      if (negative && magnitude !== 0n && magnitude <= I64_MIN_MAGNITUDE) return { type: "i64", value: -magnitude };
    }
    const value = Number(raw);
    if (!Number.isFinite(value)) throw this.error("number out of range", start);
    return { type: "f64", value };
  }
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** Orders strings like Rust's `String: Ord` (UTF-8 bytes, i.e. code points). */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done === true) return cb.done === true ? 0 : -1;
    if (cb.done === true) return 1;
    const pa = ca.value.codePointAt(0) ?? 0;
    const pb = cb.value.codePointAt(0) ?? 0;
    if (pa !== pb) return pa < pb ? -1 : 1;
  }
}

/** A JSON string literal; JSON.stringify escapes exactly what serde_json escapes. */
export function jsonString(value: string): string {
  return JSON.stringify(value);
}

/** Formats an f64 the way serde_json does (ryu's shortest round-trip form; non-finite → null). */
export function formatF64(x: number): string {
  if (!Number.isFinite(x)) return "null";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mantissa, exponentText] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const length = digits.length;
  const kk = parseInt(exponentText, 10) + 1; // 10^(kk-1) <= |x| < 10^kk
  const k = kk - length;
  if (k >= 0 && kk <= 16) return `${sign}${digits}${"0".repeat(k)}.0`;
  if (kk > 0 && kk <= 16) return `${sign}${digits.slice(0, kk)}.${digits.slice(kk)}`;
  if (kk > -5 && kk <= 0) return `${sign}0.${"0".repeat(-kk)}${digits}`;
  if (length === 1) return `${sign}${digits}e${kk - 1}`;
  return `${sign}${digits[0]}.${digits.slice(1)}e${kk - 1}`;
}

export function formatNumber(n: JsonNumber): string {
  return n.type === "f64" ? formatF64(n.value) : n.value.toString();
}

/** Serialises like serde_json::to_vec(&Value): compact, object keys sorted recursively. */
export function serialiseValue(value: JsonValue): string {
  switch (value.kind) {
    case "null":
      return "null";
    case "bool":
      return value.value ? "true" : "false";
    case "number":
      return formatNumber(value.value);
    case "string":
      return jsonString(value.value);
    case "array":
      return `[${value.items.map(serialiseValue).join(",")}]`;
    case "object": {
      const keys = [...value.entries.keys()].sort(compareKeys);
      return `{${keys.map((k) => `${jsonString(k)}:${serialiseValue(value.entries.get(k) as JsonValue)}`).join(",")}}`;
    }
  }
}

/** serde's name for a JSON value's type, as used in "invalid type: …" messages. */
export function describeJsonType(value: JsonValue): string {
  switch (value.kind) {
    case "null":
      return "null";
    case "bool":
      return `boolean \`${value.value}\``;
    case "number":
      if (value.value.type === "f64") return `floating point \`${formatF64(value.value.value)}\``;
      return `integer \`${value.value.value}\``;
    case "string":
      return `string ${jsonString(value.value)}`;
    case "array":
      return "sequence";
    case "object":
      return "map";
  }
}
