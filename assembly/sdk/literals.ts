// The policy's string literals, stored as Latin-1 by the build (scripts/latin1-literals.mjs, an
// asc transform) and turned into strings on first use. The `memory.data` calls below are
// placeholders the transform fills: the characters of every literal and the 16-bit offset where
// each starts (and the previous ends); so are the sizes of the two `staticRegion` calls (in this
// order): one remembering where each literal's string is, one the strings are written into. Both
// regions come after the data segments (arena.ts staticRegion), as writing into the data
// segments' pages costs a page copy each in wasmtime. Built without the transform, nothing calls
// __literal and the placeholders are small and unused. Strings keep the runtime's header layout
// (~lib/rt/common.ts: OBJECT rtId and rtSize right before the characters), as the standard
// library reads them; they are not in the per-call arena (arena.ts), so they outlive every call.

import { staticRegion } from "./arena";

const LITERAL_TEXT: usize = memory.data<u8>([0]);
const LITERAL_OFFSETS: usize = memory.data<u16>([0]);
/** region 0: per literal, the address of its string (0: not made yet) */
const MADE: usize = staticRegion(16);
/** region 1: the strings, in the order they are first used */
const STRINGS: usize = staticRegion(16);

let nextString: usize = 0;

/** Literal `id` as a string, made on its first use. */
// @ts-ignore: decorator
@global export function __literal(id: u32): string {
  const made = load<u32>(MADE + (<usize>id << 2));
  if (made != 0) return changetype<string>(made);
  const start = <usize>load<u16>(LITERAL_OFFSETS + (<usize>id << 1));
  const length = <usize>load<u16>(LITERAL_OFFSETS + (<usize>id << 1), 2) - start;
  // 16-byte aligned characters after a 20-byte header, as the runtime lays objects out.
  const chars = ((STRINGS + nextString + 20 + 15) & ~15);
  nextString = chars + (length << 1) - STRINGS;
  const bytes = LITERAL_TEXT + start;
  // Eight characters at a time, widened (the first use of each literal is most of a fresh
  // instance's first call), then the rest one by one.
  let i: usize = 0;
  for (; i + 8 <= length; i += 8) v128.store(chars + (i << 1), v128.load8x8_u(bytes + i));
  for (; i < length; i++) store<u16>(chars + (i << 1), load<u8>(bytes + i));
  store<u32>(chars - 8, idof<string>()); // OBJECT.rtId
  store<u32>(chars - 4, <u32>(length << 1)); // OBJECT.rtSize, in bytes
  store<u32>(MADE + (<usize>id << 2), <u32>chars);
  return changetype<string>(chars);
}
