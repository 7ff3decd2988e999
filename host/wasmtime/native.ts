// The native waPC host on wasmtime (host/wasmtime/native/bench_host.c, built by `make
// build/wasmtime-bench-host`): a measuring instrument for `make bench`, whose host functions cost
// what policy-server's Rust closures cost. This module writes its inputs and reads its answers.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repositoryRoot, type WasmtimeConfiguration } from "./engine";

/** One host call the native host can answer: operation, payload and reply, byte for byte. */
export interface NativeReply {
  operation: string;
  payload: string;
  reply: string;
}

/** What `bench-host … ROUNDS BATCH` prints: µs per call, medians of batch means. */
export interface NativeFigures {
  /** validate on one instance */
  reused: number;
  /** new Store + WASI context + instance + _start + validate + drop */
  fresh: number;
  /** host calls per validate */
  host_calls: number;
  /** this host's own cost for a guest call, and for each host call beyond it */
  empty_call: number;
  per_host_call: number;
  /** minor page faults per new instance + validate, and per new instance of an empty guest */
  fresh_faults: number;
  fresh_empty_faults: number;
  /** new instance + call of an empty guest: the engine's floor for `fresh` */
  fresh_empty: number;
  /** `fresh` in its phases (means): Store + WASI + instantiate + _start, the validate, drop */
  fresh_instantiate: number;
  fresh_call: number;
  fresh_drop: number;
}

export type NativeOutcome = { ok: true; response: Uint8Array } | { ok: false; error: string };

export function nativeBenchHostPath(): string {
  const binary = path.join(repositoryRoot(), "build", "wasmtime-bench-host");
  if (!fs.existsSync(binary)) throw new Error(`${binary} is not built: run \`make build/wasmtime-bench-host\``);
  return binary;
}

/** The replies file: per reply three fields, each a little-endian u32 length and its bytes. */
export function encodeReplies(replies: readonly NativeReply[]): Buffer {
  const parts: Buffer[] = [];
  for (const { operation, payload, reply } of replies) {
    for (const field of [operation, payload, reply]) {
      const bytes = Buffer.from(field, "utf8");
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      parts.push(length, bytes);
    }
  }
  return Buffer.concat(parts);
}

function withInputs<T>(request: Uint8Array, replies: readonly NativeReply[], run: (payload: string, replies: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wasmtime-bench-host-"));
  try {
    const payloadPath = path.join(dir, "payload.json");
    const repliesPath = path.join(dir, "replies.bin");
    fs.writeFileSync(payloadPath, request);
    fs.writeFileSync(repliesPath, encodeReplies(replies));
    return run(payloadPath, repliesPath);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One `validate` on a fresh instance: the guest's response bytes, or its error. */
export function nativeValidateOnce(
  wasmPath: string,
  configuration: WasmtimeConfiguration,
  request: Uint8Array,
  replies: readonly NativeReply[],
): NativeOutcome {
  return withInputs(request, replies, (payloadPath, repliesPath) => {
    const result = spawnSync(nativeBenchHostPath(), [wasmPath, configuration, payloadPath, repliesPath, "--once"]);
    if (result.status === 0) return { ok: true, response: new Uint8Array(result.stdout) };
    if (result.status === 1) return { ok: false, error: result.stderr.toString("utf8").trimEnd() };
    throw new Error(`wasmtime-bench-host failed (${String(result.status ?? result.signal)}): ${result.stderr.toString("utf8")}`);
  });
}

/** The timings of `validate` on the native host (the request must be accepted). */
export function nativeBench(
  wasmPath: string,
  configuration: WasmtimeConfiguration,
  request: Uint8Array,
  replies: readonly NativeReply[],
  rounds: number,
  batch: number,
): NativeFigures {
  return withInputs(request, replies, (payloadPath, repliesPath) => {
    const args = [wasmPath, configuration, payloadPath, repliesPath, String(rounds), String(batch)];
    const result = spawnSync(nativeBenchHostPath(), args, { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`wasmtime-bench-host failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as NativeFigures;
  });
}
