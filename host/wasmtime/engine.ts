// The guest on the real engine: wasmtime (through wasmtime-py, host/wasmtime/wapc_host.py), in the
// configuration of policy-server or of kwctl, driven synchronously from Node.
//
// Node keeps the host side (capabilities, lookups, replay, record); Python runs only the engine and
// the waPC ABI. A `__host_call` of the guest travels to Node as a frame and waits for the reply,
// as a Kubewarden guest waits on `rx.blocking_recv()`; so the wall clock that policy-server's epoch
// ticker measures includes the host calls, as it does in policy-server.
//
// The Python child and its pipes are owned by a synckit worker (bridge-worker.ts): Node's pipes
// are asynchronous, a waPC host call must be answered synchronously.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { createSyncFn } from "synckit";
import type { GuestCallOutcome, GuestInstance, HostCallback } from "../wapc";
import type { BridgeExchange, BridgeFrame, BridgeSpawn } from "./bridge-worker";

/** The two ways Kubewarden configures wasmtime (host/wasmtime/wapc_host.py CONFIGURATIONS). */
export type WasmtimeConfiguration = "policy-server" | "kwctl";

/** The repository root: the nearest folder above this file holding package.json. */
export function repositoryRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/**
 * Where the engine lives: the Python of the repository's virtual environment (`make deps` creates
 * .venv with host/wasmtime/requirements.txt), KWHOST_PYTHON overriding it.
 */
export function resolveBridge(): BridgeSpawn & { worker: string } {
  const root = repositoryRoot();
  const python = process.env.KWHOST_PYTHON ?? path.join(root, ".venv", "bin", "python");
  if (!fs.existsSync(python)) {
    throw new Error(`the wasmtime engine needs ${python} (Python with the wasmtime package): run \`make deps\` first`);
  }
  const worker = [path.join(__dirname, "bridge-worker.js"), path.join(root, "dist", "host", "wasmtime", "bridge-worker.js")].find(
    (candidate) => fs.existsSync(candidate),
  );
  if (worker === undefined) throw new Error("the wasmtime bridge worker is not built: run `make host` first");
  return { python, script: path.join(root, "host", "wasmtime", "bridge.py"), worker };
}

/** A load or an initialisation that failed: the policy cannot be used (policy-server does not start). */
export class WasmtimeInitializationError extends Error {
  constructor(
    message: string,
    readonly interrupted: boolean,
  ) {
    super(message);
  }
}

const EMPTY = new Uint8Array(0);
const UTF8 = new TextEncoder();

/** One Python child per process, shared by every module and instance (it runs one guest at a time). */
class Bridge {
  private static current: Bridge | null = null;
  private readonly exchange: (spawn: BridgeSpawn, frame: BridgeFrame | null) => BridgeFrame;
  private readonly spawn: BridgeSpawn;
  private nextInstance = 1;
  readonly wasmtimeVersion: string;
  /** modules this child has loaded, by configuration and SHA-256 of the bytes */
  readonly loaded = new Map<string, number>();

  static get(): Bridge {
    Bridge.current ??= new Bridge();
    return Bridge.current;
  }

  private constructor() {
    const located = resolveBridge();
    this.spawn = { python: located.python, script: located.script };
    this.exchange = createSyncFn<BridgeExchange>(located.worker);
    const reply = this.request({ op: "version" });
    this.wasmtimeVersion = String(reply.header.wasmtime);
  }

  newInstanceId(): number {
    return this.nextInstance++;
  }

  /**
   * Sends one request and returns its reply frame; host calls made by the guest meanwhile are
   * answered by `onHostCall`.
   */
  request(header: Record<string, unknown>, body: Uint8Array = EMPTY, onHostCall?: HostCallback): BridgeFrame {
    let frame = this.exchange(this.spawn, { header, body });
    for (;;) {
      const op = frame.header.op;
      if (op === "exited") {
        Bridge.current = null;
        throw new Error(String(frame.header.error));
      }
      if (op !== "host_call") return frame;
      const { binding, namespace, operation } = frame.header as { binding: string; namespace: string; operation: string };
      const outcome =
        onHostCall !== undefined
          ? onHostCall(binding, namespace, operation, frame.body)
          : { ok: false as const, error: "no host callback registered" };
      const reply: BridgeFrame = outcome.ok
        ? { header: { op: "host_reply", ok: true }, body: outcome.payload }
        : // The error travels as UTF-8 bytes, as the V8 host writes it: a lone surrogate becomes
          // U+FFFD (a Rust String, the real host's error, cannot hold one either).
          { header: { op: "host_reply", ok: false }, body: UTF8.encode(outcome.error) };
      frame = this.exchange(this.spawn, reply);
    }
  }
}

/** A policy compiled and pre-linked by wasmtime (`InstancePre`), in one configuration. */
export class WasmtimeModule {
  private readonly bridge = Bridge.get();
  private readonly id: number;

  constructor(
    wasm: Uint8Array,
    readonly configuration: WasmtimeConfiguration,
  ) {
    const key = `${configuration} ${createHash("sha256").update(wasm).digest("hex")}`;
    const known = this.bridge.loaded.get(key);
    if (known !== undefined) {
      this.id = known;
      return;
    }
    const reply = this.bridge.request({ op: "load", configuration }, wasm);
    if (reply.header.ok !== true)
      throw new WasmtimeInitializationError(`cannot load the policy on wasmtime: ${String(reply.header.error)}`, false);
    this.id = Number(reply.header.module);
    this.bridge.loaded.set(key, this.id);
  }

  get wasmtimeVersion(): string {
    return this.bridge.wasmtimeVersion;
  }

  /** A new Store and instance, `_start` and `wapc_init` run (wapc-rs `WapcHost::new`). */
  instantiate(hostCallback: HostCallback): WasmtimeInstance {
    return new WasmtimeInstance(this.bridge, this.id, hostCallback);
  }

  /** Compiles WebAssembly text with wasmtime's `wat2wasm` (tests build tiny guests this way). */
  static wat2wasm(text: string): Uint8Array {
    const reply = Bridge.get().request({ op: "wat2wasm" }, new TextEncoder().encode(text));
    if (reply.header.ok !== true) throw new Error(String(reply.header.error));
    return reply.body;
  }
}

export class WasmtimeInstance implements GuestInstance {
  private readonly id: number;
  private dropped = false;
  hostCalls = 0;
  memoryBytes = 0;

  constructor(
    private readonly bridge: Bridge,
    module: number,
    private readonly hostCallback: HostCallback,
  ) {
    this.id = bridge.newInstanceId();
    const reply = bridge.request({ op: "instantiate", module, instance: this.id }, EMPTY, this.counting());
    if (reply.header.ok !== true) throw new WasmtimeInitializationError(String(reply.header.error), reply.header.interrupted === true);
  }

  private counting(): HostCallback {
    return (binding, namespace, operation, payload) => {
      this.hostCalls++;
      return this.hostCallback(binding, namespace, operation, payload);
    };
  }

  call(operation: string, payload: Uint8Array): GuestCallOutcome {
    if (this.dropped) throw new Error("the wasmtime instance was dropped");
    const reply = this.bridge.request({ op: "call", instance: this.id, operation }, payload, this.counting());
    this.memoryBytes = Number(reply.header.memory_bytes ?? 0);
    if (reply.header.ok === true) return { ok: true, payload: reply.body };
    const error = String(reply.header.error);
    return reply.header.trap === true ? { ok: false, error, trapped: true } : { ok: false, error };
  }

  dispose(): void {
    if (this.dropped) return;
    this.dropped = true;
    this.bridge.request({ op: "drop", instance: this.id });
  }
}
