// JSON text with object keys sorted recursively: what serde_json without preserve_order writes
// (policy-evaluator builds the validate payload that way), and a canonical form for comparing
// callback requests.

export function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const record = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(record)
          .sort()
          .map((k) => [k, record[k]]),
      );
    }
    return v;
  });
}
