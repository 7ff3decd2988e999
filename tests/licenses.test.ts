// Conformance table for the SPDX expression parser and the license judgement
// (assembly/policy/licenses), run through the AssemblyScript harness tests/assembly/licenses_harness.ts.
import fc from "fast-check";
import { AsHarness, compileHarness } from "./support/as_harness";

let h: AsHarness;

beforeAll(() => {
  compileHarness("tests/assembly/licenses_harness.ts", "build/test/licenses_harness.wasm");
  h = AsHarness.load("build/test/licenses_harness.wasm");
});

const parse = (e: string) => h.str("parse", e);
const canonical = (e: string) => h.str("canonical", e);

// ---------------------------------------------------------------------------------------------
// Parsing: fully parenthesised canonical form, or "error: <message>".
// The numbered rows are 30 tricky cases of the SPDX expression grammar (SPDX 2.3 Annex D,
// https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/).
// ---------------------------------------------------------------------------------------------
const PARSE: Array<[string, string]> = [
  /* 1 */ ["MIT", "MIT"],
  /* 2 */ ["mit", "MIT"],
  /* 3 */ ["Apache-2.0 OR MIT", "(Apache-2.0 OR MIT)"],
  /* 4 */ ["MIT OR Apache-2.0 AND BSD-3-Clause", "(MIT OR (Apache-2.0 AND BSD-3-Clause))"],
  /* 5 */ ["(MIT OR Apache-2.0) AND BSD-3-Clause", "((MIT OR Apache-2.0) AND BSD-3-Clause)"],
  /* 6 */ ["MIT AND GPL-2.0-only WITH Classpath-exception-2.0", "(MIT AND (GPL-2.0-only WITH Classpath-exception-2.0))"],
  /* 7 */ ["GPL-2.0-or-later WITH Classpath-exception-2.0 OR MIT", "((GPL-2.0-or-later WITH Classpath-exception-2.0) OR MIT)"],
  /* 8 */ ["((MIT))", "MIT"],
  /* 9 */ ["GPL-2.0+", "GPL-2.0+"],
  /* 10 */ ["GPL-2.0 +", 'error: "+" at column 9 must directly follow a license id (no space before it)'],
  /* 11 */ ["GPL-2.0-or-later+", "GPL-2.0-or-later+"],
  /* 12 */ ["LicenseRef-foo", "LicenseRef-foo"],
  /* 13 */ ["licenseref-foo", 'error: invalid reference "licenseref-foo" at column 1: the prefix must be spelled "LicenseRef-"'],
  /* 14 */ ["LicenseRef-foo_bar", 'error: unexpected character "_" at column 15 (ids contain only letters, digits, "." and "-")'],
  /* 15 */ ["DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2", "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2"],
  /* 16 */ ["LicenseRef-foo WITH Classpath-exception-2.0", "(LicenseRef-foo WITH Classpath-exception-2.0)"],
  /* 17 */ ["NOASSERTION", "NOASSERTION"],
  /* 18 */ ["MIT AND NOASSERTION", "(MIT AND NOASSERTION)"],
  /* 19 */ ["MIT OR NOASSERTION", "(MIT OR NOASSERTION)"],
  /* 20 */ ["MIT and BSD-3-Clause", "(MIT AND BSD-3-Clause)"],
  /* 21 */ ["MIT And BSD-3-Clause", 'error: operator "And" at column 5 must be all upper case or all lower case'],
  /* 22 */ [
    "(MIT OR Apache-2.0) WITH LLVM-exception",
    'error: "WITH" at column 21 must follow a license id or LicenseRef, not a parenthesised expression',
  ],
  /* 23 */ ["GPL-2.0-only WITH MIT", 'error: "MIT" at column 19 is a license id, not an exception id'],
  /* 24 */ ["Classpath-exception-2.0", 'error: "Classpath-exception-2.0" at column 1 is an exception id; it may only follow "WITH"'],
  /* 25 */ ["MIT ANDApache-2.0", 'error: unexpected "ANDApache-2.0" at column 5 (expected "AND", "OR" or "WITH" before it)'],
  /* 26 */ ["(MIT)AND(Apache-2.0)", "(MIT AND Apache-2.0)"],
  /* 27 */ ["MIT/Apache-2.0", 'error: unexpected character "/" at column 4 (ids contain only letters, digits, "." and "-")'],
  /* 27 */ ["MIT, Apache-2.0", 'error: unexpected character "," at column 4 (ids contain only letters, digits, "." and "-")'],
  /* 27 */ ["Apache 2.0", 'error: unexpected "2.0" at column 8 (expected "AND", "OR" or "WITH" before it)'],
  /* 28 */ ["GPL-2.0-only WITH Nokia-Qt-exception-1.1", "(GPL-2.0-only WITH Nokia-Qt-exception-1.1)"],
  /* 29 */ ["UNLICENSED", "UNLICENSED"],
  /* 30 */ ["", "error: empty expression"],
  // further cases from the reference
  ["GPL-3.0", "GPL-3.0"],
  ["GPL-2.0-with-classpath-exception", "GPL-2.0-with-classpath-exception"],
  ["gpl-2.0-with-CLASSPATH-exception", "GPL-2.0-with-classpath-exception"],
  ["GPL-2.0-only WITH AdditionRef-foo", "(GPL-2.0-only WITH AdditionRef-foo)"],
  [
    "MIT WITH Classpath-exception-2.0 WITH LLVM-exception",
    'error: unexpected "WITH" at column 34 (a license may be followed by only one exception)',
  ],
  ["AND MIT", 'error: expected license id at column 1, found "AND"'],
  ["MIT AND", 'error: expected license id after "AND" at column 8'],
  ["MIT OR OR Apache-2.0", 'error: expected license id after "OR" at column 8, found "OR"'],
  ["MIT\tAND Apache-2.0", "error: unexpected character U+0009 at column 4 (only spaces may separate the parts of an expression)"],
  ["MIT AND\nApache-2.0", "error: unexpected character U+000A at column 8 (only spaces may separate the parts of an expression)"],
  ["MIT\u00a0AND Apache-2.0", "error: unexpected character U+00A0 at column 4 (only spaces may separate the parts of an expression)"],
  ["Elastic-License", "Elastic-License"],
  ["BSD-3-Clause WITH PCRE2-exception", "(BSD-3-Clause WITH PCRE2-exception)"],
  ["gpl-2.0-ONLY", "GPL-2.0-only"],
  // more structure and error positions
  ["MIT )", 'error: unexpected ")" at column 5 (no matching "(")'],
  ["(MIT", 'error: missing ")" for the "(" at column 1'],
  ["(MIT OR (ISC AND Zlib)", 'error: missing ")" for the "(" at column 1'],
  ["()", 'error: expected license id after "(" at column 2, found ")"'],
  ["(MIT Apache-2.0)", 'error: unexpected "Apache-2.0" at column 6 (expected "AND", "OR" or "WITH" before it)'],
  ["   ", "error: empty expression"],
  ["  MIT  ", "MIT"],
  ["MIT  AND   Apache-2.0", "(MIT AND Apache-2.0)"],
  ["MIT AND(Apache-2.0 OR ISC)", "(MIT AND (Apache-2.0 OR ISC))"],
  ["MIT OR (Apache-2.0 OR ISC)", "(MIT OR (Apache-2.0 OR ISC))"],
  ["MIT OR ISC OR Zlib AND 0BSD", "(MIT OR ISC OR (Zlib AND 0BSD))"],
  ["mit or apache-2.0 with llvm-exception", "(MIT OR (Apache-2.0 WITH LLVM-exception))"],
  ["MIT WITH(Classpath-exception-2.0)", 'error: missing space after "WITH" at column 5'],
  ["MIT+AND Apache-2.0", 'error: missing space before "AND" at column 5'],
  ["MIT+", "MIT+"],
  ["MIT++", 'error: "+" at column 5 must directly follow a license id'],
  ["LicenseRef-foo+", 'error: "+" at column 15 may only follow a license id, not LicenseRef-foo'],
  ["(MIT)+", 'error: "+" at column 6 must directly follow a license id'],
  [
    "(MIT) WITH Classpath-exception-2.0",
    'error: "WITH" at column 7 must follow a license id or LicenseRef, not a parenthesised expression',
  ],
  ["MIT WITH", 'error: expected exception id after "WITH" at column 9'],
  ["MIT WITH Foo-exception", 'error: unknown exception id "Foo-exception" at column 10'],
  ["MIT WITH LicenseRef-x", 'error: expected exception id after "WITH" at column 10, found "LicenseRef-x"'],
  ["MIT WITH Classpath-exception-2.0+", 'error: "+" at column 33 must directly follow a license id'],
  ["AdditionRef-foo", 'error: "AdditionRef-foo" at column 1 is an addition reference; it may only follow "WITH"'],
  ["MIT WITH DocumentRef-a:AdditionRef-b", "(MIT WITH DocumentRef-a:AdditionRef-b)"],
  ["MIT WITH additionref-b", 'error: invalid reference "additionref-b" at column 10: the prefix must be spelled "AdditionRef-"'],
  [
    "DocumentRef-doc:licenseref-x",
    'error: invalid reference "DocumentRef-doc:licenseref-x" at column 1: the prefix must be spelled "LicenseRef-"',
  ],
  [
    "documentref-doc:LicenseRef-x",
    'error: invalid reference "documentref-doc:LicenseRef-x" at column 1: the prefix must be spelled "DocumentRef-"',
  ],
  ["DocumentRef-:LicenseRef-x", 'error: invalid reference "DocumentRef-:LicenseRef-x" at column 1: empty id after "DocumentRef-"'],
  ["DocumentRef-doc:MIT", 'error: invalid reference "DocumentRef-doc:MIT" at column 1: expected "LicenseRef-" or "AdditionRef-" after ":"'],
  ["DocumentRef-doc", 'error: invalid reference "DocumentRef-doc" at column 1: expected "DocumentRef-<id>:LicenseRef-<id>"'],
  ["LicenseRef-", 'error: invalid reference "LicenseRef-" at column 1: empty id after "LicenseRef-"'],
  ["MIT:foo", 'error: unexpected character ":" at column 4 (ids contain only letters, digits, "." and "-")'],
  ["NONE WITH Classpath-exception-2.0", 'error: "WITH" at column 6 cannot follow NONE'],
  ["NOASSERTION+", 'error: "+" at column 12 may only follow a license id, not NOASSERTION'],
  ["noassertion", "noassertion"],
  ["MIT AND \ud800", "error: unexpected character U+D800 at column 9"],
  ["MIT AND AND foo_bar", 'error: expected license id after "AND" at column 9, found "AND"'],
];

describe("SPDX expression parsing", () => {
  test("the conformance table has at least 60 rows", () => {
    expect(PARSE.length).toBeGreaterThanOrEqual(60);
  });

  test.each(PARSE)("parse %j", (input, expected) => {
    expect(parse(input)).toBe(expected);
  });

  test("canonical form uses list spellings, upper-case operators and only the parentheses it needs", () => {
    expect(canonical("mit and (apache-2.0 or isc)")).toBe("MIT AND (Apache-2.0 OR ISC)");
    expect(canonical("(mit and apache-2.0) or isc")).toBe("MIT AND Apache-2.0 OR ISC");
    expect(canonical("gpl-2.0-only with classpath-exception-2.0 or mit+")).toBe("GPL-2.0-only WITH Classpath-exception-2.0 OR MIT+");
  });

  test("parentheses nest up to 64 levels, deeper nesting is an error (no stack overflow)", () => {
    const nest = (n: number) => "(".repeat(n) + "MIT" + ")".repeat(n);
    expect(parse(nest(64))).toBe("MIT");
    expect(parse(nest(65))).toBe("error: too many nested parentheses at column 65");
    expect(parse(nest(100000))).toBe("error: too many nested parentheses at column 65");
  });

  test("64 levels of alternating AND/OR groups parse, print and judge (no stack overflow)", () => {
    let expr = "MIT";
    for (let i = 0; i < 64; i++) expr = `(ISC ${i % 2 ? "AND" : "OR"} ${expr})`;
    const full = parse(expr);
    expect(full.startsWith("(ISC AND (ISC OR (ISC AND (ISC OR")).toBe(true);
    expect(parse(canonical(expr))).toBe(full);
    expect(h.str("judge", expr, 0, "", "", true)).toBe("");
    const verdict = h.str("judge", expr.replace(/MIT/, "SSPL-1.0").replace(/ISC/g, "BUSL-1.1"), 0, "", "", true);
    expect(verdict).toMatch(
      /^license "BUSL-1.1" is not OSI approved and none of the alternatives is acceptable: license "BUSL-1.1" is not OSI approved; license "BUSL-1.1" is not OSI approved and /,
    );
    expect(verdict.endsWith('license "SSPL-1.0" is not OSI approved')).toBe(true);
  });

  test("long inputs are handled and echoed shortened", () => {
    const many = Array.from({ length: 2000 }, () => "MIT").join(" AND ");
    expect(parse(many).startsWith("(MIT AND MIT")).toBe(true);
    const bad = Array.from({ length: 2000 }, (_, i) => `LicenseRef-x${i}`).join(" AND ");
    expect(h.str("judge", bad, 0, "", "", true)).toBe(
      `${[0, 1, 2, 3, 4].map((i) => `license "LicenseRef-x${i}" is not on the allow list`).join(" and ")} (and 1995 more)`,
    );
    const longId = "X".repeat(5000);
    expect(parse(`MIT ${longId}`)).toBe(`error: unexpected "${"X".repeat(64)}..." at column 5 (expected "AND", "OR" or "WITH" before it)`);
  });

  test("property: the parser never aborts and canonical forms re-parse to themselves", () => {
    const token = fc.constantFrom(
      "MIT",
      "mit",
      "Apache-2.0",
      "GPL-2.0",
      "GPL-2.0+",
      "gpl-2.0-only",
      "UNLICENSED",
      "LicenseRef-x",
      "licenseref-x",
      "DocumentRef-d:LicenseRef-y",
      "AdditionRef-z",
      "Classpath-exception-2.0",
      "AND",
      "and",
      "And",
      "OR",
      "or",
      "WITH",
      "with",
      "(",
      ")",
      "+",
      " ",
      "  ",
      "\t",
      "_",
      ":",
      "NONE",
      "NOASSERTION",
      "\ud83d",
      "é",
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 14 }), fc.boolean(), (parts, spaced) => {
        const input = parts.join(spaced ? " " : "");
        const full = parse(input);
        const canon = canonical(input);
        if (full.startsWith("error: ")) {
          expect(canon).toBe(full);
          expect(full).toMatch(/^error: (empty expression|.* at column \d+)/);
        } else {
          expect(parse(canon)).toBe(full);
          expect(canonical(canon)).toBe(canon);
        }
        // judging never aborts either
        h.str("judge", input, 0, "", "", true);
        h.str("judge", input, 4, "MIT,LicenseRef-x", "GPL-2.0-only", false);
      }),
      { numRuns: 2000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Judgement: "" = accepted, otherwise the clause.
// ---------------------------------------------------------------------------------------------
interface Rules {
  unlisted: number; // 0 osi-approved, 1 fsf-libre, 2 osi-or-fsf, 3 any, 4 none
  allow: string;
  deny: string;
  allowDeprecated: boolean;
}
const DEFAULT: Rules = { unlisted: 0, allow: "", deny: "", allowDeprecated: true };
const FSF: Rules = { ...DEFAULT, unlisted: 1 };
const OSI_OR_FSF: Rules = { ...DEFAULT, unlisted: 2 };
const ANY: Rules = { ...DEFAULT, unlisted: 3 };
const STRICT: Rules = { ...DEFAULT, unlisted: 4, allow: "MIT,licenseref-ACME,GPL-2.0-only" };
const STRICT_LATER: Rules = { ...DEFAULT, unlisted: 4, allow: "GPL-2.0-or-later" };
const DENY_WINS: Rules = {
  ...DEFAULT,
  allow: "GPL-3.0-only,SSPL-1.0,LicenseRef-bad",
  deny: "gpl-3.0-only,Classpath-exception-2.0,LicenseRef-bad,AdditionRef-evil",
};
const DENY_DEPRECATED_ENTRY: Rules = { ...DEFAULT, deny: "GPL-2.0" };
const NO_DEPRECATED: Rules = { ...DEFAULT, allowDeprecated: false };
const NO_DEPRECATED_ALLOW_OLD: Rules = { ...DEFAULT, allowDeprecated: false, allow: "GPL-2.0,Nokia-Qt-exception-1.1" };
const NO_DEPRECATED_ALLOW_NEW: Rules = { ...DEFAULT, allowDeprecated: false, allow: "GPL-2.0-only" };

const notOsi = (id: string) => `license "${id}" is not OSI approved`;

const JUDGE: Array<[string, string, Rules, string]> = [
  // default: unlisted osi-approved
  ["MIT", "default", DEFAULT, ""],
  ["mit", "default", DEFAULT, ""],
  ["SSPL-1.0", "default", DEFAULT, notOsi("SSPL-1.0")],
  ["Apache-2.0 OR SSPL-1.0", "default", DEFAULT, ""],
  ["SSPL-1.0 OR Apache-2.0", "default", DEFAULT, ""],
  ["MIT AND SSPL-1.0", "default", DEFAULT, notOsi("SSPL-1.0")],
  ["SSPL-1.0 OR BUSL-1.1", "default", DEFAULT, `none of the alternatives is acceptable: ${notOsi("SSPL-1.0")}; ${notOsi("BUSL-1.1")}`],
  [
    "SSPL-1.0 OR (BUSL-1.1 OR Elastic-2.0)",
    "default",
    DEFAULT,
    `none of the alternatives is acceptable: ${notOsi("SSPL-1.0")}; ${notOsi("BUSL-1.1")}; ${notOsi("Elastic-2.0")}`,
  ],
  ["SSPL-1.0 AND BUSL-1.1", "default", DEFAULT, `${notOsi("SSPL-1.0")} and ${notOsi("BUSL-1.1")}`],
  ["MIT AND (SSPL-1.0 OR ISC)", "default", DEFAULT, ""],
  ["SSPL-1.0 AND MIT AND sspl-1.0", "default", DEFAULT, notOsi("SSPL-1.0")],
  [
    "SSPL-1.0 OR BUSL-1.1 OR Elastic-2.0 OR CC-BY-NC-4.0 OR Beerware OR BUSL-1.1 OR JSON OR Aladdin",
    "default",
    DEFAULT,
    `none of the alternatives is acceptable: ${["SSPL-1.0", "BUSL-1.1", "Elastic-2.0", "CC-BY-NC-4.0", "Beerware"].map(notOsi).join("; ")} (and 2 more)`,
  ],
  ["UNLICENSED", "default", DEFAULT, 'license "UNLICENSED" is not a known SPDX id'],
  ["Unlicense", "default", DEFAULT, ""],
  ["Elastic-License", "default", DEFAULT, 'license "Elastic-License" is not a known SPDX id'],
  ["MIT OR UNLICENSED", "default", DEFAULT, ""],
  ["GPL-2.0+", "default", DEFAULT, ""],
  ["GPL-3.0", "default", DEFAULT, ""],
  ["LGPL-2.1", "default", DEFAULT, ""],
  ["Apache-2.0+", "default", DEFAULT, ""],
  ["SSPL-1.0+", "default", DEFAULT, notOsi("SSPL-1.0+")],
  // own flags: OSI false; successor "GPL-2.0-only WITH Classpath-exception-2.0" is OSI approved
  ["GPL-2.0-with-classpath-exception", "default", DEFAULT, ""],
  [
    "AGPL-1.0",
    "default",
    DEFAULT,
    'deprecated license "AGPL-1.0" is judged as "AGPL-1.0-only": license "AGPL-1.0-only" is not OSI approved',
  ],
  ["Net-SNMP", "default", DEFAULT, notOsi("Net-SNMP")], // deprecated, no successor: own flags
  ["LicenseRef-acme", "default", DEFAULT, 'license "LicenseRef-acme" is not on the allow list'],
  ["LicenseRef-foo WITH Classpath-exception-2.0", "default", DEFAULT, 'license "LicenseRef-foo" is not on the allow list'],
  ["MIT AND NOASSERTION", "default", DEFAULT, '"NOASSERTION" declares no license and is not acceptable within an expression'],
  ["NONE AND MIT", "default", DEFAULT, '"NONE" declares no license and is not acceptable within an expression'],
  ["MIT OR NOASSERTION", "default", DEFAULT, ""],
  ["MIT AND", "default", DEFAULT, 'license expression "MIT AND" is invalid: expected license id after "AND" at column 8'],
  [
    "MIT And BSD-3-Clause",
    "default",
    DEFAULT,
    'license expression "MIT And BSD-3-Clause" is invalid: operator "And" at column 5 must be all upper case or all lower case',
  ],
  ["", "default", DEFAULT, 'license expression "" is invalid: empty expression'],
  [
    'MIT\tAND "x"',
    "default",
    DEFAULT,
    'license expression "MIT\\u0009AND \\"x\\"" is invalid: unexpected character U+0009 at column 4 (only spaces may separate the parts of an expression)',
  ],
  ["GPL-2.0-only WITH Nokia-Qt-exception-1.1", "default", DEFAULT, ""],
  ["GPL-2.0-only WITH AdditionRef-foo", "default", DEFAULT, 'exception "AdditionRef-foo" is not on the allow list'],
  ["BSD-3-Clause WITH PCRE2-exception", "default", DEFAULT, ""],
  ["wxWindows", "default", DEFAULT, ""],
  // fsf-libre: needs FSF libre = yes; "no assertion" fails
  ["MIT", "fsf-libre", FSF, ""],
  ["SSPL-1.0", "fsf-libre", FSF, 'license "SSPL-1.0" is not FSF libre (no FSF assertion)'],
  ["Aladdin", "fsf-libre", FSF, 'license "Aladdin" is not FSF libre'],
  ["0BSD", "fsf-libre", FSF, 'license "0BSD" is not FSF libre (no FSF assertion)'],
  ["WTFPL", "fsf-libre", FSF, ""],
  // own flag FSF yes, successor AGPL-1.0-only has no assertion: judged by the successor
  [
    "AGPL-1.0",
    "fsf-libre",
    FSF,
    'deprecated license "AGPL-1.0" is judged as "AGPL-1.0-only": license "AGPL-1.0-only" is not FSF libre (no FSF assertion)',
  ],
  [
    "Nunit",
    "fsf-libre",
    FSF,
    'deprecated license "Nunit" is judged as "zlib-acknowledgement": license "zlib-acknowledgement" is not FSF libre (no FSF assertion)',
  ],
  ["0BSD OR WTFPL", "fsf-libre", FSF, ""],
  // osi-or-fsf
  ["0BSD", "osi-or-fsf", OSI_OR_FSF, ""],
  ["WTFPL", "osi-or-fsf", OSI_OR_FSF, ""],
  ["SSPL-1.0", "osi-or-fsf", OSI_OR_FSF, 'license "SSPL-1.0" is neither OSI approved nor FSF libre'],
  ["WTFPL", "default", DEFAULT, notOsi("WTFPL")],
  // any: every known id and LicenseRef, never an unknown id
  ["SSPL-1.0", "any", ANY, ""],
  ["LicenseRef-acme", "any", ANY, ""],
  ["MIT WITH AdditionRef-x", "any", ANY, ""],
  ["Net-SNMP", "any", ANY, ""],
  ["UNLICENSED", "any", ANY, 'license "UNLICENSED" is not a known SPDX id'],
  ["NOASSERTION", "any", ANY, '"NOASSERTION" declares no license and is not acceptable within an expression'],
  // none: strict allow list (MIT, licenseref-ACME, GPL-2.0-only)
  ["MIT", "none", STRICT, ""],
  ["Apache-2.0", "none", STRICT, 'license "Apache-2.0" is not on the allow list'],
  ["LicenseRef-acme", "none", STRICT, ""],
  ["LicenseRef-other", "none", STRICT, 'license "LicenseRef-other" is not on the allow list'],
  ["GPL-2.0", "none", STRICT, ""],
  ["GPL-2.0-or-later", "none", STRICT, ""],
  ["GPL-2.0+", "none", STRICT, ""],
  ["GPL-2.0-only WITH Classpath-exception-2.0", "none", STRICT, ""],
  ["GPL-2.0-with-classpath-exception", "none", STRICT, ""],
  ["MIT OR Apache-2.0", "none", STRICT, ""],
  [
    "Apache-2.0 OR ISC",
    "none",
    STRICT,
    'none of the alternatives is acceptable: license "Apache-2.0" is not on the allow list; license "ISC" is not on the allow list',
  ],
  ["GPL-2.0-only", "none (allow X-or-later)", STRICT_LATER, 'license "GPL-2.0-only" is not on the allow list'],
  ["GPL-2.0+", "none (allow X-or-later)", STRICT_LATER, ""],
  ["GPL-2.0-or-later", "none (allow X-or-later)", STRICT_LATER, ""],
  // deny wins over allow; deny matches license ids, LicenseRefs and exception ids
  ["GPL-3.0-only", "deny wins", DENY_WINS, 'license "GPL-3.0-only" is denied'],
  ["GPL-3.0", "deny wins", DENY_WINS, 'license "GPL-3.0" is denied'],
  ["GPL-3.0-or-later", "deny wins", DENY_WINS, 'license "GPL-3.0-or-later" is denied'],
  ["GPL-3.0+", "deny wins", DENY_WINS, 'license "GPL-3.0+" is denied'],
  ["GPL-3.0-only+", "deny wins", DENY_WINS, 'license "GPL-3.0-only+" is denied'],
  ["SSPL-1.0", "deny wins", DENY_WINS, ""],
  ["LicenseRef-bad", "deny wins", DENY_WINS, 'license "LicenseRef-bad" is denied'],
  ["GPL-2.0-only WITH Classpath-exception-2.0", "deny wins", DENY_WINS, 'exception "Classpath-exception-2.0" is denied'],
  ["GPL-2.0-only WITH AdditionRef-evil", "deny wins", DENY_WINS, 'exception "AdditionRef-evil" is denied'],
  [
    "GPL-2.0-with-classpath-exception",
    "deny wins",
    DENY_WINS,
    'deprecated license "GPL-2.0-with-classpath-exception" is judged as "GPL-2.0-only WITH Classpath-exception-2.0": exception "Classpath-exception-2.0" is denied',
  ],
  ["MIT OR GPL-3.0-only", "deny wins", DENY_WINS, ""],
  ["MIT AND GPL-3.0-only", "deny wins", DENY_WINS, 'license "GPL-3.0-only" is denied'],
  ["GPL-2.0-only", "deny deprecated entry", DENY_DEPRECATED_ENTRY, 'license "GPL-2.0-only" is denied'],
  ["GPL-2.0-or-later", "deny deprecated entry", DENY_DEPRECATED_ENTRY, 'license "GPL-2.0-or-later" is denied'],
  ["GPL-2.0+", "deny deprecated entry", DENY_DEPRECATED_ENTRY, 'license "GPL-2.0+" is denied'],
  ["GPL-3.0-only", "deny deprecated entry", DENY_DEPRECATED_ENTRY, ""],
  // allowDeprecated: false
  ["GPL-2.0+", "no deprecated", NO_DEPRECATED, 'license "GPL-2.0+" is deprecated'],
  ["GPL-2.0", "no deprecated", NO_DEPRECATED, 'license "GPL-2.0" is deprecated'],
  ["gpl-2.0-with-classpath-exception", "no deprecated", NO_DEPRECATED, 'license "GPL-2.0-with-classpath-exception" is deprecated'],
  ["GPL-2.0-or-later", "no deprecated", NO_DEPRECATED, ""],
  ["GPL-2.0-only WITH Nokia-Qt-exception-1.1", "no deprecated", NO_DEPRECATED, 'exception "Nokia-Qt-exception-1.1" is deprecated'],
  ["MIT OR GPL-2.0", "no deprecated", NO_DEPRECATED, ""],
  ["GPL-2.0", "no deprecated, allow GPL-2.0", NO_DEPRECATED_ALLOW_OLD, ""],
  ["GPL-2.0+", "no deprecated, allow GPL-2.0", NO_DEPRECATED_ALLOW_OLD, ""],
  ["LGPL-2.1", "no deprecated, allow GPL-2.0", NO_DEPRECATED_ALLOW_OLD, 'license "LGPL-2.1" is deprecated'],
  ["GPL-2.0-only WITH Nokia-Qt-exception-1.1", "no deprecated, allow GPL-2.0", NO_DEPRECATED_ALLOW_OLD, ""],
  ["GPL-2.0", "no deprecated, allow GPL-2.0-only", NO_DEPRECATED_ALLOW_NEW, 'license "GPL-2.0" is deprecated'],
  ["GPL-2.0-only", "no deprecated, allow GPL-2.0-only", NO_DEPRECATED_ALLOW_NEW, ""],
];

describe("license judgement", () => {
  test.each(JUDGE)("%j under %s", (expr, _name, r, expected) => {
    expect(h.str("judge", expr, r.unlisted, r.allow, r.deny, r.allowDeprecated)).toBe(expected);
  });

  test("required verdicts", () => {
    expect(h.str("judge", "SSPL-1.0", 0, "", "", true)).toBe('license "SSPL-1.0" is not OSI approved');
    expect(h.str("judge", "Apache-2.0 OR SSPL-1.0", 0, "", "", true)).toBe("");
    expect(h.str("judge", "MIT", 0, "", "", true)).toBe("");
  });

  test("messages echo user input as printable text (no lone surrogates, controls escaped, long input shortened)", () => {
    const v = h.str("judge", "MIT AND \ud800" + "x".repeat(500), 0, "", "", true);
    expect(v).toContain("\\ud800");
    expect(v).not.toMatch(/[\ud800-\udfff]/);
    expect(v).toContain('..." is invalid: unexpected character U+D800 at column 9');
    expect(v.length).toBeLessThan(300);
    const emoji = h.str("judge", "MIT AND 😀", 0, "", "", true);
    expect(emoji).toBe('license expression "MIT AND 😀" is invalid: unexpected character U+D83D at column 9');
  });
});

describe("declaresNoLicense", () => {
  test.each([
    ["NOASSERTION", true],
    ["NONE", true],
    ["  NONE ", true],
    ["", true],
    ["   ", true],
    ["noassertion", false],
    ["None", false],
    ["MIT", false],
    ["NONE AND MIT", false],
    ["UNLICENSED", false],
  ])("%j -> %s", (value, expected) => {
    expect(h.bool("noLicense", value as string)).toBe(expected);
  });
});

describe("checkRuleId (settings validation of allow/deny entries)", () => {
  test.each([
    ["MIT", ""],
    ["mit", ""],
    ["GPL-2.0+", ""],
    ["GPL-2.0-with-classpath-exception", ""],
    ["Classpath-exception-2.0", ""],
    ["LicenseRef-acme", ""],
    ["LicenseRef-a.b-1", ""],
    ["DocumentRef-doc-1:LicenseRef-x", ""],
    ["AdditionRef-x", ""],
    ["DocumentRef-doc:AdditionRef-x", ""],
    ["Apachee-2.0", 'unknown SPDX license or exception id "Apachee-2.0"'],
    ["UNLICENSED", 'unknown SPDX license or exception id "UNLICENSED"'],
    ["", "empty license id"],
    ["MIT OR Apache-2.0", '"MIT OR Apache-2.0" is an expression; allow and deny take single ids'],
    ["Apache-2.0+", '"Apache-2.0+": write the id without "+" (an entry for an id also matches that id with "+")'],
    ["licenseref-acme", expect.stringMatching(/^invalid reference "licenseref-acme" \(.*case-sensitive/)],
    ["LicenseRef-a_b", expect.stringMatching(/^invalid reference "LicenseRef-a_b"/)],
    ["LicenseRef-", expect.stringMatching(/^invalid reference "LicenseRef-"/)],
    ["DocumentRef-doc:MIT", expect.stringMatching(/^invalid reference "DocumentRef-doc:MIT"/)],
    ["MIT\n", '"MIT\\u000a" has surrounding white space'],
    [" MIT", '" MIT" has surrounding white space'],
    ["MIT/X11", 'unknown SPDX license or exception id "MIT/X11"'],
  ])("%j", (id, expected) => {
    expect(h.str("ruleId", id as string)).toEqual(expected);
  });
});

describe("license data lookups", () => {
  test.each([
    ["MIT", "MIT osi=1 fsf=yes dep=0"],
    ["mIt", "MIT osi=1 fsf=yes dep=0"],
    ["SSPL-1.0", "SSPL-1.0 osi=0 fsf=none dep=0"],
    ["Aladdin", "Aladdin osi=0 fsf=no dep=0"],
    ["GPL-2.0", "GPL-2.0 osi=1 fsf=yes dep=1 succ=GPL-2.0-only plus=GPL-2.0-or-later"],
    ["GPL-2.0+", "GPL-2.0+ osi=1 fsf=yes dep=1 succ=GPL-2.0-or-later plus=GPL-2.0-or-later"],
    ["LGPL-2.1+", "LGPL-2.1+ osi=1 fsf=yes dep=1 succ=LGPL-2.1-or-later plus=LGPL-2.1-or-later"],
    [
      "GPL-2.0-with-classpath-exception",
      "GPL-2.0-with-classpath-exception osi=0 fsf=none dep=1 succ=GPL-2.0-only WITH Classpath-exception-2.0 plus=GPL-2.0-or-later WITH Classpath-exception-2.0",
    ],
    ["Net-SNMP", "Net-SNMP osi=0 fsf=none dep=1"],
    ["classpath-exception-2.0", "Classpath-exception-2.0 exception dep=0"],
    ["Nokia-Qt-exception-1.1", "Nokia-Qt-exception-1.1 exception dep=1"],
    ["UNLICENSED", "unknown"],
    ["unlicense", "Unlicense osi=1 fsf=yes dep=0"],
    ["", "unknown"],
  ])("info(%j)", (id, expected) => {
    expect(h.str("info", id)).toBe(expected);
  });
});
