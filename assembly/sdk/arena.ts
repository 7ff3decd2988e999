// A per-call arena allocator for the guest: every allocation of a waPC call is a pointer bump, and
// the whole call's memory is released at once when the call ends (handleGuestCall in wapc.ts).
//
// Why: an evaluation allocates many small, short-lived objects (JSON views, decoded strings,
// messages) and none of them outlives the call; the one thing that must survive, the reply, is
// copied by the host in __guest_response before the arena is reset. With AssemblyScript's TLSF
// allocator and its collectors, allocation and collection were most of the evaluation time (and
// the incremental collector's shadow stack was half of the code size). A fresh instance per
// request, which is what policy-server does, frees everything the same way.
//
// How: asconfig.json selects the "stub" runtime (no collector, no shadow stack) and routes the
// runtime's allocation entry points here with `use` aliases (__alloc, __realloc, __free, __new,
// __renew). Objects keep the runtime's header layout (~lib/rt/common: BLOCK, OBJECT), which the
// standard library reads (String#length, ArrayBuffer#byteLength, class ids).
//
// Contract: no global may hold a reference to an object allocated during a call (module-level
// objects are all built by the start function, before the first call). Memory grows as needed and
// is reused by the next call; its size is the largest single call's need. Nothing is freed during
// a call, so code must not build big strings piece by piece: AssemblyScript's Array<string>#join
// does exactly that when optimising for size, hence strings.ts's joinStrings.

import { AL_MASK, BLOCK, BLOCK_MAXSIZE, BLOCK_OVERHEAD, OBJECT, OBJECT_MAXSIZE, OBJECT_OVERHEAD } from "rt/common";

/**
 * The first page after the data segments. wasmtime maps a module's data segments as a
 * copy-on-write memory image, so a write into one of its pages costs a fault and a page copy;
 * pages past it are plain zero pages, a fault and no copy. Instance statics and the arena start here.
 */
// @ts-ignore: decorator
@lazy const FIRST_FREE_PAGE: usize = (__heap_base + 0xfff) & ~0xfff;

// @ts-ignore: decorator
@lazy let arenaOffset: usize = FIRST_FREE_PAGE + AL_MASK + 1 - BLOCK_OVERHEAD;

/**
 * Bytes past the end of every block that are always addressable, so that a 16-byte load from
 * anywhere in an object stays inside memory (the SDK's SIMD string compares read past short
 * strings and ignore the lanes beyond them).
 */
export const LOAD_SLACK: usize = 16;

/** Grows linear memory so that `end` and LOAD_SLACK bytes past it are addressable; traps (out of memory) when it cannot. */
// @ts-ignore: decorator
@inline function ensureMemory(end: usize): void {
  if (<u64>end + <u64>LOAD_SLACK > (<u64>memory.size() << 16)) growMemory(end + LOAD_SLACK);
}

function growMemory(end: usize): void {
  const pages = memory.size();
  const limit = <usize>pages << 16;
  const needed = <i32>((end - limit + 0xffff) >>> 16);
  // Double the memory when possible (fewer grow calls), otherwise take what is needed.
  if (memory.grow(max(pages, needed)) < 0 && memory.grow(needed) < 0) unreachable();
}

// @ts-ignore: decorator
@inline function payloadSize(size: usize): usize {
  return ((size + BLOCK_OVERHEAD + AL_MASK) & ~AL_MASK) - BLOCK_OVERHEAD;
}

/**
 * `size` zero bytes, 16-byte aligned, for the life of the instance: for module-level buffers that
 * calls write (the literal strings and their table, the license table's scratch buffer). Unlike
 * `memory.data`, which lays zero-filled buffers among the data segments, these come after them,
 * next to the arena. Only for module-level initialisers, which run before the first call.
 */
export function staticRegion(size: usize): usize {
  if (callBase != 0) unreachable(); // after the first call the arena would give it back
  const region = __alloc(size);
  // The arena's memory is zero until it is first handed out; other runtimes' (the test
  // harnesses' incremental one) may be reused.
  if (ASC_RUNTIME != 0 /* Runtime.Stub */) memory.fill(region, 0, size);
  return region;
}

/** Runtime __alloc: `size` bytes after a BLOCK header, 16-byte aligned. */
export function arenaAlloc(size: usize): usize {
  return bump(size);
}

/**
 * The allocation itself, inlined into both entry points: every `new` goes through arenaNew,
 * and under policy-server each function call costs an epoch check, a stack check and saved
 * registers on top of the dozen instructions of the bump.
 */
// @ts-ignore: decorator
@inline function bump(size: usize): usize {
  if (size > BLOCK_MAXSIZE) unreachable();
  const block = arenaOffset;
  const ptr = block + BLOCK_OVERHEAD;
  const payload = payloadSize(size);
  const end = ptr + payload;
  if (end < ptr) unreachable(); // beyond 4 GiB: out of memory
  ensureMemory(end);
  changetype<BLOCK>(block).mmInfo = payload;
  arenaOffset = end;
  return ptr;
}

/** Runtime __realloc: grows in place when `ptr` is the last block, else copies. */
export function arenaRealloc(ptr: usize, size: usize): usize {
  const block = changetype<BLOCK>(ptr - BLOCK_OVERHEAD);
  const actual = block.mmInfo;
  if (ptr + actual == arenaOffset) {
    if (size > BLOCK_MAXSIZE) unreachable();
    const payload = payloadSize(size);
    if (ptr + payload < ptr) unreachable(); // beyond 4 GiB: out of memory
    ensureMemory(ptr + payload);
    block.mmInfo = payload;
    arenaOffset = ptr + payload;
    return ptr;
  }
  if (size <= actual) return ptr;
  const moved = arenaAlloc(size);
  memory.copy(moved, ptr, actual);
  return moved;
}

/** Runtime __free: only the last block can be given back before the call ends. */
export function arenaFree(ptr: usize): void {
  const block = changetype<BLOCK>(ptr - BLOCK_OVERHEAD);
  if (ptr + block.mmInfo == arenaOffset) arenaOffset = changetype<usize>(block);
}

/** Runtime __new: a managed object of class `id` with `size` payload bytes. */
export function arenaNew(size: usize, id: u32): usize {
  if (size > OBJECT_MAXSIZE) unreachable();
  const ptr = bump(OBJECT_OVERHEAD + size);
  const object = changetype<OBJECT>(ptr - BLOCK_OVERHEAD);
  object.gcInfo = 0;
  object.gcInfo2 = 0;
  object.rtId = id;
  object.rtSize = <u32>size;
  return ptr + OBJECT_OVERHEAD;
}

/** Runtime __renew: resizes a managed object (array and string builders). */
export function arenaRenew(oldPtr: usize, size: usize): usize {
  if (size > OBJECT_MAXSIZE) unreachable();
  const ptr = arenaRealloc(oldPtr - OBJECT_OVERHEAD, OBJECT_OVERHEAD + size);
  changetype<OBJECT>(ptr - BLOCK_OVERHEAD).rtSize = <u32>size;
  return ptr + OBJECT_OVERHEAD;
}

// @ts-ignore: decorator
@lazy let callBase: usize = 0;

/**
 * Starts a guest call: the arena goes back to where the first call found it, which also reclaims
 * whatever a call that trapped (and so never reached arenaEndCall) left behind.
 */
export function arenaBeginCall(): void {
  if (callBase == 0) callBase = arenaOffset;
  else arenaOffset = callBase;
}

/** Whether a guest call has begun: false while module-level initialisers run. */
export function arenaInCall(): bool {
  return callBase != 0;
}

/** Ends a guest call: everything it allocated is released. */
export function arenaEndCall(): void {
  arenaOffset = callBase;
}

/**
 * An ArrayBuffer of `size` bytes whose contents are NOT zeroed: for buffers that are written in
 * full before they are read (payloads the host copies in, the JSON tape, writer buffers). Saves
 * the fill and, in a fresh instance, touching pages that are never used.
 */
export function uninitializedBuffer(size: i32): ArrayBuffer {
  return changetype<ArrayBuffer>(__new(<usize>size, idof<ArrayBuffer>()));
}

/** Zero bytes after the end of a text buffer (textBuffer): room for one 16-byte load past it. */
export const TEXT_PADDING: i32 = 16;

/**
 * An uninitialized ArrayBuffer of `size` bytes for a text the host writes (a request, a reply)
 * that has TEXT_PADDING more bytes in its block, past its byteLength: the JSON reader reads them
 * as its end marker and lets its 16-byte scans run over them (withTextPadding).
 */
export function textBuffer(size: i32): ArrayBuffer {
  const ptr = __new(<usize>size + <usize>TEXT_PADDING, idof<ArrayBuffer>());
  changetype<OBJECT>(ptr - OBJECT_OVERHEAD - BLOCK_OVERHEAD).rtSize = <u32>size; // the byteLength
  return changetype<ArrayBuffer>(ptr);
}

/**
 * `bytes`, or a copy of it, followed by TEXT_PADDING zero bytes in its block (textBuffer's, or any
 * block that happens to have the room).
 */
export function withTextPadding(bytes: ArrayBuffer): ArrayBuffer {
  const ptr = changetype<usize>(bytes);
  const size = <usize>bytes.byteLength;
  // A block's capacity, as the arena keeps it (BLOCK.mmInfo), less the object header.
  const capacity = changetype<BLOCK>(ptr - OBJECT_OVERHEAD - BLOCK_OVERHEAD).mmInfo - OBJECT_OVERHEAD;
  let text = bytes;
  if (capacity < size + <usize>TEXT_PADDING) {
    text = textBuffer(<i32>size);
    memory.copy(changetype<usize>(text), ptr, size);
  }
  store<u64>(changetype<usize>(text) + size, 0);
  store<u64>(changetype<usize>(text) + size, 0, 8);
  return text;
}
