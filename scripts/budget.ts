// The time budget as figures: policy-server interrupts an evaluation after 2 epoch ticks of one
// second, i.e. after 1 to 2 s of wall-clock time, host calls included (README "Host
// calls" and "The real engine: wasmtime"). On a cold cache every host call is registry round trips, so this script evaluates
// each scenario with host calls that sleep a simulated registry latency per GET and prints host
// calls, registry GETs and wall time at 20, 50 and 100 ms.
//
//   node dist/scripts/budget.js [--latencies 20,50,100] [--engine wasmtime|v8]
//
// GETs per call: v1/oci_manifest 1, v1/manifest_digest 1 (a HEAD), v1/oci_manifest_config 2 (the
// manifest and the config blob; every config call this policy makes names an image manifest).
// A fresh instance per validate, as policy-server does; on wasmtime (the default) in policy-server's
// configuration, so an evaluation past the deadline is really interrupted and shows as such. This
// is a script, not a test: nothing here asserts.

import { type LookupAnswer, type OciBackend, type OciOperation, TableBackend } from "../host/capabilities";
import { type EngineName, INTERRUPTED_EVALUATION_MESSAGE, type JsonObject, PolicyEvaluator } from "../host/evaluator";
import {
  APP_IMAGE,
  container,
  DOI_IMAGE,
  doiFixtures,
  doiIndex,
  LICENSE_KEY,
  platformManifest,
  realisticPodRequest,
  policyBytes,
} from "../tests/support/workloads";

const GETS: Record<OciOperation, number> = { "v1/oci_manifest": 1, "v1/manifest_digest": 1, "v1/oci_manifest_config": 2 };

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const latencies = option("--latencies", "20,50,100").split(",").map(Number);
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** A table of replies whose every lookup first sleeps `latencyMs` per registry GET, counting calls and GETs. */
class SlowRegistry implements OciBackend {
  calls = 0;
  gets = 0;
  latencyMs = 0;
  private readonly table: TableBackend;

  constructor(replies: Map<string, string>) {
    const answers = new Map<string, LookupAnswer>();
    for (const [key, payload] of replies) {
      answers.set(TableBackend.keyOf(key), { ok: true, payload });
    }
    this.table = new TableBackend(answers);
  }

  lookup(operation: OciOperation, image: string): LookupAnswer {
    this.calls++;
    this.gets += GETS[operation];
    if (this.latencyMs > 0) Atomics.wait(sleeper, 0, 0, this.latencyMs * GETS[operation]);
    return this.table.lookup(operation, image);
  }
}

interface Scenario {
  name: string;
  request: JsonObject;
  replies: Map<string, string>;
  settings: JsonObject;
}

function pod(images: string[]): JsonObject {
  return realisticPodRequest(images.map((image, n) => container(`c${n}`, image, n)));
}

function scenarios(): Scenario[] {
  const five = ["ghcr.io/acme/a:1", "ghcr.io/acme/b:1", "ghcr.io/acme/c:1", "ghcr.io/acme/d:1", "ghcr.io/acme/e:1"];
  const licensed = platformManifest("MIT");
  const onManifests = doiFixtures(
    doiIndex(),
    () => "BSD-2-Clause",
    () => null,
  );
  const inLabels = doiFixtures(
    doiIndex(),
    () => null,
    () => "BSD-2-Clause",
  );
  const onEntries = doiFixtures(
    doiIndex({ descriptorLicense: () => "BSD-2-Clause" }),
    () => null,
    () => null,
  );
  const capInLabels = doiFixtures(
    doiIndex({ platforms: 19 }),
    () => null,
    () => "BSD-2-Clause",
  );
  return [
    { name: "one image, license on its manifest", request: pod([APP_IMAGE]), replies: new Map([[APP_IMAGE, licensed]]), settings: {} },
    { name: "five distinct images", request: pod(five), replies: new Map(five.map((i) => [i, licensed])), settings: {} },
    { name: "DOI-shaped index (8 platforms), licenses on the manifests", request: pod([DOI_IMAGE]), replies: onManifests, settings: {} },
    { name: "the same, licenses only in config labels", request: pod([DOI_IMAGE]), replies: inLabels, settings: {} },
    { name: "the same, licenses in the index entries' annotations", request: pod([DOI_IMAGE]), replies: onEntries, settings: {} },
    {
      name: "labels, platforms.inspect [linux/amd64, linux/arm64]",
      request: pod([DOI_IMAGE]),
      replies: inLabels,
      settings: { platforms: { inspect: ["linux/amd64", "linux/arm64"] } },
    },
    { name: "index at the cap (19 platforms), licenses in labels", request: pod([DOI_IMAGE]), replies: capInLabels, settings: {} },
  ];
}

function main(): void {
  const wasm = policyBytes();
  const engine = option("--engine", "wasmtime");
  if (engine !== "wasmtime" && engine !== "v8") throw new Error("--engine takes wasmtime or v8");
  const description = new PolicyEvaluator(wasm, { backend: new TableBackend(new Map()), engine, freshInstancePerCall: true })
    .engineDescription;
  console.log(`time budget on a cold cache — engine: ${description}, a fresh instance per validate`);
  console.log(`policy-server's deadline: 2 ticks of 1 s = 1 to 2 s of wall-clock time, host calls included; ${LICENSE_KEY} judged\n`);
  const header = ["scenario".padEnd(58), "calls".padStart(5), "GETs".padStart(5), ...latencies.map((l) => `${l} ms`.padStart(11))].join(
    " ",
  );
  console.log(header);
  for (const scenario of scenarios()) {
    const backend = new SlowRegistry(scenario.replies);
    const evaluator = new PolicyEvaluator(wasm, { backend, freshInstancePerCall: true, engine: engine as EngineName });
    const validation = evaluator.validateSettings(scenario.settings);
    if (!validation.valid) throw new Error(`${scenario.name}: settings refused: ${validation.message}`);
    const response = evaluator.validate(scenario.request, scenario.settings);
    if (!response.allowed) throw new Error(`${scenario.name}: rejected: ${response.status?.message}`);
    const calls = backend.calls;
    const gets = backend.gets;
    const cells = latencies.map((latency) => {
      backend.latencyMs = latency;
      const started = process.hrtime.bigint();
      const answer = evaluator.validate(scenario.request, scenario.settings);
      const s = Number(process.hrtime.bigint() - started) / 1e9;
      const interrupted = answer.status?.message === INTERRUPTED_EVALUATION_MESSAGE;
      return `${interrupted ? "int " : ""}${s.toFixed(2)} s${s > 1 ? (s > 2 ? "!!" : "! ") : "  "}`.padStart(11);
    });
    evaluator.dispose();
    console.log([scenario.name.padEnd(58), String(calls).padStart(5), String(gets).padStart(5), ...cells].join(" "));
  }
  console.log("\n!  over 1 s: interrupted when the evaluation starts late in a tick (policy-server's deadline is 1–2 s)");
  console.log("!! over 2 s: always interrupted; raise timeoutEvalSeconds or annotate the index");
  console.log("int: interrupted in this run (the engine's answer was policy-server's 500)");
}

main();
