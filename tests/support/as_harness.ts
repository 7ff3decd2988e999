// Small Node loader for AssemblyScript test harness modules (compiled with --exportRuntime).
// Strings cross the boundary as AssemblyScript String objects (UTF-16, byte length at ptr - 4).
// env.abort throws a JS Error carrying the abort message, so a guest abort fails the test.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, renameSync } from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");

/** AssemblyScript's class id of String. */
const STRING_ID = 2;

/** The arena, an entry of every harness so that the aliases below resolve. */
const ARENA_FILE = "assembly/sdk/arena.ts";

/** asconfig.json's allocation aliases (its "use" entries but abort, which a harness imports). */
const ARENA_ALLOCATION: readonly string[] = (
  JSON.parse(readFileSync(path.join(ROOT, "asconfig.json"), "utf8")) as { options: { use: string[] } }
).options.use.filter((alias) => !alias.startsWith("abort="));

/**
 * Compiles an AS entry file (path relative to the repo root) to `outFile` (relative to the root).
 * The module is written to a temporary name and renamed, so parallel jest workers compiling the
 * same harness never read a half-written file. `--config /dev/null` keeps the repository's
 * asconfig.json (entries, abort routing) out of the harness build, but the runtime is the
 * policy's: no collector, allocation by the SDK's arena (assembly/sdk/arena.ts), as the SDK's
 * JSON values point into buffers that nothing else keeps alive. `features` are the wasm features
 * enabled: SIMD by default, which the SDK's string scans use as the policy build does.
 */
export function compileHarness(
  entry: string,
  outFile: string,
  extraArgs: readonly string[] = [],
  features: readonly string[] = ["simd"],
): string {
  const out = path.resolve(ROOT, outFile);
  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
  execFileSync(
    path.join(ROOT, "node_modules/.bin/asc"),
    [
      entry,
      ARENA_FILE,
      "--config",
      "/dev/null",
      "--runtime",
      "stub",
      ...ARENA_ALLOCATION.flatMap((alias) => ["--use", alias]),
      "--exportRuntime",
      ...features.flatMap((feature) => ["--enable", feature]),
      "-O3",
      ...extraArgs,
      "-o",
      tmp,
    ],
    { cwd: ROOT, stdio: "pipe" },
  );
  renameSync(tmp, out);
  return out;
}

type Arg = string | number | boolean;

export class AsHarness {
  private readonly exports: Record<string, unknown>;
  private readonly memory: WebAssembly.Memory;

  private constructor(instance: WebAssembly.Instance) {
    this.exports = instance.exports as Record<string, unknown>;
    this.memory = instance.exports.memory as WebAssembly.Memory;
  }

  static load(wasmFile: string): AsHarness {
    const bytes = readFileSync(path.resolve(ROOT, wasmFile));
    const module = new WebAssembly.Module(bytes);
    let self: AsHarness | null = null;
    const imports = {
      env: {
        abort(msg: number, file: number, line: number, column: number): never {
          const text = self ? self.readString(msg) : String(msg);
          const where = self ? self.readString(file) : String(file);
          throw new Error(`guest abort: ${text} at ${where}:${line}:${column}`);
        },
      },
    };
    const instance = new WebAssembly.Instance(module, imports);
    self = new AsHarness(instance);
    return self;
  }

  private fn(name: string): (...args: number[]) => number {
    const f = this.exports[name];
    if (typeof f !== "function") throw new Error(`harness has no export ${name}`);
    return f as (...args: number[]) => number;
  }

  /** Reads an AssemblyScript string at `ptr` (0 reads as ""). */
  readString(ptr: number): string {
    if (!ptr) return "";
    const buf = this.memory.buffer;
    const byteLength = new Uint32Array(buf, ptr - 4, 1)[0];
    const units = new Uint16Array(buf, ptr, byteLength >>> 1);
    let out = "";
    for (let i = 0; i < units.length; i += 4096) {
      out += String.fromCharCode(...units.subarray(i, i + 4096));
    }
    return out;
  }

  private newString(s: string): number {
    const ptr = this.fn("__new")(s.length << 1, STRING_ID) >>> 0;
    this.fn("__pin")(ptr);
    const units = new Uint16Array(this.memory.buffer, ptr, s.length);
    for (let i = 0; i < s.length; i++) units[i] = s.charCodeAt(i);
    return ptr;
  }

  /** Calls an export; string arguments are marshalled, booleans passed as 0/1. Returns the raw result. */
  call(name: string, ...args: Arg[]): number {
    const pinned: number[] = [];
    try {
      const raw = args.map((a) => {
        if (typeof a === "string") {
          const p = this.newString(a);
          pinned.push(p);
          return p;
        }
        return typeof a === "boolean" ? (a ? 1 : 0) : a;
      });
      return this.fn(name)(...raw);
    } finally {
      for (const p of pinned) this.fn("__unpin")(p);
    }
  }

  /** Calls an export returning a string. */
  str(name: string, ...args: Arg[]): string {
    const ptr = this.call(name, ...args) >>> 0;
    return this.readString(ptr);
  }

  /** Calls an export returning a bool. */
  bool(name: string, ...args: Arg[]): boolean {
    return this.call(name, ...args) !== 0;
  }
}
