// Case-insensitive access to the generated SPDX tables in data.ts.
// Every index is range-checked: out-of-range indexes read as "absent", never abort.

import {
  ID_BLOCK, SYMBOL_STARTS, SYMBOL_TEXT,
  LICENSE_COUNT, LICENSE_IDS, LICENSE_BLOCKS, LICENSE_FLAGS,
  EXCEPTION_COUNT, EXCEPTION_IDS, EXCEPTION_BLOCKS, EXCEPTION_FLAGS,
  SUCCESSOR_COUNT, SUCCESSORS,
} from "./data";
import { staticRegion } from "../../sdk/arena";
import { codeUnit, decodeAscii } from "../../sdk/strings";

export const FSF_NO_ASSERTION: i32 = 0;
export const FSF_YES: i32 = 1;
export const FSF_NO: i32 = 2;

/**
 * Scratch buffer for one decoded id (ids are at most 255 bytes: the generator checks), and 16
 * bytes more for decodeEntry's last 16-byte store.
 */
const SCRATCH: usize = staticRegion(256 + 16);

// @ts-ignore: decorator
@inline
function lowerAscii(c: i32): i32 {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Decodes the entry at `p` into SCRATCH (on top of the previous entry's shared prefix); returns its length. */
function decodeEntry(p: usize): i32 {
  const n = <i32>load<u8>(p + 1);
  let out = SCRATCH + <usize>load<u8>(p);
  for (let j = 0; j < n; j++) {
    const q = SYMBOL_STARTS + (<usize>load<u8>(p + 2 + <usize>j) << 1);
    const from = SYMBOL_TEXT + <usize>load<u16>(q);
    const to = SYMBOL_TEXT + <usize>load<u16>(q + 2);
    // 16 bytes at a time (symbols are short: one store, mostly); bytes past the symbol are
    // overwritten by the next one or lie beyond the id's length.
    for (let c = from; c < to; c += 16) v128.store(out + (c - from), v128.load(c));
    out += to - from;
  }
  return <i32>(out - SCRATCH);
}

/**
 * Compares the suffix of the entry at `p` (the characters after its shared prefix of `shared`)
 * with s[start + shared, end), ASCII case-insensitively, symbol by symbol without decoding it.
 * Returns the number of characters of entry and query that agree (from the start) in the low 30
 * bits, and the order in the top two bits: COMPARED_LESS (entry before the query), COMPARED_EQUAL
 * or COMPARED_GREATER.
 */
function compareSuffix(p: usize, shared: i32, s: string, start: i32, end: i32): u32 {
  const n = <i32>load<u8>(p + 1);
  let i = start + shared; // the next character of the query to compare
  for (let j = 0; j < n; j++) {
    const q = SYMBOL_STARTS + (<usize>load<u8>(p + 2 + <usize>j) << 1);
    const to = SYMBOL_TEXT + <usize>load<u16>(q + 2);
    for (let c = SYMBOL_TEXT + <usize>load<u16>(q); c < to; c++) {
      // The query ended: it is a prefix of the entry, which comes after it.
      if (i == end) return COMPARED_GREATER | <u32>(i - start);
      const a = lowerAscii(<i32>load<u8>(c));
      const b = lowerAscii(codeUnit(s, i));
      if (a != b) return (a < b ? COMPARED_LESS : COMPARED_GREATER) | <u32>(i - start);
      i++;
    }
  }
  return (i == end ? COMPARED_EQUAL : COMPARED_LESS) | <u32>(i - start);
}

const COMPARED_LESS: u32 = 0;
const COMPARED_EQUAL: u32 = 1 << 30;
const COMPARED_GREATER: u32 = 2 << 30;
const COMPARED_ORDER: u32 = 3 << 30;

/** Byte offset of the first entry of `block`. */
function blockStart(blocks: usize, block: i32): usize {
  return <usize>load<u16>(blocks + (<usize>block << 1));
}

/**
 * Decodes entries of a front-coded table from the start of the block holding `index` up to `index`
 * (inclusive) into SCRATCH; returns the length of entry `index`.
 */
function decode(ids: usize, blocks: usize, index: i32): i32 {
  const block = index / ID_BLOCK;
  let p = ids + blockStart(blocks, block);
  let len = 0;
  for (let i = block * ID_BLOCK; i <= index; i++) {
    len = decodeEntry(p);
    p += 2 + <usize>load<u8>(p + 1);
  }
  return len;
}

function search(s: string, start: i32, end: i32, ids: usize, blocks: usize, count: i32): i32 {
  if (start < 0 || end > s.length || start >= end || count <= 0) return -1;
  // The last block whose first entry (stored whole) is <= the query.
  let lo = 0;
  let hi = (count - 1) / ID_BLOCK;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((compareSuffix(ids + blockStart(blocks, mid), 0, s, start, end) & COMPARED_ORDER) != COMPARED_GREATER) lo = mid;
    else hi = mid - 1;
  }
  // Scan that block. Entries are sorted; `matched` is how many characters the query shares with
  // the last entry before it. An entry sharing more than that with its predecessor agrees with it
  // where the predecessor was smaller than the query, so it is smaller too and needs no look; one
  // sharing as much or less agrees with the query up to there and is compared from there on.
  let p = ids + blockStart(blocks, lo);
  const first = lo * ID_BLOCK;
  const last = min(first + ID_BLOCK, count);
  let matched = 0;
  for (let i = first; i < last; i++) {
    const shared = <i32>load<u8>(p);
    if (i == first || shared <= matched) {
      const compared = compareSuffix(p, i == first ? 0 : shared, s, start, end);
      const order = compared & COMPARED_ORDER;
      if (order == COMPARED_EQUAL) return i;
      if (order == COMPARED_GREATER) return -1;
      matched = <i32>(compared & ~COMPARED_ORDER);
    }
    p += 2 + <usize>load<u8>(p + 1);
  }
  return -1;
}

function entryText(ids: usize, blocks: usize, count: i32, index: i32): string {
  if (index < 0 || index >= count) return "";
  const len = decode(ids, blocks, index);
  return decodeAscii(SCRATCH, len); // ids are ASCII: scripts/generate-license-data.mjs checks
}

/** Index of the license id spelled (in any case) by s[start, end), or -1. */
export function findLicense(s: string, start: i32, end: i32): i32 {
  return search(s, start, end, LICENSE_IDS, LICENSE_BLOCKS, LICENSE_COUNT);
}

/** Index of the exception id spelled (in any case) by s[start, end), or -1. */
export function findException(s: string, start: i32, end: i32): i32 {
  return search(s, start, end, EXCEPTION_IDS, EXCEPTION_BLOCKS, EXCEPTION_COUNT);
}

/** The list's spelling of license `index` ("" when out of range). */
export function licenseId(index: i32): string {
  return entryText(LICENSE_IDS, LICENSE_BLOCKS, LICENSE_COUNT, index);
}

/** The list's spelling of exception `index` ("" when out of range). */
export function exceptionId(index: i32): string {
  return entryText(EXCEPTION_IDS, EXCEPTION_BLOCKS, EXCEPTION_COUNT, index);
}

function licenseFlags(index: i32): i32 {
  if (index < 0 || index >= LICENSE_COUNT) return 0;
  return (<i32>load<u8>(LICENSE_FLAGS + (<usize>index >> 1)) >> ((index & 1) << 2)) & 15;
}

export function isOsiApproved(index: i32): bool {
  return (licenseFlags(index) & 1) != 0;
}

/** FSF_YES, FSF_NO or FSF_NO_ASSERTION. */
export function fsfLibre(index: i32): i32 {
  return (licenseFlags(index) >> 1) & 3;
}

export function isDeprecatedLicense(index: i32): bool {
  return (licenseFlags(index) & 8) != 0;
}

export function isDeprecatedException(index: i32): bool {
  if (index < 0 || index >= EXCEPTION_COUNT) return false;
  return ((<i32>load<u8>(EXCEPTION_FLAGS + (<usize>index >> 3)) >> (index & 7)) & 1) != 0;
}

function successorText(license: i32, exception: i32): string {
  let out = licenseId(license & 0x7fff);
  if (license & 0x8000) out += "+";
  if (exception > 0) out += " WITH " + exceptionId(exception - 1);
  return out;
}

/**
 * The successor expression of deprecated license `index` ("" when there is none), for the id
 * written alone or, with `plus`, written as "<id>+".
 */
export function successorOf(index: i32, plus: bool): string {
  for (let i = 0; i < SUCCESSOR_COUNT; i++) {
    const p = SUCCESSORS + <usize>(i * 10);
    if (<i32>load<u16>(p) == index) {
      const q = plus ? p + 6 : p + 2;
      return successorText(<i32>load<u16>(q), <i32>load<u16>(q + 2));
    }
  }
  return "";
}

/** ASCII case-insensitive equality of two whole strings. */
export function equalsIgnoreCase(a: string, b: string): bool {
  const n = a.length;
  if (n != b.length) return false;
  for (let i = 0; i < n; i++) {
    if (lowerAscii(codeUnit(a, i)) != lowerAscii(codeUnit(b, i))) return false;
  }
  return true;
}

/** Whether s[start, start + prefix.length) equals `prefix` ignoring ASCII case. */
export function startsWithIgnoreCase(s: string, start: i32, end: i32, prefix: string): bool {
  const n = prefix.length;
  if (start < 0 || end > s.length || end - start < n) return false;
  for (let i = 0; i < n; i++) {
    if (lowerAscii(codeUnit(s, start + i)) != lowerAscii(codeUnit(prefix, i))) return false;
  }
  return true;
}

/** Whether s[start, start + prefix.length) equals `prefix` exactly. */
export function startsWithExact(s: string, start: i32, end: i32, prefix: string): bool {
  const n = prefix.length;
  if (start < 0 || end > s.length || end - start < n) return false;
  for (let i = 0; i < n; i++) {
    if (codeUnit(s, start + i) != codeUnit(prefix, i)) return false;
  }
  return true;
}
