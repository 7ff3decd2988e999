// `kwhost annotate`, after kwctl's annotate (crates/kwctl/src/annotate.rs): reads the metadata
// YAML, asks the policy for its protocol version (waPC `protocol_version`), adds the README as
// `io.kubewarden.policy.usage`, and writes the metadata as JSON into the Wasm custom section
// `io.kubewarden.metadata`, replacing an existing one.
//
// Custom sections are written by hand: the format is four lines of the Wasm spec
// (id 0, LEB128 size, LEB128 name length, name, payload) and no npm package does only this.

import { readFileSync, writeFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { PolicyEvaluator } from "./evaluator";
import { granted, type OciBackend } from "./capabilities";

export const METADATA_SECTION = "io.kubewarden.metadata";

const VALID_OPERATIONS = new Set(["CREATE", "UPDATE", "DELETE", "CONNECT", "*"]);
const EXECUTION_MODES = new Set(["kubewarden-wapc", "opa", "gatekeeper", "wasi"]);

function encodeLeb128(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function decodeLeb128(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let next = offset;
  for (;;) {
    if (next >= bytes.length) throw new Error("truncated LEB128 in Wasm module");
    const byte = bytes[next++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next };
    shift += 7;
  }
}

export interface Section {
  id: number;
  start: number;
  end: number;
  name?: string;
}

/** The sections of a module, in order (id 8 is the start section). */
export function sections(wasm: Uint8Array): Section[] {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new Error("not a WebAssembly module");
  }
  const found: Section[] = [];
  let offset = 8;
  while (offset < wasm.length) {
    const start = offset;
    const id = wasm[offset++];
    const size = decodeLeb128(wasm, offset);
    const end = size.next + size.value;
    if (end > wasm.length) throw new Error("truncated section in Wasm module");
    const section: Section = { id, start, end };
    if (id === 0) {
      const nameLength = decodeLeb128(wasm, size.next);
      section.name = Buffer.from(wasm.subarray(nameLength.next, nameLength.next + nameLength.value)).toString("utf8");
    }
    found.push(section);
    offset = end;
  }
  return found;
}

/** The payload of custom section `name`, or null. */
export function readCustomSection(wasm: Uint8Array, name: string): Buffer | null {
  for (const section of sections(wasm)) {
    if (section.id !== 0 || section.name !== name) continue;
    const size = decodeLeb128(wasm, section.start + 1);
    const nameLength = decodeLeb128(wasm, size.next);
    return Buffer.from(wasm.subarray(nameLength.next + nameLength.value, section.end));
  }
  return null;
}

/** `wasm` with custom section `name` set to `payload` (any earlier one removed). */
export function withCustomSection(wasm: Uint8Array, name: string, payload: Uint8Array): Buffer {
  const kept = sections(wasm).filter((s) => !(s.id === 0 && s.name === name));
  const nameBytes = Buffer.from(name, "utf8");
  const body = Buffer.concat([Buffer.from(encodeLeb128(nameBytes.length)), nameBytes, payload]);
  const section = Buffer.concat([Buffer.from([0]), Buffer.from(encodeLeb128(body.length)), body]);
  return Buffer.concat([Buffer.from(wasm.subarray(0, 8)), ...kept.map((s) => Buffer.from(wasm.subarray(s.start, s.end))), section]);
}

/** The bytes of every data segment (the data section, id 11). */
export function dataSegments(wasm: Uint8Array): Buffer {
  const data = sections(wasm).find((s) => s.id === 11);
  if (data === undefined) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  let at = decodeLeb128(wasm, data.start + 1).next;
  const count = decodeLeb128(wasm, at);
  at = count.next;
  for (let i = 0; i < count.value; i++) {
    const flags = decodeLeb128(wasm, at);
    at = flags.next;
    if (flags.value === 2) at = decodeLeb128(wasm, at).next; // explicit memory index
    if (flags.value !== 1) {
      // active segment: skip the constant offset expression up to its `end` (0x0b)
      while (wasm[at] !== 0x0b) at++;
      at++;
    }
    const size = decodeLeb128(wasm, at);
    parts.push(Buffer.from(wasm.subarray(size.next, size.next + size.value)));
    at = size.next + size.value;
  }
  return Buffer.concat(parts);
}

/** Host capabilities kwctl knows (policy-evaluator's CAPABILITY_TREE), "namespace/operation". */
const KNOWN_CAPABILITIES = [
  "oci/v1/verify",
  "oci/v2/verify",
  "oci/v1/manifest_digest",
  "oci/v1/oci_manifest",
  "oci/v1/oci_manifest_config",
  "net/v1/dns_lookup_host",
  "crypto/v1/is_certificate_trusted",
  "kubernetes/list_resources_by_namespace",
  "kubernetes/list_resources_all",
  "kubernetes/get_resource",
  "kubernetes/can_i",
];

/**
 * kwctl annotate's heuristic (crates/kwctl/src/wasm_scanner.rs): a capability counts as used when
 * both its namespace and its operation appear as bytes in the data segments.
 */
export function detectedCapabilities(wasm: Uint8Array): string[] {
  const data = dataSegments(wasm);
  return KNOWN_CAPABILITIES.filter((path) => {
    const slash = path.indexOf("/");
    return data.includes(Buffer.from(path.slice(0, slash))) && data.includes(Buffer.from(path.slice(slash + 1)));
  });
}

/** kwctl's warnings when the metadata's hostCapabilities and the detected ones differ. */
export function capabilityWarnings(wasm: Uint8Array, declared: readonly string[]): string[] {
  const detected = detectedCapabilities(wasm);
  const undeclared = detected.filter((path) => !granted(declared, path));
  const unused = declared.filter((pattern) => !pattern.includes("*") && !detected.includes(pattern));
  const warnings: string[] = [];
  if (undeclared.length > 0) warnings.push(`host capabilities used by the policy but not declared in metadata: ${undeclared.join(", ")}`);
  if (unused.length > 0) warnings.push(`host capabilities declared in metadata but not detected in the policy: ${unused.join(", ")}`);
  return warnings;
}

/** Checks the fields kwctl validates; returns the problems found. */
export function metadataProblems(metadata: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof metadata.mutating !== "boolean") problems.push("mutating must be a boolean");
  const mode = metadata.executionMode ?? "kubewarden-wapc";
  if (typeof mode !== "string" || !EXECUTION_MODES.has(mode))
    problems.push(`executionMode ${JSON.stringify(mode)} is not one of ${[...EXECUTION_MODES].join(", ")}`);
  if (!Array.isArray(metadata.rules) || metadata.rules.length === 0) problems.push("rules must be a non-empty list");
  else {
    metadata.rules.forEach((rule: unknown, i: number) => {
      const r = rule as Record<string, unknown> | null;
      for (const field of ["apiGroups", "apiVersions", "resources", "operations"]) {
        const list = r?.[field];
        if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === "string"))
          problems.push(`rules[${i}].${field} must be a non-empty list of strings`);
      }
      const operations = r?.operations;
      if (Array.isArray(operations)) {
        for (const op of operations)
          if (!VALID_OPERATIONS.has(String(op))) problems.push(`rules[${i}].operations: unknown operation ${JSON.stringify(op)}`);
      }
    });
  }
  const annotations = metadata.annotations;
  if (
    annotations !== undefined &&
    (annotations === null || typeof annotations !== "object" || !Object.values(annotations).every((v) => typeof v === "string"))
  ) {
    problems.push("annotations must map strings to strings");
  }
  return problems;
}

const NO_LOOKUPS: OciBackend = { lookup: () => ({ ok: false, error: "annotate makes no host capability calls" }) };

export function annotate(
  options: { wasmPath: string; metadataPath: string; usagePath?: string; outputPath: string },
  warn: (line: string) => void = () => {},
): Record<string, unknown> {
  const wasm = readFileSync(options.wasmPath);
  const metadata = parseYaml(readFileSync(options.metadataPath, "utf8")) as Record<string, unknown>;
  if (metadata === null || typeof metadata !== "object") throw new Error(`${options.metadataPath}: not a YAML mapping`);
  const problems = metadataProblems(metadata);
  if (problems.length > 0) throw new Error(`${options.metadataPath}: invalid metadata: ${problems.join("; ")}`);
  if ((metadata.executionMode ?? "kubewarden-wapc") === "kubewarden-wapc") {
    metadata.protocolVersion = new PolicyEvaluator(wasm, { backend: NO_LOOKUPS }).protocolVersion();
  }
  const declared = Array.isArray(metadata.hostCapabilities) ? metadata.hostCapabilities.map(String) : [];
  for (const line of capabilityWarnings(wasm, declared)) warn(`WARN: ${line}`);
  const annotations = { ...((metadata.annotations as Record<string, string> | undefined) ?? {}) };
  if (options.usagePath !== undefined) annotations["io.kubewarden.policy.usage"] = readFileSync(options.usagePath, "utf8");
  metadata.annotations = annotations;
  writeFileSync(options.outputPath, withCustomSection(wasm, METADATA_SECTION, Buffer.from(JSON.stringify(metadata), "utf8")));
  return metadata;
}
