// kwhost: a kwctl-compatible command line for this repo's Node host. `kwhost run` takes kwctl
// run's flags and prints what kwctl prints (crates/kwctl/src/command/run.rs): the
// AdmissionResponse as one JSON line on stdout; invalid settings print nothing on stdout,
// "Error: Provided settings are not valid: "…"" on stderr, and exit 1.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, Option } from "commander";
import { parse as parseYaml } from "yaml";
import { type OciBackend, ReplayBackend } from "./capabilities";
import { type EngineName, formatAdmissionResponse, type JsonObject, PolicyEvaluator } from "./evaluator";
import { readSession, SessionReplayer } from "./session";
import { createLiveBackend, type LookupFailureReport, RecordingBackend } from "./live";
import { checkDockerConfigDir } from "./oci/credentials";
import type { OciLookupStats } from "./oci/sync-lookup";
import { annotate } from "./annotate";
import { type ManifestType, scaffoldManifest } from "./scaffold";
import { bench, type BenchFlags, formatBench, parseBenchFlags } from "./bench";

export interface RunFlags {
  requestPath: string;
  settingsJson?: string;
  settingsPath?: string;
  replayHostCapabilitiesInteractions?: string;
  recordHostCapabilitiesInteractions?: string;
  allowedHostCapabilities: string[];
  sourcesPath?: string;
  dockerConfigJsonPath?: string;
  raw?: boolean;
  freshInstance?: boolean;
  engine?: EngineName;
  verbose?: boolean;
}

/** Raised for user errors; printed as kwctl prints errors ("Error: …"), exit code 1. */
export class CliError extends Error {}

function readInput(path: string): string {
  return path === "-" ? readFileSync(0, "utf8") : readFileSync(path, "utf8");
}

function parseYamlFile(text: string, what: string): unknown {
  try {
    return parseYaml(text) as unknown; // YAML is a superset of JSON
  } catch (err) {
    throw new CliError(`cannot parse ${what}: ${(err as Error).message}`);
  }
}

/**
 * Settings must be an object or null (PolicySettings::try_from); the default is {}. As in kwctl's
 * PolicyDefinition::from_cli, --settings-path (YAML) wins over --settings-json (JSON only).
 */
export function loadSettings(flags: Pick<RunFlags, "settingsJson" | "settingsPath">): JsonObject {
  let value: unknown = null;
  if (flags.settingsPath !== undefined) value = parseYamlFile(readFileSync(flags.settingsPath, "utf8"), flags.settingsPath);
  else if (flags.settingsJson !== undefined) {
    try {
      value = JSON.parse(flags.settingsJson);
    } catch (err) {
      throw new CliError(`Cannot parse settings JSON: ${(err as Error).message}`);
    }
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new CliError("Policy settings must be a JSON object or null");
  return value as JsonObject;
}

/** The AdmissionRequest to evaluate; an AdmissionReview is unwrapped (build_validate_request). */
export function loadRequest(path: string, raw: boolean): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(readInput(path));
  } catch (err) {
    throw new CliError(`cannot parse request ${path}: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new CliError(`request ${path} is not a JSON object`);
  const record = value as JsonObject;
  if (raw) return record;
  if (record.kind === "AdmissionReview") {
    const inner = record.request;
    if (inner === null || typeof inner !== "object" || Array.isArray(inner)) throw new CliError("AdmissionReview has no request object");
    return inner as JsonObject;
  }
  return record;
}

/** kwctl takes a path or a URI; this host reads local files only (`file://` or a bare path). */
function localPolicyPath(policy: string): string {
  if (policy.startsWith("file://")) return fileURLToPath(policy);
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(policy))
    throw new CliError(`${policy}: this host reads local policy files only; fetch it with \`kwctl pull\` first`);
  return policy;
}

export interface PreparedRun {
  evaluator: PolicyEvaluator;
  request: JsonObject;
  settings: JsonObject;
  /** releases the backend; `evaluated` is false when validate never ran */
  finish: (evaluated: boolean) => void;
  /** replay: start the session over (bench evaluates the same request many times) */
  rewind: () => void;
  /** live lookups: registry requests, fallback attempts and cache hits so far */
  registryStats: (() => OciLookupStats) | null;
  /** live lookups: the failed ones so far (none with a replayed session) */
  lookupFailures: () => readonly LookupFailureReport[];
}

/** `warn` receives kwctl's warnings (e.g. recorded interactions left unused); stderr by default. */
export function prepareRun(
  policyPath: string,
  flags: RunFlags,
  warn: (line: string) => void = (line) => void process.stderr.write(`${line}\n`),
): PreparedRun {
  if (flags.replayHostCapabilitiesInteractions && flags.recordHostCapabilitiesInteractions) {
    throw new CliError("--replay-host-capabilities-interactions and --record-host-capabilities-interactions cannot be used together");
  }
  const settings = loadSettings(flags);
  const request = loadRequest(flags.requestPath, flags.raw === true);
  let backend: OciBackend;
  let finish: (evaluated: boolean) => void;
  let rewind = (): void => {};
  let registryStats: PreparedRun["registryStats"] = null;
  let lookupFailures: PreparedRun["lookupFailures"] = () => [];
  if (flags.replayHostCapabilitiesInteractions) {
    const replay = new ReplayBackend(new SessionReplayer(readSession(flags.replayHostCapabilitiesInteractions)));
    backend = replay;
    rewind = () => replay.rewind();
    finish = (evaluated) => {
      if (evaluated && replay.leftover > 0) warn(`WARN: ${replay.leftover} recorded host capability interaction(s) were not used`);
    };
  } else {
    if (flags.dockerConfigJsonPath !== undefined) checkDockerConfigDir(flags.dockerConfigJsonPath);
    const live = createLiveBackend({ sourcesPath: flags.sourcesPath, dockerConfigDir: flags.dockerConfigJsonPath });
    registryStats = () => live.stats();
    lookupFailures = () => live.failures();
    if (flags.recordHostCapabilitiesInteractions) {
      const recorder = new RecordingBackend(live, flags.recordHostCapabilitiesInteractions);
      backend = recorder;
      finish = () => {
        recorder.save();
        live.close();
      };
    } else {
      backend = live;
      finish = () => live.close();
    }
  }
  const wasm = readFileSync(localPolicyPath(policyPath));
  const evaluator = new PolicyEvaluator(wasm, {
    backend,
    allowed: flags.allowedHostCapabilities,
    freshInstancePerCall: flags.freshInstance === true,
    engine: flags.engine ?? "v8",
  });
  return { evaluator, request, settings, finish, rewind, registryStats, lookupFailures };
}

/**
 * After the AdmissionResponse (which stays kwctl's, byte for byte): one stderr line per failed
 * live lookup, and with --verbose the whole error the policy received.
 */
function reportLookupFailures(prepared: PreparedRun, verbose: boolean, err: (line: string) => void): void {
  for (const failure of prepared.lookupFailures()) {
    err(`kwhost: ${failure.summary}`);
    if (verbose) err(`kwhost: the policy received: ${failure.guestError}`);
  }
}

/**
 * kwctl run.rs: `anyhow!("Provided settings are not valid: {:?}", message.unwrap_or_default())`,
 * printed by main as "Error: …"; nothing goes to stdout.
 */
function settingsError(message: string | undefined): string {
  return `Error: Provided settings are not valid: ${JSON.stringify(message ?? "")}`;
}

/** kwctl run: returns the process exit code. */
export function run(policyPath: string, flags: RunFlags, out: (line: string) => void, err: (line: string) => void): number {
  const prepared = prepareRun(policyPath, flags, err);
  let evaluated = false;
  try {
    const validation = prepared.evaluator.validateSettings(prepared.settings);
    if (!validation.valid) {
      err(settingsError(validation.message));
      return 1;
    }
    out(formatAdmissionResponse(prepared.evaluator.validate(prepared.request, prepared.settings)));
    evaluated = true;
    reportLookupFailures(prepared, flags.verbose === true, err);
    return 0;
  } finally {
    prepared.evaluator.dispose();
    prepared.finish(evaluated);
  }
}

/**
 * Bench's registry figures: requests a registry answered, then, when there were any, the fallback
 * attempts (insecure_sources: HTTPS tried before plain HTTP) and requests left unanswered, apart.
 */
export function formatRegistryCounts(first: OciLookupStats, total: OciLookupStats): string[] {
  const lines = [
    `registry requests: ${first.registryRequests} for the first evaluation, ${total.registryRequests - first.registryRequests} for the ${total.cacheHits - first.cacheHits} cached lookups after it`,
  ];
  if (total.fallbackAttempts > 0 || total.unansweredRequests > 0) {
    lines.push(
      `not counted above: ${first.fallbackAttempts} fallback attempts (HTTPS tried before plain HTTP) and ${first.unansweredRequests} requests without an answer for the first evaluation, ` +
        `${total.fallbackAttempts - first.fallbackAttempts} and ${total.unansweredRequests - first.unansweredRequests} after it`,
    );
  }
  return lines;
}

/** kwctl bench: returns the process exit code. */
export function runBench(
  policyPath: string,
  flags: RunFlags & BenchFlags,
  out: (line: string) => void,
  err: (line: string) => void,
): number {
  parseBenchFlags(flags); // bad numbers fail before any lookup
  const prepared = prepareRun(policyPath, flags, err);
  try {
    const validation = prepared.evaluator.validateSettings(prepared.settings);
    if (!validation.valid) {
      err(settingsError(validation.message));
      return 1;
    }
    // The first evaluation alone shows what a cold cache costs.
    prepared.rewind();
    prepared.evaluator.validate(prepared.request, prepared.settings);
    const first = prepared.registryStats?.();
    const result = bench(prepared, flags, prepared.rewind);
    out(formatBench(result));
    out(`                        samples: ${result.samples}, host calls per evaluation: ${result.hostCallsPerEvaluation}`);
    if (first !== undefined && prepared.registryStats !== null) {
      for (const line of formatRegistryCounts(first, prepared.registryStats())) out(`                        ${line}`);
    }
    reportLookupFailures(prepared, flags.verbose === true, err);
    return 0;
  } finally {
    prepared.evaluator.dispose();
    prepared.finish(false);
  }
}

function addRunFlags(command: Command): Command {
  return (
    command
      .requiredOption("-r, --request-path <PATH>", "AdmissionRequest or AdmissionReview JSON file; - reads stdin")
      .option("--settings-json <VALUE>", "policy settings as JSON")
      .option("-s, --settings-path <PATH>", "file with the policy settings, YAML or JSON")
      .option("--replay-host-capabilities-interactions <FILE>", "answer host capability calls from a kwctl session file")
      .option("--record-host-capabilities-interactions <FILE>", "record host capability calls to a kwctl session file")
      .option("--allowed-host-capabilities <PATTERN...>", "host capabilities the policy may use", ["*"])
      .option("--sources-path <PATH>", "kwctl sources file (insecure_sources, source_authorities)")
      .option("--docker-config-json-path <DIR>", "directory holding a Docker config.json with registry credentials")
      .option("--raw", "pass the request file to the policy verbatim (raw policies)")
      .option(
        "-v, --verbose",
        "after each failed live lookup's one-line summary on stderr, print the whole error chain the policy received",
      )
      .option("--fresh-instance", "a new Wasm instance per operation, as policy-server does (kwctl reuses one)")
      .addOption(
        new Option(
          "--engine <ENGINE>",
          "the engine running the guest: v8 (Node's own) or wasmtime (policy-server's configuration with --fresh-instance, kwctl's without)",
        )
          .choices(["v8", "wasmtime"])
          .default("v8"),
      )
      // kwctl flags that have nothing to act on in this host, accepted so kwctl command lines run unchanged:
      .option(
        "--allow-context-aware",
        "kwctl: grant the metadata's contextAwareResources (this host serves no Kubernetes lookups, so there is nothing to grant)",
      )
      .option("--disable-wasmtime-cache", "kwctl: skip wasmtime's compilation cache (this host keeps none)")
      .addOption(new Option("-e, --execution-mode <MODE>", "execution mode; this host runs waPC policies only").choices(["kubewarden"]))
  );
}

export function buildProgram(out: (line: string) => void, err: (line: string) => void, setExit: (code: number) => void): Command {
  const program = new Command("kwhost").description("kwctl-compatible local host for Kubewarden waPC policies").showHelpAfterError();
  addRunFlags(program.command("run").description("evaluate a policy against a request, like `kwctl run`").argument("<policy.wasm>")).action(
    (policy: string, flags: RunFlags) => setExit(run(policy, flags, out, err)),
  );
  addRunFlags(
    program.command("bench").description("evaluate a policy repeatedly and print timings, like `kwctl bench`").argument("<policy.wasm>"),
  )
    .option("--num-samples <N>", "evaluations measured", "100")
    .option("--warm-up-time <SECONDS>", "seconds spent evaluating before measuring; 0: no warm-up", "1")
    .action((policy: string, flags: RunFlags & BenchFlags) => setExit(runBench(policy, flags, out, err)));
  program
    .command("annotate")
    .description("write policy metadata into the Wasm module, like `kwctl annotate`")
    .argument("<policy.wasm>")
    .requiredOption("-m, --metadata-path <PATH>", "metadata YAML file")
    .requiredOption("-o, --output-path <PATH>", "annotated module to write")
    .option("-u, --usage-path <PATH>", "file whose text becomes the io.kubewarden.policy.usage annotation")
    .action((policy: string, flags: { metadataPath: string; outputPath: string; usagePath?: string }) => {
      annotate({ wasmPath: policy, metadataPath: flags.metadataPath, usagePath: flags.usagePath, outputPath: flags.outputPath }, err);
      setExit(0);
    });
  program
    .command("scaffold")
    .description("generate files, like `kwctl scaffold`")
    .command("manifest")
    .description("print a ClusterAdmissionPolicy or AdmissionPolicy for the policy, like `kwctl scaffold manifest`")
    .argument("<policy.wasm>", "the annotated policy: a path or a file:// URI")
    .addOption(
      new Option("-t, --type <TYPE>", "the kind of resource").choices(["ClusterAdmissionPolicy", "AdmissionPolicy"]).makeOptionMandatory(),
    )
    .option("--settings-json <VALUE>", "policy settings, JSON (or YAML)")
    .option("--title <TITLE>", "metadata.name (default: the policy's io.kubewarden.policy.title)")
    .option("--allow-context-aware", "keep the contextAwareResources of the metadata")
    .action((policy: string, flags: { type: ManifestType; settingsJson?: string; title?: string; allowContextAware?: boolean }) => {
      const { yaml, warnings } = scaffoldManifest(policy, flags);
      for (const warning of warnings) err(`WARN ${warning}`);
      out(yaml.trimEnd());
      setExit(0);
    });
  return program;
}

export function main(argv: string[]): void {
  let exitCode = 0;
  const out = (line: string): void => void process.stdout.write(line + "\n");
  const err = (line: string): void => void process.stderr.write(line + "\n");
  try {
    buildProgram(out, err, (code) => (exitCode = code)).parse(argv);
  } catch (error) {
    err(`Error: ${(error as Error).message}`);
    exitCode = 1;
  }
  process.exitCode = exitCode;
}
