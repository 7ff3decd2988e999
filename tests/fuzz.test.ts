// A short, deterministic fuzzing run (generators shared with scripts/fuzz.ts): no trap, no invalid
// reply, every invariant held. Long runs: `make fuzz` (node dist/scripts/fuzz.js --runs N --seed S).

import { policyBytes } from "./support/workloads";
import { classify, type FuzzCase, fuzzDifferential, FuzzRunner, fuzzTarget, recordedHost } from "./support/fuzz/index";

const SEED = 20_260_501;
const RUNS = 600;

describe("fuzzing policy.wasm (short run, fixed seed)", () => {
  const runner = new FuzzRunner();

  test.each(["request", "settings", "host"] as const)("%s: no trap, no invalid reply, invariants hold", (target) => {
    const report = fuzzTarget(target, RUNS, SEED, runner);
    expect(report.failures).toEqual([]);
    expect(report.counts.trap).toBe(0);
    expect(report.counts.invalidReply).toBe(0);
    expect(report.violations).toBe(0);
    expect(report.counts.clean + report.counts.guestError).toBe(RUNS);
  });

  test("the same seed gives the same run", () => {
    const a = fuzzTarget("request", 100, 42, runner);
    const b = fuzzTarget("request", 100, 42, runner);
    expect(a.counts).toEqual(b.counts);
  });
});

// The real engine answers every fuzz input exactly as V8: reply bytes or error text (a trap only
// as a trap, its text being the engine's), and the same lookups.
describe("differential fuzzing: V8 against wasmtime (fixed seed)", () => {
  const v8 = new FuzzRunner();
  const kwctl = new FuzzRunner(undefined, "wasmtime-kwctl");
  const policyServer = new FuzzRunner(undefined, "wasmtime-policy-server");
  afterAll(() => [kwctl, policyServer].forEach((runner) => runner.dispose()));

  test.each(["request", "settings", "host"] as const)("%s: 2,000 inputs, the same outcome on wasmtime (kwctl configuration)", (target) => {
    const report = fuzzDifferential(target, 2000, SEED + 1, v8, kwctl);
    expect(report.examples).toEqual([]);
    expect(report.mismatches).toBe(0);
  });

  test.each(["request", "settings", "host"] as const)(
    "%s: 1,000 inputs, the same outcome on wasmtime (policy-server configuration)",
    (target) => {
      const report = fuzzDifferential(target, 1000, SEED + 2, v8, policyServer);
      expect(report.examples).toEqual([]);
      expect(report.mismatches).toBe(0);
    },
  );

  test("a differing engine is reported: V8 against a runner of another module", () => {
    // policy.wasm with the string literals that start "no license declared" changed (the build keeps
    // them as Latin-1 bytes, scripts/latin1-literals.mjs; there are several, one per way of saying
    // it) answers differently: the comparison is not vacuous
    const bytes = new Uint8Array(policyBytes());
    const literal = Buffer.from("no license declared", "latin1");
    let changed = 0;
    for (let at = Buffer.from(bytes).indexOf(literal); at >= 0; at = Buffer.from(bytes).indexOf(literal, at + 1)) {
      bytes[at] = "N".charCodeAt(0);
      changed++;
    }
    expect(changed).toBeGreaterThan(0);
    const report = fuzzDifferential("host", 200, SEED, v8, new FuzzRunner(bytes, "wasmtime-kwctl"));
    expect(report.mismatches).toBeGreaterThan(0);
    expect(report.examples.length).toBeGreaterThan(0);
    expect(report.examples[0].outcomes[0]).not.toEqual(report.examples[0].outcomes[1]);
  });
});

describe("the fuzzer's classification of outcomes", () => {
  const encoder = new TextEncoder();
  const requestCase = (json: "invalid" | "request" | "other"): FuzzCase => ({
    target: "request",
    label: "t",
    operation: "validate",
    payload: new Uint8Array(0),
    host: recordedHost,
    expect: { kind: "request", json },
  });
  const ok = (text: string | Uint8Array) => ({ ok: true as const, payload: typeof text === "string" ? encoder.encode(text) : text });

  test("a trap reported by the host is a trap", () => {
    expect(classify(requestCase("other"), { ok: false, error: "RuntimeError: unreachable" }).cls).toBe("trap");
    expect(classify(requestCase("other"), { ok: false, error: "RuntimeError: memory access out of bounds" }).cls).toBe("trap");
    // a __guest_error that is not UTF-8: the real host traps in String::from_utf8
    expect(classify(requestCase("other"), { ok: false, error: "TypeError: The encoded data was not valid for encoding utf-8" }).cls).toBe(
      "trap",
    );
  });

  test("replies that are not UTF-8, not JSON or of the wrong shape are invalid replies", () => {
    expect(classify(requestCase("other"), ok(new Uint8Array([0x7b, 0xff, 0x7d]))).cls).toBe("invalidReply");
    expect(classify(requestCase("other"), ok("{accepted:true}")).cls).toBe("invalidReply");
    expect(classify(requestCase("other"), ok('{"accepted":"yes"}')).cls).toBe("invalidReply");
    expect(classify(requestCase("other"), ok('{"accepted":false,"code":70000}')).cls).toBe("invalidReply");
    expect(classify(requestCase("other"), ok('{"accepted":true,"warnings":[1]}')).cls).toBe("invalidReply");
    expect(classify(requestCase("other"), { ok: false, error: "No error message set for call failure" }).cls).toBe("invalidReply");
  });

  test("clean replies and guest errors are checked against the case's expectation", () => {
    expect(classify(requestCase("request"), ok('{"accepted":true}'))).toEqual({
      cls: "clean",
      detail: '{"accepted":true}',
      violations: [],
    });
    expect(classify(requestCase("invalid"), ok('{"accepted":true}')).violations).toEqual(["malformed JSON was not a guest error"]);
    expect(
      classify(requestCase("invalid"), { ok: false, error: "cannot decode validation request: unexpected end of input at byte 0" })
        .violations,
    ).toEqual([]);
    expect(classify(requestCase("request"), { ok: false, error: "cannot decode validation request: x" }).violations).toHaveLength(1);
    const host: FuzzCase = {
      ...requestCase("other"),
      target: "host",
      expect: { kind: "host", malformed: true, image: "ghcr.io/acme/app:1.0" },
    };
    expect(classify(host, ok('{"accepted":true}')).violations).toEqual([
      "a malformed host reply admitted the image under default settings",
    ]);
    expect(
      classify(host, ok('{"accepted":false,"message":"container \\"app\\" image \\"ghcr.io/acme/app:1.0\\": manifest lookup failed: x"}'))
        .violations,
    ).toEqual([]);
  });
});
