// The deployment examples use only fields Kubewarden's CRDs define (policies.kubewarden.io/v1,
// api/policies/v1/*_types.go), and their settings pass the policy's own validate_settings.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { validateSettings } from "./support/policy";
import { ROOT } from "./support/workloads";

const COMMON_SPEC = [
  "policyServer",
  "mode",
  "module",
  "settings",
  "rules",
  "failurePolicy",
  "mutating",
  "backgroundAudit",
  "matchPolicy",
  "matchConditions",
  "objectSelector",
  "sideEffects",
  "timeoutSeconds",
  "timeoutEvalSeconds",
  "message",
];
const SPEC_FIELDS: Record<string, string[]> = {
  ClusterAdmissionPolicy: [...COMMON_SPEC, "namespaceSelector", "contextAwareResources", "allowInsideAdmissionControllerNamespace"],
  AdmissionPolicy: COMMON_SPEC,
};
const RULE_FIELDS = ["apiGroups", "apiVersions", "resources", "operations", "scope"];

type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, unknown> };

function load(file: string): Doc {
  return parse(readFileSync(join(ROOT, "examples", file), "utf8")) as Doc;
}

const metadata = parse(readFileSync(join(ROOT, "policy-metadata.yml"), "utf8")) as { rules: Array<Record<string, string[]>> };
const covered = new Set(metadata.rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}`))));

describe.each([
  ["cluster-admission-policy.yaml", "ClusterAdmissionPolicy"],
  ["admission-policy.yaml", "AdmissionPolicy"],
])("%s", (file, kind) => {
  const doc = load(file);

  test("is a policies.kubewarden.io/v1 resource of the right kind and scope", () => {
    expect(doc.apiVersion).toBe("policies.kubewarden.io/v1");
    expect(doc.kind).toBe(kind);
    expect(doc.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(doc.metadata.namespace === undefined).toBe(kind === "ClusterAdmissionPolicy");
  });

  test("uses only fields the CRD defines, with valid values", () => {
    expect(Object.keys(doc.spec).filter((k) => !SPEC_FIELDS[kind].includes(k))).toEqual([]);
    expect(doc.spec.module).toMatch(/^(registry|https?|file):\/\//);
    expect(["protect", "monitor"]).toContain(doc.spec.mode ?? "protect");
    expect(typeof doc.spec.mutating).toBe("boolean");
    expect(typeof (doc.spec.backgroundAudit ?? true)).toBe("boolean");
    const rules = doc.spec.rules as Array<Record<string, string[]>>;
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(Object.keys(rule).filter((k) => !RULE_FIELDS.includes(k))).toEqual([]);
      for (const op of rule.operations) expect(["CREATE", "UPDATE", "DELETE", "CONNECT", "*"]).toContain(op);
      // every resource the policy is deployed for is one the metadata declares
      for (const g of rule.apiGroups) for (const r of rule.resources) expect(covered).toContain(`${g}/${r}`);
    }
  });

  test("its settings are accepted by validate_settings", () => {
    expect(validateSettings(doc.spec.settings)).toEqual({ valid: true });
  });

  test("mutating is declared when pinDigest asks for mutation", () => {
    const settings = doc.spec.settings as { pinDigest?: boolean };
    if (settings.pinDigest) expect(doc.spec.mutating).toBe(true);
    else expect(doc.spec.mutating).toBe(false);
  });
});
