#!/usr/bin/env node
// Generates assembly/policy/licenses/data.ts from the repository's copy of the SPDX License List
// facts, assembly/policy/licenses/spdx-license-list.json (written by scripts/refresh-spdx-data.mjs
// from the official licenses.json and exceptions.json).
//
// Usage: node scripts/generate-license-data.mjs [dataFile] [outputFile]
//   dataFile     default: assembly/policy/licenses/spdx-license-list.json in the repository
//   outputFile   default: assembly/policy/licenses/data.ts in the repository
//
// The output is deterministic (no timestamps) so tests can regenerate it and compare with the
// committed copy. It is compact because it is compiled into the policy Wasm module:
//   - license ids are sorted by their lower-cased spelling and front-coded into one byte blob
//     (memory.data<u8>) in blocks of 16 entries; a u16 table gives each block's offset, so the guest
//     binary-searches the blocks and scans one block, case-insensitively; the suffixes are
//     byte-pair encoded (one table, shared by both lists, gives the text of each symbol (a character or a merged pair));
//   - 4 flag bits per license, two licenses per byte: bit 0 OSI approved; bits 1-2 FSF libre
//     (0 = no assertion, i.e. isFsfLibre absent; 1 = yes; 2 = no); bit 3 deprecated;
//   - exceptions use the same id layout, and 1 flag bit each (deprecated);
//   - deprecated licenses with an unambiguous successor get an entry of 5 u16: license index, then
//     the successor (license index with bit 15 for "+", exception index + 1 or 0) for the id written
//     alone and for the id written "<id>+".
//
// Successors of deprecated ids are derived by a rule plus an explicit table:
//   rule 1: "<X>+"  (e.g. GPL-2.0+)  -> "<X>-or-later"            when that id is listed;
//   rule 2: "<X>"   (e.g. GPL-2.0)   -> "<X>-only", and "<X>+" -> "<X>-or-later", when listed;
//   table : every other deprecated id, taken from the <obsoletedBy> elements of
//           spdx/license-list-XML src/<id>.xml (or its <notes> where there is no such element);
//   none  : ids whose successor is ambiguous (listed in NO_SUCCESSOR) are judged by their own flags.
// The generator fails when a deprecated id is covered by none of these, or when a successor names
// an id that is unknown or itself deprecated, so a new list version forces an explicit decision.

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dataFile = resolve(process.argv[2] ?? resolve(repoRoot, "assembly/policy/licenses/spdx-license-list.json"));
const outFile = resolve(process.argv[3] ?? resolve(repoRoot, "assembly/policy/licenses/data.ts"));

/** Deprecated ids not covered by the rules: [successor, successor of "<id>+"]. */
const SUCCESSOR_TABLE = {
  // obsoletedBy "GPL-2.0 WITH <exception>" (GPL-2.0 meant "only"), and "+" -> "-or-later".
  "GPL-2.0-with-autoconf-exception": ["GPL-2.0-only WITH Autoconf-exception-2.0", "GPL-2.0-or-later WITH Autoconf-exception-2.0"],
  "GPL-2.0-with-bison-exception": ["GPL-2.0-only WITH Bison-exception-2.2", "GPL-2.0-or-later WITH Bison-exception-2.2"],
  "GPL-2.0-with-classpath-exception": ["GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-or-later WITH Classpath-exception-2.0"],
  "GPL-2.0-with-font-exception": ["GPL-2.0-only WITH Font-exception-2.0", "GPL-2.0-or-later WITH Font-exception-2.0"],
  "GPL-2.0-with-GCC-exception": ["GPL-2.0-only WITH GCC-exception-2.0", "GPL-2.0-or-later WITH GCC-exception-2.0"],
  "GPL-3.0-with-autoconf-exception": ["GPL-3.0-only WITH Autoconf-exception-3.0", "GPL-3.0-or-later WITH Autoconf-exception-3.0"],
  "GPL-3.0-with-GCC-exception": ["GPL-3.0-only WITH GCC-exception-3.1", "GPL-3.0-or-later WITH GCC-exception-3.1"],
  // obsoletedBy already names an "or later" license.
  "eCos-2.0": ["GPL-2.0-or-later WITH eCos-exception-2.0", "GPL-2.0-or-later WITH eCos-exception-2.0"],
  wxWindows: ["GPL-2.0-or-later WITH WxWindows-exception-3.1", "GPL-2.0-or-later WITH WxWindows-exception-3.1"],
  // duplicates of another listed license ("<id>+" is judged as the successor id).
  "BSD-2-Clause-NetBSD": ["BSD-2-Clause", "BSD-2-Clause+"],
  Nunit: ["zlib-acknowledgement", "zlib-acknowledgement+"],
  "StandardML-NJ": ["SMLNJ", "SMLNJ+"],
  // notes: "deprecated in favor of bzip2-1.0.6, which is now equivalent".
  "bzip2-1.0.5": ["bzip2-1.0.6", "bzip2-1.0.6+"],
};

/** Deprecated ids with no unambiguous successor: judged by their own flags. */
const NO_SUCCESSOR = [
  "BSD-2-Clause-FreeBSD", // notes point at BSD-2-Clause-Views as "a more generalized version"; no obsoletedBy
  "Net-SNMP", // notes: the id stood for a stack of several licenses
];

function fail(msg) {
  process.stderr.write(`generate-license-data: ${msg}\n`);
  process.exit(1);
}

const FLAGS_RE = /^o?[fn]?d?$/;
let data;
try {
  data = JSON.parse(readFileSync(dataFile, "utf8"));
} catch (err) {
  fail(`cannot read ${dataFile}: ${err.message}`);
}
const version = String(data.licenseListVersion);
const releaseDate = data.releaseDate ?? undefined;
if (typeof data.licenses !== "object" || typeof data.exceptions !== "object") fail(`${dataFile} lacks "licenses" or "exceptions"`);
for (const [id, flags] of [...Object.entries(data.licenses), ...Object.entries(data.exceptions)]) {
  if (typeof flags !== "string" || !FLAGS_RE.test(flags)) fail(`${id}: unexpected flags ${JSON.stringify(flags)}`);
}

const ID_RE = /^[A-Za-z0-9.+-]+$/;
const byLower = (a, b) => {
  const x = a.id.toLowerCase();
  const y = b.id.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};

const licenses = Object.entries(data.licenses).map(([id, flags]) => ({
  id,
  osi: flags.includes("o"),
  fsf: flags.includes("f") ? 1 : flags.includes("n") ? 2 : 0,
  deprecated: flags.includes("d"),
}));
licenses.sort(byLower);
const exceptions = Object.entries(data.exceptions).map(([id, flags]) => {
  if (flags !== "" && flags !== "d") fail(`exception ${id}: unexpected flags ${JSON.stringify(flags)}`);
  return { id, deprecated: flags === "d" };
});
exceptions.sort(byLower);

// Sanity: ids are ASCII id characters and unique case-insensitively across both lists.
const seen = new Map();
for (const x of [...licenses, ...exceptions]) {
  if (!ID_RE.test(x.id)) fail(`unexpected characters in id ${JSON.stringify(x.id)}`);
  const k = x.id.toLowerCase();
  if (seen.has(k)) fail(`ids ${seen.get(k)} and ${x.id} collide case-insensitively`);
  seen.set(k, x.id);
}
const licenseById = new Map(licenses.map((l) => [l.id, l]));
const exceptionById = new Map(exceptions.map((e) => [e.id, e]));

// Successors.
function checkSuccessor(dep, expr) {
  const parts = expr.split(" WITH ");
  if (parts.length > 2) fail(`successor of ${dep} has more than one WITH: ${expr}`);
  const lic = parts[0].endsWith("+") ? parts[0].slice(0, -1) : parts[0];
  const l = licenseById.get(lic);
  if (!l || l.deprecated) fail(`successor of ${dep} names an unknown or deprecated license: ${expr}`);
  if (parts.length === 2) {
    const e = exceptionById.get(parts[1]);
    if (!e || e.deprecated) fail(`successor of ${dep} names an unknown or deprecated exception: ${expr}`);
  }
}
const isCurrent = (id) => licenseById.has(id) && !licenseById.get(id).deprecated;
const successors = []; // [license index, successor, plus successor]
for (let i = 0; i < licenses.length; i++) {
  const l = licenses[i];
  if (!l.deprecated) continue;
  let pair = null;
  if (Object.hasOwn(SUCCESSOR_TABLE, l.id)) {
    pair = SUCCESSOR_TABLE[l.id];
  } else if (l.id.endsWith("+") && isCurrent(l.id.slice(0, -1) + "-or-later")) {
    const s = l.id.slice(0, -1) + "-or-later";
    pair = [s, s];
  } else if (isCurrent(l.id + "-only")) {
    pair = [l.id + "-only", isCurrent(l.id + "-or-later") ? l.id + "-or-later" : l.id + "-only+"];
  } else if (NO_SUCCESSOR.includes(l.id)) {
    continue;
  } else {
    fail(`deprecated id ${l.id} has no successor rule: add it to SUCCESSOR_TABLE or NO_SUCCESSOR`);
  }
  checkSuccessor(l.id, pair[0]);
  checkSuccessor(l.id, pair[1]);
  successors.push([i, pair[0], pair[1]]);
}
for (const id of [...Object.keys(SUCCESSOR_TABLE), ...NO_SUCCESSOR]) {
  const l = licenseById.get(id);
  if (!l || !l.deprecated) fail(`${id} is in the successor tables but is not a deprecated license id`);
}

// Emit.
/** Ids per front-coding block (a binary search picks the block, a linear scan the entry). */
const BLOCK = 16;
/**
 * Front-coded ids: each entry is [chars shared with the previous entry][suffix symbol count][suffix
 * symbols]; the first entry of every block of BLOCK entries shares nothing, so a block decodes on
 * its own. Symbols are bytes: the first ones are the characters used, the others pairs of symbols
 * (byte-pair encoding over the suffixes of both lists); the table emitted is every symbol's text.
 */
function frontCode(list) {
  const entries = [];
  let prev = "";
  list.forEach((x, i) => {
    if (x.id.length > 255) fail(`id longer than 255 characters: ${x.id}`);
    let shared = 0;
    if (i % BLOCK !== 0) {
      while (shared < x.id.length && shared < prev.length && x.id[shared] === prev[shared]) shared++;
    }
    entries.push({ shared, symbols: [...x.id.slice(shared)].map((c) => c.charCodeAt(0)) });
    prev = x.id;
  });
  return entries;
}
/** Byte-pair encoding: merges of the most frequent adjacent pair (ties: first seen) while symbols fit a byte. */
function pairEncode(entryLists) {
  const seqs = entryLists.flat().map((e) => e.symbols);
  // The characters used, in code order, become symbols 0..n-1; tokens take the symbols above.
  const alphabet = [...new Set(seqs.flat())].sort((x, y) => x - y);
  const symbolOf = new Map(alphabet.map((c, i) => [c, i]));
  for (const s of seqs) for (let j = 0; j < s.length; j++) s[j] = symbolOf.get(s[j]);
  const tokens = [];
  while (alphabet.length + tokens.length / 2 < 256) {
    const counts = new Map();
    for (const s of seqs) {
      for (let j = 0; j + 1 < s.length; j++) {
        const k = s[j] * 256 + s[j + 1];
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
    }
    let best = -1;
    let bestCount = 2; // a token costs 2 bytes: worth it from 3 uses on
    for (const [k, c] of counts) {
      if (c > bestCount) {
        best = k;
        bestCount = c;
      }
    }
    if (best < 0) break;
    const a = best >> 8;
    const b = best & 255;
    const t = alphabet.length + tokens.length / 2;
    tokens.push(a, b);
    for (const s of seqs) {
      let w = 0;
      for (let j = 0; j < s.length; j++) {
        if (j + 1 < s.length && s[j] === a && s[j + 1] === b) {
          s[w++] = t;
          j++;
        } else s[w++] = s[j];
      }
      s.length = w;
    }
  }
  return { alphabet, tokens };
}
function layout(entries) {
  const bytes = [];
  const blocks = [];
  entries.forEach((e, i) => {
    if (i % BLOCK === 0) blocks.push(bytes.length);
    bytes.push(e.shared, e.symbols.length, ...e.symbols);
  });
  if (bytes.length > 0xffff) fail("id blob exceeds u16 block offsets");
  return { bytes, blocks };
}
/** Packs small values `bits` wide, lowest bits first. */
function packBits(values, bits) {
  const out = new Array(Math.ceil((values.length * bits) / 8)).fill(0);
  values.forEach((v, i) => {
    out[(i * bits) >> 3] |= v << ((i * bits) & 7);
  });
  return out;
}
function wrap(nums, indent = "  ", width = 100) {
  const lines = [];
  let cur = "";
  for (const n of nums) {
    const s = String(n) + ",";
    if (cur.length + s.length > width) {
      lines.push(indent + cur);
      cur = "";
    }
    cur += s;
  }
  if (cur) lines.push(indent + cur);
  return lines.join("\n");
}
const licenseIndex = new Map(licenses.map((l, i) => [l.id, i]));
const exceptionIndex = new Map(exceptions.map((e, i) => [e.id, i]));
/** A successor expression as two u16: license index (bit 15: followed by "+"), exception index + 1 (0: none). */
function encodeSuccessor(expr) {
  const [lic, exc] = expr.split(" WITH ");
  const plus = lic.endsWith("+");
  const li = licenseIndex.get(plus ? lic.slice(0, -1) : lic);
  if (li === undefined || li > 0x7fff) fail(`cannot encode successor ${expr}`);
  return [li | (plus ? 0x8000 : 0), exc === undefined ? 0 : exceptionIndex.get(exc) + 1];
}
const licEntries = frontCode(licenses);
const excEntries = frontCode(exceptions);
const { alphabet, tokens } = pairEncode([licEntries, excEntries]);
// Every symbol's text, precomputed so the guest copies it instead of expanding pairs recursively.
const symbolText = [...alphabet.map((c) => [c])];
for (let t = 0; t < tokens.length / 2; t++) symbolText.push([...symbolText[tokens[2 * t]], ...symbolText[tokens[2 * t + 1]]]);
const symbolStarts = [0];
for (const text of symbolText) symbolStarts.push(symbolStarts.at(-1) + text.length);
const lic = layout(licEntries);
const exc = layout(excEntries);
const licFlags = packBits(
  licenses.map((l) => (l.osi ? 1 : 0) | (l.fsf << 1) | (l.deprecated ? 8 : 0)),
  4,
);
const excFlags = packBits(
  exceptions.map((e) => (e.deprecated ? 1 : 0)),
  1,
);
const successorWords = successors.flatMap(([i, s, p]) => [i, ...encodeSuccessor(s), ...encodeSuccessor(p)]);
const q = (s) => JSON.stringify(s);

const out = `// GENERATED FILE - DO NOT EDIT.
// Generated by scripts/generate-license-data.mjs from the SPDX License List data
// (assembly/policy/licenses/spdx-license-list.json), licenseListVersion ${version}${releaseDate ? `, releaseDate ${releaseDate}` : ""}.
// ${licenses.length} licenses (${licenses.filter((l) => l.osi).length} OSI approved, ${licenses.filter((l) => l.deprecated).length} deprecated), ${exceptions.length} exceptions.
// Layout: see the comment at the top of the generator. Ids are sorted by their lower-cased spelling.

export const LIST_VERSION: string = ${q(version)};
/** Entries per front-coded block. */
export const ID_BLOCK: i32 = ${BLOCK};

/** Symbol k stands for the characters SYMBOL_TEXT[SYMBOL_STARTS[k], SYMBOL_STARTS[k + 1]). */
export const SYMBOL_STARTS: usize = memory.data<u16>([
${wrap(symbolStarts)}
]);
export const SYMBOL_TEXT: usize = memory.data<u8>([
${wrap(symbolText.flat())}
]);

export const LICENSE_COUNT: i32 = ${licenses.length};
/** Front-coded license ids: per entry [chars shared with previous][suffix symbol count][suffix symbols]. */
export const LICENSE_IDS: usize = memory.data<u8>([
${wrap(lic.bytes)}
]);
/** Byte offset in LICENSE_IDS of each block of ID_BLOCK entries. */
export const LICENSE_BLOCKS: usize = memory.data<u16>([
${wrap(lic.blocks)}
]);
/** 4 bits per license (license i in byte i >> 1, low nibble first): bit 0 OSI approved; bits 1-2 FSF libre (0 no assertion, 1 yes, 2 no); bit 3 deprecated. */
export const LICENSE_FLAGS: usize = memory.data<u8>([
${wrap(licFlags)}
]);

export const EXCEPTION_COUNT: i32 = ${exceptions.length};
export const EXCEPTION_IDS: usize = memory.data<u8>([
${wrap(exc.bytes)}
]);
export const EXCEPTION_BLOCKS: usize = memory.data<u16>([
${wrap(exc.blocks)}
]);
/** 1 bit per exception (exception i: bit i & 7 of byte i >> 3): deprecated. */
export const EXCEPTION_FLAGS: usize = memory.data<u8>([
${wrap(excFlags)}
]);

/**
 * Deprecated licenses with an unambiguous successor, 5 u16 each: license index; successor as
 * [license index (bit 15: "+"), exception index + 1 (0: none)]; the same for the id written "<id>+".
${successors.map((s) => ` *   ${licenses[s[0]].id}: ${s[1]}${s[2] !== s[1] ? ` | +: ${s[2]}` : ""}`).join("\n")}
 */
export const SUCCESSOR_COUNT: i32 = ${successors.length};
export const SUCCESSORS: usize = memory.data<u16>([
${wrap(successorWords)}
]);
`;

mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, out);
process.stdout.write(
  `wrote ${outFile}: ${licenses.length} licenses, ${exceptions.length} exceptions, ${successors.length} successors, SPDX list ${version}\n`,
);
