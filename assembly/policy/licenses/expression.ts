// SPDX license expression parser (SPDX 2.3 Annex D / SPDX 3.0.1 "SPDX license expressions").
//
// Grammar accepted:
//   expression := and-expr ( OR and-expr )*
//   and-expr   := with-expr ( AND with-expr )*
//   with-expr  := "(" expression ")" | simple [ WITH addition ]
//   simple     := license-id [ "+" ] | license-ref | NONE | NOASSERTION
//   addition   := license-exception-id | addition-ref
//   license-ref  := [ "DocumentRef-" idstring ":" ] "LicenseRef-" idstring
//   addition-ref := [ "DocumentRef-" idstring ":" ] "AdditionRef-" idstring
//   idstring   := 1*( ALPHA / DIGIT / "-" / "." )
// Precedence: "+" > WITH > AND > OR. Operators are AND/OR/WITH all upper or all lower case.
// Only U+0020 separates tokens; WITH needs a space on both sides; AND and OR need a space or a
// parenthesis on both sides (so "(MIT)AND(Apache-2.0)" is accepted, as in SPDX 2.3 and 3.0.1).
// License and exception ids are case-insensitive and canonicalised to the list's spelling; the
// prefixes LicenseRef-, DocumentRef-, AdditionRef- are case-sensitive (SPDX 3.0.1).
// Unknown license ids are kept (kind Unknown) so evaluation can name them; an unknown exception id
// after WITH is a parse error, as is a license id after WITH or an exception id in license position.
// NONE and NOASSERTION (exact upper case) parse as a Special leaf that evaluation always rejects.
// Errors are values with 1-based columns (counted in UTF-16 code units); nothing here throws,
// aborts or indexes out of range. Nesting of parentheses is limited to MAX_DEPTH.

import {
  findLicense, findException, licenseId, exceptionId, startsWithExact, startsWithIgnoreCase,
} from "./table";
import { joinStrings } from "../../sdk/strings";
import { fail, ok, Result } from "../../sdk/result";

/** Node kinds, numbered from 0 in this order. */
export enum Kind {
  /** a license id on the SPDX list (index set) */
  License,
  /** a license id not on the list (text as written) */
  Unknown,
  /** LicenseRef-… or DocumentRef-…:LicenseRef-… */
  Ref,
  /** NONE or NOASSERTION */
  Special,
  /** an exception id on the SPDX list (index set) */
  Exception,
  /** AdditionRef-… or DocumentRef-…:AdditionRef-… */
  AdditionRef,
  /** children[0] WITH children[1] */
  With,
  And,
  Or,
}

export class Node {
  kind: Kind;
  /** canonical text of a leaf (without "+") */
  text: string;
  /** list index for License / Exception, else -1 */
  index: i32 = -1;
  /** "id+" */
  plus: bool = false;
  /** 1-based column of the leaf or operator */
  column: i32 = 0;
  children: Node[] = [];

  constructor(kind: Kind, text: string, index: i32, column: i32) {
    this.kind = kind;
    this.text = text;
    this.index = index;
    this.column = column;
  }
}

export const MAX_DEPTH: i32 = 64;
/** Longest token text echoed in an error message. */
const MAX_ECHO: i32 = 64;

const T_WORD: i32 = 0;
const T_LPAREN: i32 = 1;
const T_RPAREN: i32 = 2;
const T_PLUS: i32 = 3;
const T_AND: i32 = 4;
const T_OR: i32 = 5;
const T_WITH: i32 = 6;
const T_END: i32 = 7;
const T_ERROR: i32 = 8;

// Reference classification results.
const REF_NONE: i32 = 0;
const REF_LICENSE: i32 = 1;
const REF_ADDITION: i32 = 2;
const REF_INVALID: i32 = 3;

export function isIdChar(c: i32): bool {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 46;
}

function hex4(c: i32): string {
  const digits = "0123456789ABCDEF";
  let out = "";
  for (let shift = 12; shift >= 0; shift -= 4) {
    const d = (c >> shift) & 15;
    out += digits.charAt(d);
  }
  return out;
}

/** A printable description of one character for error messages: `"/"` or `U+0009`. */
function describeChar(c: i32): string {
  if (c > 32 && c < 127) return "\"" + String.fromCharCode(c) + "\"";
  if (c == 32) return "\" \"";
  return "U+" + hex4(c);
}

function isSpaceLike(c: i32): bool {
  return (c >= 9 && c <= 13) || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000 || c == 0xfeff;
}

/** Whether a token character next to an operator needs a space in between. */
function glued(c: i32, withOp: bool): bool {
  return c == 43 || (withOp && (c == 40 || c == 41));
}

function col(pos: i32): string {
  return (pos + 1).toString();
}

class Parser {
  s: string;
  kinds: i32[] = [];
  starts: i32[] = [];
  ends: i32[] = [];
  lexError: string = "";
  pos: i32 = 0;
  depth: i32 = 0;
  error: string = "";

  constructor(s: string) {
    this.s = s;
    this.lex();
  }

  // ---- lexer ----

  push(kind: i32, start: i32, end: i32): void {
    this.kinds.push(kind);
    this.starts.push(start);
    this.ends.push(end);
  }

  /** Tokenises the whole input, stopping at the first lexical error (kept as a T_ERROR token). */
  lex(): void {
    const s = this.s;
    const n = s.length;
    let i = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c == 32) { i++; continue; }
      if (c == 40) { this.push(T_LPAREN, i, i + 1); i++; continue; }
      if (c == 41) { this.push(T_RPAREN, i, i + 1); i++; continue; }
      if (c == 43) { this.push(T_PLUS, i, i + 1); i++; continue; }
      if (isIdChar(c)) {
        const start = i;
        while (i < n && isIdChar(s.charCodeAt(i))) i++;
        // DocumentRef-<idstring>:<ref> is one word.
        if (i < n && s.charCodeAt(i) == 58 && startsWithIgnoreCase(s, start, i, "DocumentRef-")) {
          i++;
          while (i < n && isIdChar(s.charCodeAt(i))) i++;
        }
        const op = this.operator(start, i);
        if (op == T_ERROR) return;
        this.push(op, start, i);
        continue;
      }
      let msg = "unexpected character " + describeChar(c) + " at column " + col(i);
      if (isSpaceLike(c)) msg += " (only spaces may separate the parts of an expression)";
      else if (i > 0 && isIdChar(s.charCodeAt(i - 1))) msg += " (ids contain only letters, digits, \".\" and \"-\")";
      this.fail(msg, i);
      return;
    }
    this.push(T_END, n, n);
  }

  fail(msg: string, at: i32): void {
    this.lexError = msg;
    this.push(T_ERROR, at, at);
    this.push(T_END, this.s.length, this.s.length);
  }

  /** T_AND / T_OR / T_WITH for an operator word, T_WORD for other words, T_ERROR (recorded) on misuse. */
  operator(start: i32, end: i32): i32 {
    const len = end - start;
    let kind = T_WORD;
    let upper = "";
    let lower = "";
    if (len == 3 && startsWithIgnoreCase(this.s, start, end, "AND")) { kind = T_AND; upper = "AND"; lower = "and"; }
    else if (len == 2 && startsWithIgnoreCase(this.s, start, end, "OR")) { kind = T_OR; upper = "OR"; lower = "or"; }
    else if (len == 4 && startsWithIgnoreCase(this.s, start, end, "WITH")) { kind = T_WITH; upper = "WITH"; lower = "with"; }
    if (kind == T_WORD) return T_WORD;
    if (!startsWithExact(this.s, start, end, upper) && !startsWithExact(this.s, start, end, lower)) {
      this.fail("operator \"" + this.s.substring(start, end) + "\" at column " + col(start) +
        " must be all upper case or all lower case", start);
      return T_ERROR;
    }
    // Spacing: WITH needs spaces; AND and OR need a space or a parenthesis on each side. Other
    // neighbours (invalid characters) are reported by the lexer itself.
    const withOp = kind == T_WITH;
    if (start > 0 && glued(this.s.charCodeAt(start - 1), withOp)) {
      this.fail("missing space before \"" + upper + "\" at column " + col(start), start);
      return T_ERROR;
    }
    if (end < this.s.length && glued(this.s.charCodeAt(end), withOp)) {
      this.fail("missing space after \"" + upper + "\" at column " + col(start), start);
      return T_ERROR;
    }
    return kind;
  }

  // ---- token access (always in range: the token list ends with T_END) ----

  kind(): i32 {
    return this.pos < this.kinds.length ? this.kinds[this.pos] : T_END;
  }

  start(): i32 {
    return this.pos < this.starts.length ? this.starts[this.pos] : this.s.length;
  }

  end(): i32 {
    return this.pos < this.ends.length ? this.ends[this.pos] : this.s.length;
  }

  advance(): void {
    if (this.pos < this.kinds.length - 1) this.pos++;
  }

  /** Quoted text of token i, shortened when long. */
  tokenText(i: i32): string {
    if (i < 0 || i >= this.kinds.length) return "";
    const k = this.kinds[i];
    if (k == T_AND) return "\"AND\"";
    if (k == T_OR) return "\"OR\"";
    if (k == T_WITH) return "\"WITH\"";
    return quoteSlice(this.s, this.starts[i], this.ends[i]);
  }

  setError(msg: string): void {
    if (this.error.length == 0) this.error = msg;
  }

  /** Reports the pending lexical error, if the current token is one. */
  lexErrorHere(): bool {
    if (this.kind() == T_ERROR) {
      this.setError(this.lexError);
      return true;
    }
    return false;
  }

  /** `expected <what>[ after "<previous token>"] at column N[, found "<token>"]` */
  expected(what: string): void {
    if (this.lexErrorHere()) return;
    let msg = "expected " + what;
    if (this.pos > 0) msg += " after " + this.tokenText(this.pos - 1);
    if (this.kind() == T_END) {
      msg += " at column " + col(this.s.length);
    } else {
      msg += " at column " + col(this.start()) + ", found " + this.tokenText(this.pos);
    }
    this.setError(msg);
  }

  unexpected(): void {
    if (this.lexErrorHere()) return;
    const k = this.kind();
    let msg = "unexpected " + this.tokenText(this.pos) + " at column " + col(this.start());
    if (k == T_WORD) msg += " (expected \"AND\", \"OR\" or \"WITH\" before it)";
    else if (k == T_RPAREN) msg += " (no matching \"(\")";
    this.setError(msg);
  }

  // ---- parser ----

  parse(): Result<Node> {
    if (this.kind() == T_END) return fail<Node>("empty expression");
    const node = this.parseOr();
    if (this.error.length == 0 && this.kind() != T_END) this.unexpected();
    if (this.error.length != 0) return fail<Node>(this.error);
    return ok(node);
  }

  parseOr(): Node {
    return this.parseChain(true);
  }

  /** Operands joined by OR (`or`: operands are AND chains) or by AND (operands are WITH terms). */
  parseChain(or: bool): Node {
    const first = or ? this.parseChain(false) : this.parseWith();
    const operator = or ? T_OR : T_AND;
    if (this.error.length != 0 || this.kind() != operator) return first;
    const node = new Node(or ? Kind.Or : Kind.And, or ? "OR" : "AND", -1, this.start() + 1);
    node.children.push(first);
    while (this.error.length == 0 && this.kind() == operator) {
      this.advance();
      node.children.push(or ? this.parseChain(false) : this.parseWith());
    }
    return node;
  }

  parseWith(): Node {
    if (this.kind() == T_LPAREN) {
      const open = this.start();
      if (this.depth >= MAX_DEPTH) {
        this.setError("too many nested parentheses at column " + col(open));
        return placeholder();
      }
      this.depth++;
      this.advance();
      const inner = this.parseOr();
      this.depth--;
      if (this.error.length != 0) return inner;
      if (this.kind() == T_RPAREN) {
        this.advance();
      } else if (this.kind() == T_END) {
        this.setError("missing \")\" for the \"(\" at column " + col(open));
        return inner;
      } else {
        this.unexpected();
        return inner;
      }
      this.endOfTerm("", " must follow a license id or LicenseRef, not a parenthesised expression");
      return inner;
    }
    const leaf = this.parseSimple();
    if (this.error.length != 0 || this.kind() != T_WITH) return leaf;
    if (leaf.kind == Kind.Special) {
      this.setError("\"WITH\" at column " + col(this.start()) + " cannot follow " + leaf.text);
      return leaf;
    }
    const node = new Node(Kind.With, "WITH", -1, this.start() + 1);
    this.advance();
    const addition = this.parseAddition();
    if (this.error.length != 0) return node;
    node.children.push(leaf);
    node.children.push(addition);
    this.endOfTerm("unexpected ", " (a license may be followed by only one exception)");
    return node;
  }

  /**
   * After a parenthesised expression or a WITH term only an operator may follow: a "WITH" there
   * is reported as `<before>"WITH" at column N<after>`, a "+" as not following a license id.
   */
  endOfTerm(before: string, after: string): void {
    if (this.kind() == T_WITH) {
      this.setError(before + "\"WITH\" at column " + col(this.start()) + after);
    } else if (this.kind() == T_PLUS) {
      this.setError("\"+\" at column " + col(this.start()) + " must directly follow a license id");
    }
  }

  /** `"<word>" at column N`, for the reference errors of the current word. */
  what(): string {
    return quoteSlice(this.s, this.start(), this.end()) + " at column " + col(this.start());
  }

  /** Classifies the current word as a reference; sets the error for malformed ones. */
  refKind(): i32 {
    const s = this.s;
    const start = this.start();
    const end = this.end();
    let at = start;
    let colon = -1;
    for (let i = start; i < end; i++) {
      if (s.charCodeAt(i) == 58) { colon = i; break; }
    }
    if (colon >= 0) {
      if (!startsWithExact(s, start, colon, "DocumentRef-")) {
        this.setError("invalid reference " + this.what() + ": the prefix must be spelled \"DocumentRef-\"");
        return REF_INVALID;
      }
      if (colon - start == 12) {
        this.setError("invalid reference " + this.what() + ": empty id after \"DocumentRef-\"");
        return REF_INVALID;
      }
      at = colon + 1;
      if (!startsWithIgnoreCase(s, at, end, "LicenseRef-") && !startsWithIgnoreCase(s, at, end, "AdditionRef-")) {
        this.setError("invalid reference " + this.what() + ": expected \"LicenseRef-\" or \"AdditionRef-\" after \":\"");
        return REF_INVALID;
      }
    } else if (startsWithIgnoreCase(s, start, end, "DocumentRef-")) {
      this.setError("invalid reference " + this.what() + ": expected \"DocumentRef-<id>:LicenseRef-<id>\"");
      return REF_INVALID;
    }
    let prefix = "";
    let kind = REF_NONE;
    if (startsWithIgnoreCase(s, at, end, "LicenseRef-")) { prefix = "LicenseRef-"; kind = REF_LICENSE; }
    else if (startsWithIgnoreCase(s, at, end, "AdditionRef-")) { prefix = "AdditionRef-"; kind = REF_ADDITION; }
    else return REF_NONE;
    if (!startsWithExact(s, at, end, prefix)) {
      this.setError("invalid reference " + this.what() + ": the prefix must be spelled \"" + prefix + "\"");
      return REF_INVALID;
    }
    if (end - at == prefix.length) {
      this.setError("invalid reference " + this.what() + ": empty id after \"" + prefix + "\"");
      return REF_INVALID;
    }
    return kind;
  }

  /** The reference kind of the current token, which must be a word (`what` is expected otherwise: REF_INVALID). */
  wordRefKind(what: string): i32 {
    if (this.kind() == T_WORD) return this.refKind();
    this.expected(what);
    return REF_INVALID;
  }

  parseSimple(): Node {
    const ref = this.wordRefKind("license id");
    if (ref == REF_INVALID) return placeholder();
    const s = this.s;
    const start = this.start();
    const end = this.end();
    let leaf: Node;
    if (ref == REF_LICENSE) {
      leaf = new Node(Kind.Ref, s.substring(start, end), -1, start + 1);
    } else if (ref == REF_ADDITION) {
      this.setError(quoteSlice(s, start, end) + " at column " + col(start) +
        " is an addition reference; it may only follow \"WITH\"");
      return placeholder();
    } else if (startsWithExact(s, start, end, "NONE") && end - start == 4) {
      leaf = new Node(Kind.Special, "NONE", -1, start + 1);
    } else if (startsWithExact(s, start, end, "NOASSERTION") && end - start == 11) {
      leaf = new Node(Kind.Special, "NOASSERTION", -1, start + 1);
    } else {
      const index = findLicense(s, start, end);
      if (index >= 0) {
        leaf = new Node(Kind.License, licenseId(index), index, start + 1);
      } else if (findException(s, start, end) >= 0) {
        this.setError(quoteSlice(s, start, end) + " at column " + col(start) +
          " is an exception id; it may only follow \"WITH\"");
        return placeholder();
      } else {
        leaf = new Node(Kind.Unknown, s.substring(start, end), -1, start + 1);
      }
    }
    this.advance();
    if (this.kind() == T_PLUS) {
      const plusAt = this.start();
      if (plusAt != end) {
        this.setError("\"+\" at column " + col(plusAt) + " must directly follow a license id (no space before it)");
      } else if (leaf.kind != Kind.License && leaf.kind != Kind.Unknown) {
        this.setError("\"+\" at column " + col(plusAt) + " may only follow a license id, not " + leaf.text);
      } else {
        leaf.plus = true;
        this.advance();
        if (this.kind() == T_PLUS) {
          this.setError("\"+\" at column " + col(this.start()) + " must directly follow a license id");
        }
      }
    }
    return leaf;
  }

  parseAddition(): Node {
    const ref = this.wordRefKind("exception id");
    if (ref == REF_INVALID) return placeholder();
    const start = this.start();
    if (ref == REF_ADDITION) {
      const text = this.s.substring(start, this.end());
      this.advance();
      return new Node(Kind.AdditionRef, text, -1, start + 1);
    }
    const s = this.s;
    const end = this.end();
    if (ref == REF_LICENSE) {
      this.expected("exception id");
      return placeholder();
    }
    const index = findException(s, start, end);
    if (index >= 0) {
      this.advance();
      return new Node(Kind.Exception, exceptionId(index), index, start + 1);
    }
    if (findLicense(s, start, end) >= 0) {
      this.setError(quoteSlice(s, start, end) + " at column " + col(start) +
        " is a license id, not an exception id");
    } else {
      this.setError("unknown exception id " + quoteSlice(s, start, end) + " at column " + col(start));
    }
    return placeholder();
  }
}

function placeholder(): Node {
  return new Node(Kind.Unknown, "", -1, 0);
}

/** `"<s[start,end)>"`, shortened to MAX_ECHO characters (token text is ASCII id characters). */
function quoteSlice(s: string, start: i32, end: i32): string {
  if (end - start > MAX_ECHO) return "\"" + s.substring(start, start + MAX_ECHO) + "...\"";
  return "\"" + s.substring(start, end) + "\"";
}

/**
 * Parses an SPDX license expression. Never throws: the error names what is wrong and where, e.g.
 * `expected license id after "AND" at column 8`.
 */
export function parseExpression(s: string): Result<Node> {
  // The common case, one license id on the list ("Apache-2.0"), gives the same leaf as the parser.
  const n = s.length;
  let plain = n > 0;
  for (let i = 0; plain && i < n; i++) plain = isIdChar(s.charCodeAt(i));
  if (plain) {
    const index = findLicense(s, 0, n);
    if (index >= 0) return ok(new Node(Kind.License, licenseId(index), index, 1));
  }
  const p = new Parser(s);
  return p.parse();
}

/**
 * The canonical text of a tree: list spellings, upper-case operators, single spaces.
 * With `full`, every compound node is parenthesised (shows the structure);
 * otherwise only where precedence needs it.
 */
export function expressionToString(node: Node, full: bool): string {
  const k = node.kind;
  if (k == Kind.License || k == Kind.Unknown) return node.plus ? node.text + "+" : node.text;
  if (k == Kind.With) {
    if (node.children.length < 2) return node.text;
    const inner = expressionToString(node.children[0], full) + " WITH " + expressionToString(node.children[1], full);
    return full ? "(" + inner + ")" : inner;
  }
  if (k == Kind.And || k == Kind.Or) {
    const parts = new Array<string>();
    for (let i = 0; i < node.children.length; i++) {
      const child = node.children[i];
      const text = expressionToString(child, full);
      parts.push(!full && k == Kind.And && child.kind == Kind.Or ? "(" + text + ")" : text);
    }
    const out = joinStrings(parts, k == Kind.And ? " AND " : " OR ");
    return full ? "(" + out + ")" : out;
  }
  return node.text;
}
