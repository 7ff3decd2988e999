// The worker thread behind host/wasmtime/engine.ts, run by synckit's `runAsWorker`: it owns the
// Python child (host/wasmtime/bridge.py) and moves frames between it and the main thread, which
// blocks in synckit until the next frame from Python arrives. The main thread is synchronous (a
// waPC host call must answer synchronously), Node's child-process pipes are not: this worker is
// the asynchronous half.
//
// A frame is `u32 header length | u32 body length | header JSON | body` (bridge.py). Each call
// `exchange(spawn, frame)` writes `frame` (if any) to Python and resolves with the next frame
// from Python; when the child is gone it resolves with {op: "exited", …} instead.

import { type ChildProcess, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { runAsWorker } from "synckit";

export interface BridgeFrame {
  header: Record<string, unknown>;
  body: Uint8Array;
}

export interface BridgeSpawn {
  python: string;
  script: string;
}

export type BridgeExchange = (spawn: BridgeSpawn, frame: BridgeFrame | null) => Promise<BridgeFrame>;

class PythonBridge {
  private readonly child: ChildProcess;
  private readonly toPython: Writable;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly frames: BridgeFrame[] = [];
  private waiting: ((frame: BridgeFrame) => void) | null = null;
  private exit: BridgeFrame | null = null;
  private stderrTail = "";

  constructor(options: BridgeSpawn) {
    // fds 0-2 are this process's own (WASI stdio of the guest, as kwctl inherits them);
    // fd 3 carries requests to Python, fd 4 its replies.
    this.child = spawn(options.python, [options.script], { stdio: ["inherit", "inherit", "pipe", "pipe", "pipe"] });
    this.toPython = this.child.stdio[3] as Writable;
    const fromPython = this.child.stdio[4] as Readable;
    fromPython.on("data", (chunk: Buffer) => this.receive(chunk));
    // stderr is passed through, and its end kept for the error message if Python dies.
    const stderr = this.child.stdio[2] as Readable;
    stderr.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk.toString("utf8"));
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-2000);
    });
    this.toPython.on("error", () => {}); // reported through "exit"
    this.child.on("error", (err) => this.exited(`cannot start ${options.python}: ${err.message}`));
    this.child.on("exit", (code, signal) => this.exited(`the wasmtime bridge exited (${signal ?? `code ${code}`})`));
    // The bridge must not keep this thread, or the process, alive.
    this.child.unref();
    for (const stream of [fromPython, stderr, this.toPython] as unknown as Array<{ unref?: () => void }>) stream.unref?.();
  }

  private exited(reason: string): void {
    if (this.exit !== null) return;
    const detail = this.stderrTail.trim();
    this.exit = { header: { op: "exited", error: detail === "" ? reason : `${reason}: ${detail}` }, body: new Uint8Array(0) };
    this.deliver();
  }

  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 8) {
      const headerLength = this.buffered.readUInt32BE(0);
      const bodyLength = this.buffered.readUInt32BE(4);
      const total = 8 + headerLength + bodyLength;
      if (this.buffered.length < total) break;
      const header = JSON.parse(this.buffered.subarray(8, 8 + headerLength).toString("utf8")) as Record<string, unknown>;
      const body = new Uint8Array(this.buffered.subarray(8 + headerLength, total));
      this.frames.push({ header, body });
      this.buffered = this.buffered.subarray(total);
    }
    this.deliver();
  }

  private deliver(): void {
    if (this.waiting === null) return;
    const next = this.frames.shift() ?? this.exit;
    if (next === null) return;
    const resolve = this.waiting;
    this.waiting = null;
    resolve(next);
  }

  exchange(frame: BridgeFrame | null): Promise<BridgeFrame> {
    if (frame !== null && this.exit === null) {
      const header = Buffer.from(JSON.stringify(frame.header), "utf8");
      const prefix = Buffer.alloc(8);
      prefix.writeUInt32BE(header.length, 0);
      prefix.writeUInt32BE(frame.body.length, 4);
      this.toPython.write(Buffer.concat([prefix, header, frame.body]));
    }
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.deliver();
    });
  }
}

let bridge: PythonBridge | null = null;

const exchange: BridgeExchange = (options, frame) => {
  bridge ??= new PythonBridge(options);
  return bridge.exchange(frame);
};

// A no-op when this module is loaded outside a synckit worker.
runAsWorker(exchange);
