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
