// Every rule set in the repository intercepts the pods/ephemeralcontainers subresource (UPDATE):
// `kubectl debug` adds ephemeral containers through it, and a webhook rule on "pods" does not
// match subresources (https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#matching-requests-rules).
// The rule sets are read from every YAML file and every YAML block of README.md.

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { ROOT } from "./support/workloads";

type Rule = { apiGroups?: string[]; resources?: string[]; operations?: string[] };
const SKIPPED_DIRS = new Set(["node_modules", ".git", "dist", "build", ".registry", ".venv"]);

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

/**
 * [where, rules] for each document holding admission rules: policy metadata or a policy's spec.
 * A Kubernetes audit policy (apiVersion audit.k8s.io/…) has rules of another kind.
 */
function ruleSets(where: string, text: string): Array<[string, Rule[]]> {
  return parseAllDocuments(text).flatMap((doc, i): Array<[string, Rule[]]> => {
    const value = doc.toJS() as { apiVersion?: unknown; rules?: Rule[]; spec?: { rules?: Rule[] } } | null;
    if (value === null || typeof value !== "object") return [];
    if (typeof value.apiVersion === "string" && value.apiVersion.startsWith("audit.k8s.io/")) return [];
    const rules = Array.isArray(value.rules) ? value.rules : value.spec && Array.isArray(value.spec.rules) ? value.spec.rules : null;
    return rules === null ? [] : [[`${where} document ${i}`, rules]];
  });
}

const files = yamlFiles(ROOT).map((path) => [relative(ROOT, path), readFileSync(path, "utf8")] as const);
const readmeBlocks = [...readFileSync(join(ROOT, "README.md"), "utf8").matchAll(/```ya?ml\n([\s\S]*?)```/g)].map(
  (m, i) => [`README.md yaml block ${i}`, m[1]] as const,
);
const sets = [...files, ...readmeBlocks].flatMap(([where, text]) => ruleSets(where, text));

function intercepts(rules: Rule[]): boolean {
  return rules.some(
    (r) =>
      (r.apiGroups ?? []).some((g) => g === "" || g === "*") &&
      (r.resources ?? []).some((res) => res === "pods/ephemeralcontainers" || res === "pods/*" || res === "*/*") &&
      (r.operations ?? []).some((op) => op === "UPDATE" || op === "*"),
  );
}

test("the repository's rule sets are found: metadata, both examples, README", () => {
  const names = sets.map(([where]) => where.split(" ")[0]);
  expect(names).toEqual(
    expect.arrayContaining([
      "policy-metadata.yml",
      "examples/cluster-admission-policy.yaml",
      "examples/admission-policy.yaml",
      "README.md",
    ]),
  );
});

test.each(sets)("%s intercepts pods/ephemeralcontainers UPDATE", (_where, rules) => {
  expect(intercepts(rules)).toBe(true);
});
