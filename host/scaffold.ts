// `kwhost scaffold manifest`, after `kwctl scaffold manifest` (kubewarden-controller
// crates/kwctl/src/scaffold/manifest.rs and kubewarden_crds.rs): a ClusterAdmissionPolicy or
// AdmissionPolicy built from the metadata annotated into the module, printed as kwctl prints it.
//
// What kwctl writes, and so what this writes:
// - apiVersion policies.kubewarden.io/v1, kind, metadata, spec, in that order;
// - metadata: `annotations` (only io.kubewarden.policy.severity and .category, sorted; omitted
//   when neither is set) before `name` (from --title, else io.kubewarden.policy.title; omitted
//   when neither; validated as an RFC 1123 name) — k8s-openapi's ObjectMeta writes its fields in
//   alphabetical order;
// - spec: module (the policy URI: a local path becomes file://<canonical path>), settings (from
//   --settings-json, YAML or JSON, a mapping; {} by default), rules, mutating; backgroundAudit
//   only when false; for a ClusterAdmissionPolicy contextAwareResources only when non-empty, and
//   emptied (with kwctl's warnings) unless --allow-context-aware;
// - YAML as serde_yaml writes it: block style, sequences not indented under their key, strings
//   quoted only when they must be, with single quotes ('' for the empty string).

import { readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Document, parse as parseYaml } from "yaml";
import { METADATA_SECTION, readCustomSection } from "./annotate";

export type ManifestType = "ClusterAdmissionPolicy" | "AdmissionPolicy";

export interface ScaffoldOptions {
  type: ManifestType;
  settingsJson?: string;
  title?: string;
  allowContextAware?: boolean;
}

interface PolicyRule {
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  operations?: string[];
}

interface PolicyMetadata {
  rules?: PolicyRule[];
  annotations?: Record<string, string>;
  mutating?: boolean;
  backgroundAudit?: boolean;
  contextAwareResources?: { apiVersion: string; kind: string }[];
}

const SEVERITY = "io.kubewarden.policy.severity";
const CATEGORY = "io.kubewarden.policy.category";
const TITLE = "io.kubewarden.policy.title";

/** kwctl's is_valid_k8s_hostname: an RFC 1123 host name, lowercase, at most 253 characters. */
export function isValidPolicyTitle(title: string): boolean {
  if (title.length === 0 || title.length > 253) return false;
  return title.split(".").every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label));
}

/** The policy URI as kwctl's get_uri makes it: a local path becomes a file:// URL of its canonical path. */
function policyUri(policy: string): { uri: string; path: string } {
  if (policy.startsWith("file://")) {
    const path = new URL(policy).pathname;
    return { uri: pathToFileURL(realpathSync(path)).href, path };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(policy))
    throw new Error(`${policy}: this host reads local policy files only; fetch it with \`kwctl pull\` first`);
  const canonical = realpathSync(policy);
  return { uri: pathToFileURL(canonical).href, path: canonical };
}

/** The manifest YAML, and the warnings kwctl would log. */
export function scaffoldManifest(policy: string, options: ScaffoldOptions): { yaml: string; warnings: string[] } {
  const { uri, path } = policyUri(policy);
  const section = readCustomSection(readFileSync(path), METADATA_SECTION);
  if (section === null) {
    throw new Error(`No Kubewarden metadata found inside of '${uri}'.\nPolicies can be annotated with the \`kwctl annotate\` command.`);
  }
  const metadata = JSON.parse(section.toString("utf8")) as PolicyMetadata;
  const settings: unknown = parseYaml(options.settingsJson ?? "{}") ?? {};
  if (settings === null || typeof settings !== "object" || Array.isArray(settings)) {
    throw new Error("invalid type: the settings must be a mapping");
  }
  const title = options.title ?? metadata.annotations?.[TITLE];
  if (title !== undefined && !isValidPolicyTitle(title)) {
    throw new Error(
      `Invalid title '${title}'. Must conform to RFC 1123: use lowercase alphanumeric chars, '-' or '.', and start/end with an alphanumeric character.`,
    );
  }

  const annotations: Record<string, string> = {};
  for (const key of [CATEGORY, SEVERITY]) {
    // sorted, as a BTreeMap
    const value = metadata.annotations?.[key];
    if (value !== undefined) annotations[key] = value;
  }
  const objectMeta: Record<string, unknown> = {};
  if (Object.keys(annotations).length > 0) objectMeta.annotations = annotations;
  if (title !== undefined) objectMeta.name = title;

  const spec: Record<string, unknown> = {
    module: uri,
    settings,
    rules: (metadata.rules ?? []).map((rule) => ({
      apiGroups: rule.apiGroups ?? [],
      apiVersions: rule.apiVersions ?? [],
      resources: rule.resources ?? [],
      operations: rule.operations ?? [],
    })),
    mutating: metadata.mutating ?? false,
  };
  if (metadata.backgroundAudit === false) spec.backgroundAudit = false;
  const warnings: string[] = [];
  const contextAware = metadata.contextAwareResources ?? [];
  if (options.type === "ClusterAdmissionPolicy" && contextAware.length > 0) {
    if (options.allowContextAware) {
      warnings.push("Policy has been granted access to the Kubernetes resources mentioned by its metadata.");
      warnings.push("Carefully review the contents of the `contextAwareResources` attribute for abuses.");
      spec.contextAwareResources = [...contextAware].sort((a, b) => `${a.apiVersion} ${a.kind}`.localeCompare(`${b.apiVersion} ${b.kind}`));
    } else {
      warnings.push(
        "Policy requires access to Kubernetes resources at evaluation time. For safety reasons, the `contextAwareResources` attribute has been left empty.",
      );
      warnings.push(
        "Carefully review which types of Kubernetes resources the policy needs via the `inspect` command an populate the `contextAwareResources` accordingly.",
      );
      warnings.push("Otherwise, invoke the `scaffold` command using the `--allow-context-aware` flag.");
    }
  }

  const manifest = { apiVersion: "policies.kubewarden.io/v1", kind: options.type, metadata: objectMeta, spec };
  const document = new Document(manifest);
  const yaml = document.toString({ indentSeq: false, singleQuote: true, lineWidth: 0, flowCollectionPadding: false });
  return { yaml, warnings };
}
