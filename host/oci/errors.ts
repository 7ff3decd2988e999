// Errors shaped like the Rust ones the real host produces, so the texts a policy sees match.
// A Rust error has a Display text and a chain of sources; the host hands the guest
// `format!("Callback evaluation failure: {e:?}")` where `e` is an anyhow::Error, whose Debug form
// is the Display text followed by "\n\nCaused by:" and the chain (numbered when longer than one).
// kwctl's record mode stores only the Display text.

export class ChainError extends Error {
  /** Display texts of the source chain, outermost first (not including this error). */
  readonly sources: readonly string[];

  constructor(message: string, sources: readonly string[] = []) {
    super(message);
    this.name = "ChainError";
    this.sources = sources;
  }

  /** `#[error("<prefix>{0}")] Variant(#[from] Inner)`: the inner error becomes the first source. */
  wrap(prefix: string): ChainError {
    return new ChainError(`${prefix}${this.message}`, [this.message, ...this.sources]);
  }
}

/** anyhow's `{:?}` of an error (without backtrace, which is only captured with RUST_BACKTRACE). */
export function anyhowDebug(error: ChainError): string {
  if (error.sources.length === 0) return error.message;
  const numbered = error.sources.length > 1;
  const lines = error.sources.map((source, n) => {
    const [first, ...rest] = source.split("\n");
    const head = numbered ? `${String(n).padStart(5, " ")}: ` : "    ";
    const indent = numbered ? "       " : "    ";
    return [head + first, ...rest.map((line) => indent + line)].join("\n");
  });
  return `${error.message}\n\nCaused by:\n${lines.join("\n")}`;
}

/** Rust's `{:?}` of a str. */
export function rustDebugString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\0") out += "\\0";
    else if (code < 0x20 || code === 0x7f) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}

// oci-client's OciDistributionError variants (src/errors.rs) that a pull can produce.
export const OciDistributionError = {
  registry: (url: string, envelope: string): ChainError => new ChainError(`Registry error: url ${url}, envelope: ${envelope}`),
  server: (url: string, code: number, message: string): ChainError =>
    new ChainError(`Server error: url ${url}, code: ${code}, message: ${message}`),
  unauthorized: (url: string): ChainError => new ChainError(`Not authorized: url ${url}`),
  specViolation: (message: string): ChainError => new ChainError(`OCI distribution spec violation: ${message}`),
  digest: (inner: string): ChainError => new ChainError(inner).wrap("Digest error: "),
  manifestParsing: (message: string): ChainError => new ChainError(`Failed to parse manifest as Versioned object: ${message}`),
  versionedParsing: (message: string): ChainError => new ChainError(`Failed to parse manifest: ${message}`),
  unsupportedSchemaVersion: (version: number): ChainError => new ChainError(`Unsupported schema version: ${version}`),
  unsupportedMediaType: (mediaType: string): ChainError => new ChainError(`Unsupported media type: ${mediaType}`),
  imageManifestNotFound: (message: string): ChainError => new ChainError(`Image manifest not found: ${message}`),
  generic: (message: string): ChainError => new ChainError(`Generic error: Some(${rustDebugString(message)})`),
  manifestEncoding: (): ChainError => new ChainError("Manifest is not valid UTF-8", ["invalid utf-8 sequence"]),
};

/** policy-fetcher's RegistryError::OCIRegistryError. */
export function registryFailure(error: ChainError): ChainError {
  return error.wrap("Fail to interact with OCI registry: ");
}
