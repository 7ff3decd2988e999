// License judgement: the public API the policy uses.
//
// Semantics (README "`licenses`"), with the decisions taken here:
// - OR passes when one alternative passes; AND when every part passes; `X WITH E` when X passes and
//   E is a known exception that is not denied (AdditionRef-… passes only through `allow`, or
//   `unlisted: any`). A deprecated exception fails only with allowDeprecated false.
// - deny wins over allow. allow/deny entries are ids (license ids, LicenseRef-…, exception ids,
//   AdditionRef-…), compared case-insensitively. License entries are compared after normalising
//   both sides to (base id, or-later): a deprecated id with a single-id successor becomes that
//   successor (GPL-2.0 -> GPL-2.0-only, GPL-2.0+ -> GPL-2.0-or-later), and "X-or-later" (GNU style)
//   means ("X-only", or-later), "X+" means (X, or-later). An entry for X matches X and X or-later
//   (GPL-2.0-only matches GPL-2.0-or-later and GPL-2.0+; Apache-2.0 matches Apache-2.0+); an entry
//   for X or-later matches only X or-later.
// - `unlisted` decides ids on neither list: osi-approved needs OSI approval; fsf-libre needs FSF libre
//   = yes ("no assertion" fails); osi-or-fsf either; any admits every known SPDX id and LicenseRef;
//   none admits nothing (strict allow list). Unknown ids always fail, whatever the lists say.
// - `id+` is judged by the flags of id.
// - A deprecated id fails with allowDeprecated false unless the allow list names that id itself
//   (literally, e.g. "GPL-2.0" or "GPL-2.0+"). With allowDeprecated true it is judged by its successor
//   expression where one is unambiguous (data.ts; e.g. GPL-2.0-with-classpath-exception is judged as
//   "GPL-2.0-only WITH Classpath-exception-2.0"), otherwise by its own flags.
// - NONE and NOASSERTION inside a larger expression are never acceptable parts (so
//   "MIT AND NOASSERTION" fails and "MIT OR NOASSERTION" passes through MIT). Whole values are the
//   caller's business: see declaresNoLicense.

import { Kind, Node, parseExpression, expressionToString, isIdChar } from "./expression";
import {
  findLicense, findException, licenseId, isOsiApproved, fsfLibre, FSF_YES, FSF_NO,
  isDeprecatedLicense, isDeprecatedException, successorOf, equalsIgnoreCase, startsWithExact,
  startsWithIgnoreCase,
} from "./table";
import { LIST_VERSION } from "./data";
import { joinStrings } from "../../sdk/strings";

export enum Unlisted { OsiApproved = 0, FsfLibre = 1, OsiOrFsf = 2, Any = 3, None = 4 }

export class LicenseRules {
  unlisted: Unlisted = Unlisted.OsiApproved;
  /** ids as the user wrote them (license ids, LicenseRef-…, exception ids); compared case-insensitively */
  allow: string[] = [];
  deny: string[] = [];
  allowDeprecated: bool = true;
}

export const SPDX_LICENSE_LIST_VERSION: string = LIST_VERSION;

/** Longest user text echoed in a message. */
const MAX_ECHO: i32 = 120;

/** true for "NOASSERTION" / "NONE" (trimmed; exact upper case per SPDX) and for an empty/blank value. */
export function declaresNoLicense(value: string): bool {
  const v = value.trim();
  return v.length == 0 || v == "NOASSERTION" || v == "NONE";
}

// ---- ids in settings ----

/** Whether s[start, end) is a non-empty idstring. */
function isIdString(s: string, start: i32, end: i32): bool {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    if (!isIdChar(s.charCodeAt(i))) return false;
  }
  return true;
}

/** Whether s[start, end) is `<prefix><idstring>` with the exact prefix. */
function isPrefixedId(s: string, start: i32, end: i32, prefix: string): bool {
  return startsWithExact(s, start, end, prefix) && isIdString(s, start + prefix.length, end);
}

function containsIgnoreCase(s: string, part: string): bool {
  for (let i = 0; i + part.length <= s.length; i++) {
    if (startsWithIgnoreCase(s, i, s.length, part)) return true;
  }
  return false;
}

/** LicenseRef-x, AdditionRef-x, DocumentRef-x:LicenseRef-y, DocumentRef-x:AdditionRef-y. */
function isReferenceId(id: string): bool {
  const n = id.length;
  const colon = id.indexOf(":");
  let at = 0;
  if (colon >= 0) {
    if (!isPrefixedId(id, 0, colon, "DocumentRef-")) return false;
    at = colon + 1;
  }
  return isPrefixedId(id, at, n, "LicenseRef-") || isPrefixedId(id, at, n, "AdditionRef-");
}

/**
 * For settings validation: null when `id` is a known SPDX license id, exception id, or a
 * syntactically valid LicenseRef-/DocumentRef-…:LicenseRef-/AdditionRef- id; else a short reason.
 */
export function checkRuleId(id: string): string | null {
  const n = id.length;
  if (n == 0) return "empty license id";
  if (findLicense(id, 0, n) >= 0 || findException(id, 0, n) >= 0) return null;
  if (isReferenceId(id)) return null;
  const q = quote(id);
  if (containsIgnoreCase(id, "LicenseRef-") || containsIgnoreCase(id, "AdditionRef-") || containsIgnoreCase(id, "DocumentRef-")) {
    return "invalid reference " + q + " (expected LicenseRef-<id>, AdditionRef-<id> or " +
      "DocumentRef-<id>:LicenseRef-<id>; the prefixes are case-sensitive and <id> may contain only " +
      "letters, digits, \".\" and \"-\")";
  }
  if (id.trim() != id) return q + " has surrounding white space";
  if (id.includes(" ") || id.includes("(")) return q + " is an expression; allow and deny take single ids";
  if (n > 1 && id.charCodeAt(n - 1) == 43 && findLicense(id, 0, n - 1) >= 0) {
    return q + ": write the id without \"+\" (an entry for an id also matches that id with \"+\")";
  }
  return "unknown SPDX license or exception id " + q;
}

// ---- judging ----

/** A license id normalised for allow/deny comparison. */
class Norm {
  base: string;
  orLater: bool;
  constructor(base: string, orLater: bool) {
    this.base = base;
    this.orLater = orLater;
  }
}

const OR_LATER = "-or-later";

function normalizeLicense(index: i32, plus: bool): Norm {
  let id = licenseId(index);
  let later = plus;
  if (isDeprecatedLicense(index)) {
    const succ = successorOf(index, plus);
    if (succ.length > 0 && !succ.includes(" ")) {
      if (succ.endsWith("+")) {
        id = succ.substring(0, succ.length - 1);
        later = true;
      } else {
        id = succ;
        later = false;
      }
    }
  }
  if (id.endsWith(OR_LATER)) {
    const only = id.substring(0, id.length - OR_LATER.length) + "-only";
    const j = findLicense(only, 0, only.length);
    if (j >= 0) {
      id = licenseId(j);
      later = true;
    }
  }
  return new Norm(id, later);
}

function normalizeEntry(entry: string): Norm {
  const n = entry.length;
  const i = findLicense(entry, 0, n);
  if (i >= 0) return normalizeLicense(i, false);
  if (n > 1 && entry.charCodeAt(n - 1) == 43) {
    const j = findLicense(entry, 0, n - 1);
    if (j >= 0) return normalizeLicense(j, true);
  }
  return new Norm(entry, false);
}

class Context {
  rules: LicenseRules;
  allow: Norm[] = [];
  deny: Norm[] = [];

  constructor(rules: LicenseRules) {
    this.rules = rules;
    for (let i = 0; i < rules.allow.length; i++) this.allow.push(normalizeEntry(rules.allow[i]));
    for (let i = 0; i < rules.deny.length; i++) this.deny.push(normalizeEntry(rules.deny[i]));
  }
}

function matchesLicense(list: Norm[], n: Norm): bool {
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (equalsIgnoreCase(e.base, n.base) && (!e.orLater || n.orLater)) return true;
  }
  return false;
}

/** Whether any entry equals `text` (case-insensitively). */
function listHas(list: string[], text: string): bool {
  for (let i = 0; i < list.length; i++) {
    if (equalsIgnoreCase(list[i], text)) return true;
  }
  return false;
}

function clip(s: string): string {
  return s.length > MAX_ECHO ? s.substring(0, MAX_ECHO) + "..." : s;
}

/**
 * `"<s>"` for a message: shortened; `"` and `\` escaped; control characters and unpaired surrogates
 * written as \uXXXX, so the result is printable and encodes to valid UTF-8.
 */
function quote(s: string): string {
  const n = s.length < MAX_ECHO ? s.length : MAX_ECHO;
  let out = "\"";
  const hex = "0123456789abcdef";
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += String.fromCharCode(c) + String.fromCharCode(d);
        i++;
        continue;
      }
    }
    if (c == 34 || c == 92) {
      out += "\\" + String.fromCharCode(c);
    } else if (c < 32 || c == 127 || (c >= 0xd800 && c <= 0xdfff)) {
      out += "\\u" + hex.charAt((c >> 12) & 15) + hex.charAt((c >> 8) & 15) + hex.charAt((c >> 4) & 15) + hex.charAt(c & 15);
    } else {
      out += String.fromCharCode(c);
    }
  }
  if (s.length > n) out += "...";
  return out + "\"";
}

function unlistedVerdict(index: i32, name: string, unlisted: Unlisted): string {
  const osi = isOsiApproved(index);
  const fsf = fsfLibre(index);
  let problem: string;
  switch (unlisted) {
    case Unlisted.OsiApproved:
      if (osi) return "";
      problem = "is not OSI approved";
      break;
    case Unlisted.FsfLibre:
      if (fsf == FSF_YES) return "";
      problem = fsf == FSF_NO ? "is not FSF libre" : "is not FSF libre (no FSF assertion)";
      break;
    case Unlisted.OsiOrFsf:
      if (osi || fsf == FSF_YES) return "";
      problem = "is neither OSI approved nor FSF libre";
      break;
    case Unlisted.Any:
      return "";
    default:
      problem = "is not on the allow list";
  }
  // Made only for a rejection: the accepted license's path builds no message.
  return "license \"" + name + "\" " + problem;
}

/** "" when acceptable, else one clause. */
function judgeLicenseLeaf(node: Node, ctx: Context, depth: i32): string {
  const rules = ctx.rules;
  const name = clip(node.plus ? node.text + "+" : node.text);
  if (node.kind == Kind.Unknown) return "license \"" + name + "\" is not a known SPDX id";
  const index = node.index;
  const norm = normalizeLicense(index, node.plus);
  if (matchesLicense(ctx.deny, norm)) return "license \"" + name + "\" is denied";
  const deprecated = isDeprecatedLicense(index);
  if (deprecated && !rules.allowDeprecated) {
    const literal = listHas(rules.allow, node.text) || (node.plus && listHas(rules.allow, name));
    if (!literal) return "license \"" + name + "\" is deprecated";
  }
  if (matchesLicense(ctx.allow, norm)) return "";
  if (deprecated && depth == 0) {
    const succ = successorOf(index, node.plus);
    if (succ.length > 0) {
      const parsed = parseExpression(succ);
      if (!parsed.ok) return "license \"" + name + "\" has an invalid successor \"" + succ + "\"";
      const verdict = judgeNode(parsed.value!, ctx, depth + 1);
      if (verdict.length == 0) return "";
      return "deprecated license \"" + name + "\" is judged as \"" + succ + "\": " + verdict;
    }
  }
  return unlistedVerdict(index, name, rules.unlisted);
}

function judgeRef(node: Node, ctx: Context, what: string): string {
  const name = clip(node.text);
  if (listHas(ctx.rules.deny, node.text)) return what + " \"" + name + "\" is denied";
  if (listHas(ctx.rules.allow, node.text) || ctx.rules.unlisted == Unlisted.Any) return "";
  return what + " \"" + name + "\" is not on the allow list";
}

function judgeException(node: Node, ctx: Context): string {
  if (node.kind == Kind.AdditionRef) return judgeRef(node, ctx, "exception");
  const rules = ctx.rules;
  if (listHas(rules.deny, node.text)) return "exception \"" + node.text + "\" is denied";
  if (isDeprecatedException(node.index) && !rules.allowDeprecated && !listHas(rules.allow, node.text)) {
    return "exception \"" + node.text + "\" is deprecated";
  }
  return "";
}

/** Most failing parts named in one clause; identical clauses are named once. */
const MAX_LISTED: i32 = 5;

/** Failure clauses of the parts of an AND or the alternatives of an OR. */
class Clauses {
  items: string[] = [];
  more: i32 = 0;

  add(clause: string): void {
    for (let i = 0; i < this.items.length; i++) {
      if (this.items[i] == clause) return;
    }
    if (this.items.length < MAX_LISTED) this.items.push(clause);
    else this.more++;
  }

  join(sep: string): string {
    const out = joinStrings(this.items, sep);
    return this.more > 0 ? out + " (and " + this.more.toString() + " more)" : out;
  }
}

/** Collects the verdicts of the alternatives of an OR (nested ORs flattened); true when one passes. */
function collectAlternatives(node: Node, ctx: Context, depth: i32, failures: Clauses): bool {
  for (let i = 0; i < node.children.length; i++) {
    const child = node.children[i];
    if (child.kind == Kind.Or) {
      if (collectAlternatives(child, ctx, depth, failures)) return true;
    } else {
      const verdict = judgeNode(child, ctx, depth);
      if (verdict.length == 0) return true;
      failures.add(verdict);
    }
  }
  return false;
}

function judgeNode(node: Node, ctx: Context, depth: i32): string {
  switch (node.kind) {
    case Kind.License:
    case Kind.Unknown:
      return judgeLicenseLeaf(node, ctx, depth);
    case Kind.Ref:
      return judgeRef(node, ctx, "license");
    case Kind.Special:
      return "\"" + node.text + "\" declares no license and is not acceptable within an expression";
    case Kind.With: {
      if (node.children.length < 2) return "invalid WITH expression";
      const left = judgeNode(node.children[0], ctx, depth);
      if (left.length != 0) return left;
      return judgeException(node.children[1], ctx);
    }
    case Kind.And: {
      const failures = new Clauses();
      for (let i = 0; i < node.children.length; i++) {
        const verdict = judgeNode(node.children[i], ctx, depth);
        if (verdict.length != 0) failures.add(verdict);
      }
      return failures.join(" and ");
    }
    case Kind.Or: {
      const failures = new Clauses();
      if (collectAlternatives(node, ctx, depth, failures)) return "";
      return "none of the alternatives is acceptable: " + failures.join("; ");
    }
    default:
      return "unexpected license expression node";
  }
}

/**
 * Judges a declared license expression. null = acceptable; otherwise one clause naming the license
 * and the failed rule, e.g. `license "SSPL-1.0" is not OSI approved`.
 */
export function judgeLicense(expression: string, rules: LicenseRules): string | null {
  const parsed = parseExpression(expression);
  if (!parsed.ok) return "license expression " + quote(expression) + " is invalid: " + parsed.error!;
  const verdict = judgeNode(parsed.value!, new Context(rules), 0);
  return verdict.length == 0 ? null : verdict;
}

/** The canonical form of a valid expression (list spellings, upper-case operators), or null. */
export function canonicalLicense(expression: string): string | null {
  const parsed = parseExpression(expression);
  return parsed.ok ? expressionToString(parsed.value!, false) : null;
}
