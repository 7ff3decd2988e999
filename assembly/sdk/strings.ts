// String helpers that stay linear.
//
// AssemblyScript's Array<string>#join allocates once only when the module is built with
// shrinkLevel 0; with shrinkLevel 1 or more it joins by repeated concatenation (std/assembly/
// array.ts in the assemblyscript package: `if (ASC_SHRINK_LEVEL < 1)`), quadratic in time, and
// with the per-call arena (arena.ts), where nothing is freed before the call ends, quadratic in
// memory. joinStrings is linear at every level, so asconfig.json's shrinkLevel can change freely:
// a Pod with a thousand offending containers, or an index with thousands of platforms, must not
// exhaust the arena.

/** `parts` joined by `separator`, in one allocation. */
export function joinStrings(parts: string[], separator: string): string {
  const n = parts.length;
  if (n == 0) return "";
  if (n == 1) return unchecked(parts[0]);
  const sepLen = separator.length;
  let total = sepLen * (n - 1);
  for (let i = 0; i < n; i++) total += unchecked(parts[i]).length;
  const out = changetype<string>(__new(<usize>total << 1, idof<string>()));
  let at = changetype<usize>(out);
  for (let i = 0; i < n; i++) {
    if (i > 0 && sepLen > 0) {
      memory.copy(at, changetype<usize>(separator), <usize>sepLen << 1);
      at += <usize>sepLen << 1;
    }
    const part = unchecked(parts[i]);
    const bytes = <usize>part.length << 1;
    memory.copy(at, changetype<usize>(part), bytes);
    at += bytes;
  }
  return out;
}

/**
 * The `length` bytes at `bytes` (valid UTF-8) as a string. ASCII, which is nearly every string of
 * a Kubernetes object or an OCI manifest, is widened 8 bytes at a time; anything else goes
 * through the standard library's decoder.
 */
export function decodeUtf8(bytes: usize, length: i32): string {
  let i = 0;
  while (i + 16 <= length && i8x16.bitmask(v128.load(bytes + <usize>i)) == 0) i += 16;
  while (i < length && load<u8>(bytes + <usize>i) < 0x80) i++;
  if (i < length) return String.UTF8.decodeUnsafe(bytes, <usize>length);
  return decodeAscii(bytes, length);
}

/** The `length` bytes at `bytes` (ASCII only) as a string, widened 8 bytes at a time. */
export function decodeAscii(bytes: usize, length: i32): string {
  const out = changetype<usize>(__new(<usize>length << 1, idof<string>()));
  let i = 0;
  for (; i + 8 <= length; i += 8) v128.store(out + (<usize>i << 1), v128.load8x8_u(bytes + <usize>i));
  for (; i < length; i++) store<u16>(out + (<usize>i << 1), load<u8>(bytes + <usize>i));
  return changetype<string>(out);
}

/**
 * Code unit `i` of `s`, for loops that keep 0 <= i < s.length themselves: String#charCodeAt
 * checks the range again and is a call, per character.
 */
// @ts-ignore: decorator
@inline export function codeUnit(s: string, i: i32): i32 {
  return <i32>load<u16>(changetype<usize>(s) + (<usize>i << 1));
}
