// The policy's string literals, stored as Latin-1 by the build (scripts/latin1-literals.mjs, an
// asc transform) and turned into strings on first use. The two `memory.data` calls below are
// placeholders the transform fills: the byte table of every literal, and a zero-filled region
// with a slot for each, where its string object is written once and found again afterwards.
// Objects keep the runtime's header layout (~lib/rt/common.ts: OBJECT rtId and rtSize right
// before the characters), as the standard library reads them.

const LITERAL_TEXT: usize = memory.data<u8>([0]);
const LITERAL_SLOTS: usize = memory.data(0, 16);

/** The literal of `length` characters at `text` in the byte table, as the string in its `slot`. */
// @ts-ignore: decorator
@global export function __literal(text: u32, length: u32, slot: u32): string {
  const chars = LITERAL_SLOTS + <usize>slot;
  if (load<u32>(chars - 4) == 0) {
    const bytes = LITERAL_TEXT + <usize>text;
    for (let i: usize = 0; i < <usize>length; i++) store<u16>(chars + (i << 1), load<u8>(bytes + i));
    store<u32>(chars - 8, idof<string>()); // OBJECT.rtId
    store<u32>(chars - 4, length << 1); // OBJECT.rtSize, in bytes
  }
  return changetype<string>(chars);
}
