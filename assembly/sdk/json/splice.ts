// Rewrites parts of a parsed JSON value in place: the text of `value` with some of its
// descendants' byte ranges replaced. Everything else stays byte for byte as the host sent it,
// so the JSON patch the host derives names only the replaced values.

import { JsonValue } from "./reader";
import { joinStrings } from "../strings";
import { heapSort } from "../sort";

export class Replacement {
  constructor(
    /** a descendant of the value being rewritten */
    public node: JsonValue,
    /** JSON text to put in its place */
    public json: string,
  ) {}
}

/** `value` as JSON text with `replacements` applied (they must not overlap). */
export function spliceJson(value: JsonValue, replacements: Replacement[]): string {
  const sorted = replacements.slice(0);
  heapSort<Replacement>(sorted, (a: Replacement, b: Replacement): bool => a.node.start < b.node.start);
  const parts = new Array<string>();
  // Addresses in the text (JsonValue start and end)
  let cursor = value.start;
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i];
    if (r.node.start < cursor || r.node.end > value.end) continue; // overlapping or outside: skipped
    parts.push(String.UTF8.decodeUnsafe(cursor, r.node.start - cursor));
    parts.push(r.json);
    cursor = r.node.end;
  }
  parts.push(String.UTF8.decodeUnsafe(cursor, value.end - cursor));
  return joinStrings(parts, "");
}
