// kwctl's host-capability session files (crates/kwctl/src/callback_handler/proxy.rs): a YAML list of
// `{type: Exchange, request: <YAML text of the tagged request>, response: {type: Success, payload}
// | {type: Error, message}}`. The request text is itself YAML, e.g. "!OciManifest\nimage: nginx\n".

import { readFileSync, writeFileSync } from "node:fs";
import { Document, parse, parseDocument, stringify, YAMLMap, type Tags } from "yaml";
import { sortedJson } from "./sorted_json";

/** The callback request variants this host serves (kwctl's CallbackRequestType names). */
export type OciRequestTag = "OciManifest" | "OciManifestDigest" | "OciManifestAndConfig";
export const OCI_REQUEST_TAGS: readonly OciRequestTag[] = ["OciManifest", "OciManifestDigest", "OciManifestAndConfig"];

/** A callback request, as kwctl compares them: variant plus fields. */
export interface CallbackRequest {
  tag: string;
  fields: Record<string, unknown>;
}

export type ExchangeResponse = { type: "Success"; payload: string } | { type: "Error"; message: string };

export interface Exchange {
  request: CallbackRequest;
  response: ExchangeResponse;
}

// Any `!Tag` on a mapping is kept as the request's variant name.
const mappingTag = (tag: string): Tags[number] => ({
  tag: `!${tag}`,
  collection: "map",
  resolve: (value) => value,
});

function parseRequestText(text: string, where: string): CallbackRequest {
  const document = parseDocument(text, {
    customTags: (tags) => [...tags, ...KNOWN_TAGS.map(mappingTag)],
  });
  if (document.errors.length > 0) throw new Error(`${where}: request is not valid YAML: ${document.errors[0].message}`);
  const contents = document.contents;
  if (!(contents instanceof YAMLMap) || typeof contents.tag !== "string" || !contents.tag.startsWith("!")) {
    throw new Error(`${where}: request must be a tagged mapping such as "!OciManifest\\nimage: …"`);
  }
  const fields = contents.toJSON() as Record<string, unknown>;
  return { tag: contents.tag.slice(1), fields };
}

/** Every CallbackRequestType variant of kwctl, so a session with other lookups still parses. */
const KNOWN_TAGS = [
  ...OCI_REQUEST_TAGS,
  "SigstorePubKeyVerify",
  "SigstoreKeylessVerify",
  "SigstoreKeylessPrefixVerify",
  "SigstoreGithubActionsVerify",
  "SigstoreCertificateVerify",
  "DNSLookupHost",
  "KubernetesListResourceNamespace",
  "KubernetesListResourceAll",
  "KubernetesGetResource",
  "KubernetesCanI",
  "CryptoIsCertificateTrusted",
];

export function requestText(request: CallbackRequest): string {
  // serde_yaml::to_string of an externally tagged enum: "!Tag\nfield: value\n".
  const body = stringify(request.fields, { lineWidth: 0 });
  return `!${request.tag}\n${body}`;
}

export function sameRequest(a: CallbackRequest, b: CallbackRequest): boolean {
  return a.tag === b.tag && sortedJson(a.fields) === sortedJson(b.fields);
}

export function parseSession(text: string, file = "session"): Exchange[] {
  const entries: unknown = parse(text);
  if (entries === null || entries === undefined) return [];
  if (!Array.isArray(entries)) throw new Error(`${file}: a session file is a YAML list of exchanges`);
  return entries.map((entry: unknown, i: number): Exchange => {
    const where = `${file}: exchange ${i + 1}`;
    if (entry === null || typeof entry !== "object") throw new Error(`${where}: not a mapping`);
    const record = entry as Record<string, unknown>;
    if (record.type !== "Exchange") throw new Error(`${where}: type must be "Exchange"`);
    if (typeof record.request !== "string") throw new Error(`${where}: request must be a string`);
    const response = record.response as Record<string, unknown> | null | undefined;
    if (response === null || typeof response !== "object") throw new Error(`${where}: response must be a mapping`);
    let parsed: ExchangeResponse;
    if (response.type === "Success" && typeof response.payload === "string") {
      parsed = { type: "Success", payload: response.payload };
    } else if (response.type === "Error" && typeof response.message === "string") {
      parsed = { type: "Error", message: response.message };
    } else {
      throw new Error(`${where}: response must be {type: Success, payload: <string>} or {type: Error, message: <string>}`);
    }
    return { request: parseRequestText(record.request, where), response: parsed };
  });
}

export function readSession(path: string): Exchange[] {
  return parseSession(readFileSync(path, "utf8"), path);
}

export function serializeSession(exchanges: readonly Exchange[]): string {
  const document = new Document(
    exchanges.map((e) => ({
      type: "Exchange",
      request: requestText(e.request),
      response:
        e.response.type === "Success" ? { type: "Success", payload: e.response.payload } : { type: "Error", message: e.response.message },
    })),
  );
  return document.toString({ lineWidth: 0 });
}

export function writeSession(path: string, exchanges: readonly Exchange[]): void {
  writeFileSync(path, serializeSession(exchanges));
}

/**
 * Replays a session like kwctl's proxy in replay mode: exchanges are consumed in order and each
 * must equal the request the policy makes.
 */
export class SessionReplayer {
  private next = 0;

  constructor(private readonly exchanges: readonly Exchange[]) {}

  answer(request: CallbackRequest): { ok: true; payload: string } | { ok: false; error: string } {
    if (this.next >= this.exchanges.length) return { ok: false, error: "the list of recorded responses is empty" };
    // kwctl pops the exchange before comparing: a mismatch consumes it too.
    const expected = this.exchanges[this.next++];
    if (!sameRequest(expected.request, request)) {
      return {
        ok: false,
        error: `Replay error: unexpected request. Was expecting ${describeRequest(expected.request)}, got ${describeRequest(request)} instead`,
      };
    }
    const response = expected.response;
    return response.type === "Success" ? { ok: true, payload: response.payload } : { ok: false, error: response.message };
  }

  /** Starts over from the first exchange (bench replays the same session for every evaluation). */
  rewind(): void {
    this.next = 0;
  }

  /** Exchanges never asked for (kwctl only warns about them). */
  get leftover(): number {
    return this.exchanges.length - this.next;
  }
}

function describeRequest(request: CallbackRequest): string {
  const fields = Object.entries(request.fields)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(", ");
  return `${request.tag} { ${fields} }`;
}
