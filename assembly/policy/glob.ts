// Globs for annotation values, label values, environment variable names and exempt images:
// `*` any run of characters (also "/"), `?` one character, `\` makes the next character literal.
// A pattern ending in a lone `\` is invalid. Matching is whole-string and case-sensitive.

/** null when `pattern` is a valid glob, else what is wrong. */
export function globProblem(pattern: string): string | null {
  const n = pattern.length;
  for (let i = 0; i < n; i++) {
    if (pattern.charCodeAt(i) == 0x5c) {
      if (i + 1 >= n) return "pattern \"" + pattern + "\" ends with a lone \"\\\"";
      i++;
    }
  }
  return null;
}

/** Whole-string match with backtracking over the last `*` only: O(len(pattern) × len(text)). */
export function globMatch(pattern: string, text: string): bool {
  const pn = pattern.length;
  const tn = text.length;
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < tn) {
    if (p < pn) {
      const c = pattern.charCodeAt(p);
      if (c == 0x2a) {
        starP = p++;
        starT = t;
        continue;
      }
      if (c == 0x3f) {
        // one character: a surrogate pair counts as one
        const unit = text.charCodeAt(t);
        p++;
        t += unit >= 0xd800 && unit <= 0xdbff && t + 1 < tn ? 2 : 1;
        continue;
      }
      let literal = c;
      let width = 1;
      if (c == 0x5c && p + 1 < pn) {
        literal = pattern.charCodeAt(p + 1);
        width = 2;
      }
      if (literal == text.charCodeAt(t)) {
        p += width;
        t++;
        continue;
      }
    }
    if (starP < 0) return false;
    p = starP + 1;
    t = ++starT;
  }
  while (p < pn && pattern.charCodeAt(p) == 0x2a) p++;
  return p == pn;
}

/** true when any of `patterns` matches `text`. */
export function anyGlobMatches(patterns: string[], text: string): bool {
  for (let i = 0; i < patterns.length; i++) if (globMatch(patterns[i], text)) return true;
  return false;
}
