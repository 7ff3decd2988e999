// The real-engine lane: the policy on wasmtime, configured as policy-server (epoch interruption,
// a ticker, deadline 2 ticks, a fresh instance per operation) and as kwctl (no interruption, one
// instance), answers every bundled scenario exactly as on V8; a module with a start section cannot
// load under policy-server's configuration; a host call that blocks too long becomes
// policy-server's 500.
//
// The policy tests (tests/policy_*.test.ts) run on the three engines as well, through
// tests/support/policy.ts; this file adds the kwhost-level scenarios of test_data and the engine's
// own behaviour.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type LookupAnswer, type OciOperation, TableBackend } from "../host/capabilities";
import { run, type RunFlags } from "../host/cli";
import { formatAdmissionResponse, INTERRUPTED_EVALUATION_MESSAGE, PolicyEvaluator } from "../host/evaluator";
import { WasmtimeInitializationError, WasmtimeModule } from "../host/wasmtime/engine";
import { ENGINE_SETUPS } from "./support/policy";
import { podRequest, POLICY_PATH, policyWasm, ROOT } from "./support/workloads";

const TEST_DATA = join(ROOT, "test_data");
const jsonFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();

interface Printed {
  code: number;
  stdout: string[];
  stderr: string[];
}

/** `kwhost run` with `flags` on one engine setup, as printed. */
function kwhostRun(flags: RunFlags, setup: (typeof ENGINE_SETUPS)[number]): Printed {
  const printed: Printed = { code: 0, stdout: [], stderr: [] };
  printed.code = run(
    POLICY_PATH,
    { ...flags, engine: setup.engine, freshInstance: setup.freshInstancePerCall },
    (line) => printed.stdout.push(line),
    (line) => printed.stderr.push(line),
  );
  return printed;
}

describe("every request of test_data with every session and every settings file, on three engines", () => {
  const requests = jsonFiles(TEST_DATA);
  const sessions = readdirSync(join(TEST_DATA, "sessions"))
    .filter((f) => f.endsWith(".yml"))
    .sort();
  const settingsFiles = [undefined, ...readdirSync(join(TEST_DATA, "settings")).sort()];

  test("the scenario set is the whole of test_data", () => {
    expect(requests.length).toBeGreaterThanOrEqual(17);
    expect(sessions.length).toBeGreaterThanOrEqual(13);
    expect(settingsFiles.length).toBeGreaterThanOrEqual(10);
  });

  test.each(requests)("%s: identical output on V8 and on wasmtime (kwctl, policy-server)", (request) => {
    let compared = 0;
    for (const session of sessions) {
      for (const settings of settingsFiles) {
        const flags: RunFlags = {
          requestPath: join(TEST_DATA, request),
          replayHostCapabilitiesInteractions: join(TEST_DATA, "sessions", session),
          settingsPath: settings === undefined ? undefined : join(TEST_DATA, "settings", settings),
          allowedHostCapabilities: ["*"],
        };
        const [v8, ...wasmtime] = ENGINE_SETUPS.map((setup) => kwhostRun(flags, setup));
        for (const other of wasmtime) {
          // a mismatch names its scenario
          expect({ session, settings, ...other }).toEqual({ session, settings, ...v8 });
        }
        compared++;
      }
    }
    expect(compared).toBe(sessions.length * settingsFiles.length);
  });
});

describe("the realistic manifests of test_data/manifests, on three engines", () => {
  const manifests = jsonFiles(join(TEST_DATA, "manifests"));
  const image = (file: string): string => `registry.example.com/realistic/${file.replace(/\.json$/, "").replace(/_/g, "-")}:1.0`;

  /** Each file answers the lookup its shape belongs to: a manifest, or a manifest with its config. */
  function backend(): TableBackend {
    const table = new Map<string, LookupAnswer>();
    for (const file of manifests) {
      const payload = JSON.stringify(JSON.parse(readFileSync(join(TEST_DATA, "manifests", file), "utf8")));
      const operation: OciOperation = file.startsWith("manifest_and_config") ? "v1/oci_manifest_config" : "v1/oci_manifest";
      table.set(TableBackend.key(operation, image(file)), { ok: true, payload });
    }
    return new TableBackend(table);
  }

  const request = podRequest({ containers: manifests.map((file, i) => ({ name: `c${i}`, image: image(file) })) });
  const settingsVariants: Record<string, Record<string, unknown>> = {
    defaults: {},
    "config checks": {
      config: { rejectRootUser: true, forbiddenEnv: ["*_TOKEN"], requiredLabels: { "org.opencontainers.image.source": "*" } },
    },
    "warn, pinned, platforms": {
      enforcement: "warn",
      pinDigest: true,
      annotations: { required: { "org.opencontainers.image.revision": "*" } },
      platforms: { required: ["linux/amd64"], inspect: ["linux/amd64", "linux/arm64"] },
    },
  };

  test.each(Object.keys(settingsVariants))("%s: identical replies and host calls", (variant) => {
    const settings = settingsVariants[variant];
    const answers = ENGINE_SETUPS.map((setup) => {
      const calls: string[] = [];
      const evaluator = new PolicyEvaluator(policyWasm(), {
        ...setup,
        backend: backend(),
        onCall: (c) => calls.push(`${c.operation} ${c.payload}`),
      });
      try {
        const validation = JSON.stringify(evaluator.validateSettings(settings));
        expect(validation).toBe('{"valid":true}');
        return { validation, response: formatAdmissionResponse(evaluator.validate(request, settings)), calls };
      } finally {
        evaluator.dispose();
      }
    });
    expect(answers[0].calls.length).toBeGreaterThanOrEqual(manifests.length - 3);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });
});

// A guest exporting what wapc-rs needs, whose initialisation is a wasm start section.
const START_SECTION_GUEST = `(module
  (import "wapc" "__guest_response" (func $response (param i32 i32)))
  (memory (export "memory") 1)
  (global $initialised (mut i32) (i32.const 0))
  (data (i32.const 16) "ok")
  (func $init (global.set $initialised (i32.const 1)))
  (start $init)
  (func (export "__guest_call") (param i32 i32) (result i32)
    (call $response (i32.const 16) (i32.const 2))
    (global.get $initialised)))`;

// The same guest initialised from an exported `_start`, as policy.wasm is.
const EXPORTED_START_GUEST = START_SECTION_GUEST.replace("(start $init)", "").replace("(func $init", '(func $init (export "_start")');

// A guest whose every call spins forever.
const SPINNING_GUEST = `(module
  (memory (export "memory") 1)
  (func (export "__guest_call") (param i32 i32) (result i32) (loop $forever (br $forever)) (i32.const 1)))`;

const noHost = () => ({ ok: false as const, error: "no host calls expected" });

describe("the lane can fail: a start section", () => {
  test("policy-server's configuration refuses a module with a start section: the start function is interrupted", () => {
    const wasm = WasmtimeModule.wat2wasm(START_SECTION_GUEST);
    const module = new WasmtimeModule(wasm, "policy-server");
    let error: unknown = null;
    try {
      module.instantiate(noHost);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WasmtimeInitializationError);
    expect((error as WasmtimeInitializationError).interrupted).toBe(true);
    expect((error as Error).message).toMatch(/^Initialization failed: .*interrupt/s);
  });

  test("kwctl's configuration (no epoch interruption) runs the same module", () => {
    const instance = new WasmtimeModule(WasmtimeModule.wat2wasm(START_SECTION_GUEST), "kwctl").instantiate(noHost);
    const outcome = instance.call("validate", new Uint8Array(0));
    instance.dispose();
    expect(outcome).toEqual({ ok: true, payload: new TextEncoder().encode("ok") });
  });

  test("policy-server's configuration runs it when the initialisation is the exported _start", () => {
    const instance = new WasmtimeModule(WasmtimeModule.wat2wasm(EXPORTED_START_GUEST), "policy-server").instantiate(noHost);
    const outcome = instance.call("validate", new Uint8Array(0));
    instance.dispose();
    expect(outcome).toEqual({ ok: true, payload: new TextEncoder().encode("ok") });
  });

  test("policy.wasm itself loads under policy-server's configuration and answers protocol_version", () => {
    const evaluator = new PolicyEvaluator(policyWasm(), {
      backend: new TableBackend(new Map()),
      engine: "wasmtime",
      freshInstancePerCall: true,
    });
    expect(evaluator.engineDescription).toMatch(/^wasmtime 49\.0\.0 \(policy-server configuration\)$/);
    expect(evaluator.protocolVersion()).toBe("v1");
    evaluator.dispose();
  });
});

/** Blocks this thread, as a registry round trip blocks a host call. */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe("timeouts as policy-server enforces them", () => {
  const licensed = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${"a".repeat(64)}`, size: 2 },
    layers: [],
    annotations: { "org.opencontainers.image.licenses": "Apache-2.0" },
  });
  const request = podRequest({ containers: [{ name: "app", image: "ghcr.io/acme/slow:1.0" }] });
  /** Answers after `ms` milliseconds of wall-clock time. */
  const slowBackend = (ms: number) => ({
    lookup: (): LookupAnswer => {
      sleep(ms);
      return { ok: true, payload: licensed };
    },
  });

  test("a lookup blocking past the deadline is interrupted and answered with policy-server's 500", () => {
    const evaluator = new PolicyEvaluator(policyWasm(), { backend: slowBackend(2100), engine: "wasmtime", freshInstancePerCall: true });
    const response = evaluator.validate(request, {});
    evaluator.dispose();
    expect(response).toEqual({
      uid: request.uid,
      allowed: false,
      status: { message: INTERRUPTED_EVALUATION_MESSAGE, code: 500 },
      auditAnnotations: null,
      warnings: null,
    });
    expect(INTERRUPTED_EVALUATION_MESSAGE).toBe("Policy execution interrupted because it exceeded the allowed execution time");
  });

  test("the same slow lookup completes under kwctl's configuration, which has no deadline", () => {
    const evaluator = new PolicyEvaluator(policyWasm(), { backend: slowBackend(2100), engine: "wasmtime" });
    const response = evaluator.validate(request, {});
    evaluator.dispose();
    expect(response.allowed).toBe(true);
  });

  test("a fast lookup is not interrupted, and the deadline is armed again for the next call", () => {
    const evaluator = new PolicyEvaluator(policyWasm(), { backend: slowBackend(600), engine: "wasmtime", freshInstancePerCall: true });
    // 3 × 0.6 s would exceed one deadline; each call gets its own
    const responses = [1, 2, 3].map(() => evaluator.validate(request, {}).allowed);
    evaluator.dispose();
    expect(responses).toEqual([true, true, true]);
  });

  test("guest code that never returns is interrupted with wasmtime-provider's message", () => {
    const instance = new WasmtimeModule(WasmtimeModule.wat2wasm(SPINNING_GUEST), "policy-server").instantiate(noHost);
    const started = Date.now();
    const outcome = instance.call("validate", new Uint8Array(0));
    instance.dispose();
    expect(outcome).toEqual({ ok: false, error: "guest code interrupted, execution deadline exceeded", trapped: true });
    // one to two ticks of one second, whatever the ticker's phase
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});
