// The policy's string literals, stored as Latin-1 by the build (scripts/latin1-literals.mjs, an
// asc transform) and turned into strings on first use. The `memory.data` calls below are
// placeholders the transform fills: the characters of every literal and the 16-bit offset where
// each starts (and the previous ends); so are the sizes of the two `staticRegion` calls (in this
// order): one the strings are written into, one remembering where each literal's string is. Both
// regions come after the asc data segments (arena.ts staticRegion), and the arena after them. The
// strings the start function makes become module data when the build evaluates it
// (wasm-ctor-eval) and fill the strings' region from the bottom; those of calls fill it from the
// top down, so that what a fresh instance's first call writes (its strings, their places in the
// table, the arena) is one run of pages: every page it writes costs a fault.
// Built without the transform, nothing calls __literal and the placeholders are small and unused.
// Strings keep the runtime's header layout (~lib/rt/common.ts: OBJECT rtId and rtSize right before
// the characters), as the standard library reads them; they are not in the per-call arena
// (arena.ts), so they outlive every call.

import { BLOCK_OVERHEAD } from "rt/common";
import { arenaInCall, staticRegion } from "./arena";

const LITERAL_TEXT: usize = memory.data<u8>([0]);
const LITERAL_OFFSETS: usize = memory.data<u16>([0]);
/**
 * region 0: the strings, the start function's from the bottom up, the calls' from the top down.
 * It has room for every literal made once (the transform sizes it), whichever end.
 */
const STRINGS: usize = staticRegion(16);
/**
 * region 1: per literal, where its string is, as a u16: (characters' address - STRINGS) / 16
 * (0: not made yet). Two bytes each, so that the table shares pages with the strings a call makes.
 */
const MADE: usize = staticRegion(16);

/** the bottom end's next free byte, relative to STRINGS */
let nextString: usize = 0;
/** the top end's lowest used byte, absolute (the region's block size is its usable size) */
let lowestString: usize = STRINGS + <usize>load<u32>(STRINGS - BLOCK_OVERHEAD);

/** Literal `id` as a string, made on its first use. */
// @ts-ignore: decorator
@global export function __literal(id: u32): string {
  const made = <usize>load<u16>(MADE + (<usize>id << 1));
  if (made != 0) return changetype<string>(STRINGS + (made << 4));
  const start = <usize>load<u16>(LITERAL_OFFSETS + (<usize>id << 1));
  const length = <usize>load<u16>(LITERAL_OFFSETS + (<usize>id << 1), 2) - start;
  // 16-byte aligned characters after a 20-byte header, as the runtime lays objects out.
  let chars: usize;
  if (arenaInCall()) {
    chars = (lowestString - (length << 1)) & ~15;
    lowestString = chars - 20;
  } else {
    chars = (STRINGS + nextString + 20 + 15) & ~15;
    nextString = chars + (length << 1) - STRINGS;
  }
  const bytes = LITERAL_TEXT + start;
  // Eight characters at a time, widened (the first use of each literal is most of a fresh
  // instance's first call), then the rest one by one.
  let i: usize = 0;
  for (; i + 8 <= length; i += 8) v128.store(chars + (i << 1), v128.load8x8_u(bytes + i));
  for (; i < length; i++) store<u16>(chars + (i << 1), load<u8>(bytes + i));
  store<u32>(chars - 8, idof<string>()); // OBJECT.rtId
  store<u32>(chars - 4, <u32>(length << 1)); // OBJECT.rtSize, in bytes
  store<u16>(MADE + (<usize>id << 1), <u16>((chars - STRINGS) >> 4));
  return changetype<string>(chars);
}
