// kwctl's sources file (--sources-path), read like policy-fetcher's `read_sources_file`
// (crates/policy-fetcher/src/sources.rs):
//
//   insecure_sources: ["registry.dev:5000"]      # plain HTTP and unverified TLS allowed
//   source_authorities:
//     "registry.pre:5443":                       # "host[:port]" exactly as in the image reference
//       - type: Path
//         path: /path/to/ca.pem
//       - type: Data
//         data: |
//           -----BEGIN CERTIFICATE-----
//           …
//
// Certificates are read and checked when the file is loaded (PEM or DER), as policy-fetcher does.
// `proxies` is accepted and ignored.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { X509Certificate } from "node:crypto";
import { parse as parseYaml } from "yaml";

export interface Sources {
  readonly insecureSources: ReadonlySet<string>;
  /** "host[:port]" → PEM certificates */
  readonly sourceAuthorities: ReadonlyMap<string, readonly string[]>;
}

export const EMPTY_SOURCES: Sources = { insecureSources: new Set(), sourceAuthorities: new Map() };

export class SourcesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourcesError";
  }
}

/** kwctl's default when --sources-path is not given: ProjectDirs("io.kubewarden","","kubewarden"). */
export function defaultSourcesPath(): string {
  const configHome =
    process.env.XDG_CONFIG_HOME !== undefined && path.isAbsolute(process.env.XDG_CONFIG_HOME)
      ? process.env.XDG_CONFIG_HOME
      : path.join(os.homedir(), ".config");
  return path.join(configHome, "kubewarden", "sources.yaml");
}

/** Rust's io::Error Display for the usual cases. */
function ioMessage(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "No such file or directory (os error 2)";
    case "EACCES":
      return "Permission denied (os error 13)";
    case "EISDIR":
      return "Is a directory (os error 21)";
    default:
      return (err as Error).message;
  }
}

/** The certificates of PEM or DER data, as PEM; throws like policy-fetcher for anything else. */
export function certificatesFromData(data: Buffer): string[] {
  const text = data.toString("latin1");
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (blocks !== null) {
    try {
      return blocks.map((block) => new X509Certificate(block).toString());
    } catch {
      // fall through to the error below
    }
  } else {
    try {
      return [new X509Certificate(data).toString()];
    } catch {
      // fall through
    }
  }
  throw new SourcesError("Invalid certificate: Raw certificate is not in PEM nor in DER encoding");
}

function typeName(value: unknown): string {
  if (value === null) return "unit";
  if (Array.isArray(value)) return "sequence";
  if (typeof value === "object") return "map";
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  return `${typeof value} \`${String(value)}\``;
}

export function parseSources(text: string, baseDir: string = process.cwd()): Sources {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    throw new SourcesError((err as Error).message);
  }
  if (document === null || document === undefined) return EMPTY_SOURCES;
  if (typeof document !== "object" || Array.isArray(document)) {
    throw new SourcesError(`invalid type: ${typeName(document)}, expected struct RawSources`);
  }
  const raw = document as Record<string, unknown>;

  const insecure = new Set<string>();
  const rawInsecure = raw.insecure_sources;
  if (rawInsecure !== undefined && rawInsecure !== null) {
    if (!Array.isArray(rawInsecure)) {
      throw new SourcesError(`insecure_sources: invalid type: ${typeName(rawInsecure)}, expected a sequence`);
    }
    for (const entry of rawInsecure) {
      if (typeof entry !== "string") {
        throw new SourcesError(`insecure_sources[${insecure.size}]: invalid type: ${typeName(entry)}, expected a string`);
      }
      insecure.add(entry);
    }
  }

  const authorities = new Map<string, string[]>();
  const rawAuthorities = raw.source_authorities;
  if (rawAuthorities !== undefined && rawAuthorities !== null) {
    if (typeof rawAuthorities !== "object" || Array.isArray(rawAuthorities)) {
      throw new SourcesError(`source_authorities: invalid type: ${typeName(rawAuthorities)}, expected a map`);
    }
    for (const [host, list] of Object.entries(rawAuthorities as Record<string, unknown>)) {
      if (!Array.isArray(list)) {
        throw new SourcesError(`source_authorities.${host}: invalid type: ${typeName(list)}, expected a sequence`);
      }
      const pems: string[] = [];
      list.forEach((authority: unknown, i: number) => {
        const where = `source_authorities.${host}[${i}]`;
        if (typeof authority !== "object" || authority === null || Array.isArray(authority)) {
          throw new SourcesError(`${where}: invalid type: ${typeName(authority)}, expected internally tagged enum RawSourceAuthority`);
        }
        const entry = authority as Record<string, unknown>;
        if (entry.type === "Path") {
          if (typeof entry.path !== "string") throw new SourcesError(`${where}: missing field \`path\``);
          let data: Buffer;
          const certificateFile = path.resolve(baseDir, entry.path);
          try {
            data = fs.readFileSync(certificateFile);
          } catch (err) {
            throw new SourcesError(`${where}: Cannot read certificate from file ${certificateFile}: ${ioMessage(err)}`);
          }
          pems.push(...certificatesFromData(data));
        } else if (entry.type === "Data") {
          if (typeof entry.data !== "string") throw new SourcesError(`${where}: missing field \`data\``);
          pems.push(...certificatesFromData(Buffer.from(entry.data, "utf8")));
        } else if (entry.type === undefined) {
          throw new SourcesError(`${where}: missing field \`type\``);
        } else {
          throw new SourcesError(`${where}: unknown variant \`${String(entry.type)}\`, expected \`Data\` or \`Path\``);
        }
      });
      authorities.set(host, pems);
    }
  }
  return { insecureSources: insecure, sourceAuthorities: authorities };
}

/**
 * read_sources_file. Every error names the file: kwctl's own words for an unreadable sources file
 * ("Cannot read certificate from file: …", policy-fetcher's SourceError) do not say which file.
 */
export function loadSourcesFile(file: string): Sources {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new SourcesError(`Cannot read sources file ${file}: ${ioMessage(err)}`);
  }
  try {
    return parseSources(text);
  } catch (err) {
    if (err instanceof SourcesError) throw new SourcesError(`sources file ${file}: ${err.message}`);
    throw err;
  }
}

/** The sources file kwctl would use: the given one, else the default file when it exists, else none. */
export function resolveSourcesFile(sourcesPath: string | undefined): string | null {
  if (sourcesPath !== undefined) return sourcesPath;
  const fallback = defaultSourcesPath();
  return fs.existsSync(fallback) ? fallback : null;
}

/** The sources kwctl would use (resolveSourcesFile), read. */
export function resolveSources(sourcesPath: string | undefined): Sources {
  const file = resolveSourcesFile(sourcesPath);
  return file === null ? EMPTY_SOURCES : loadSourcesFile(file);
}
