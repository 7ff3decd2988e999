"""Timings of a waPC guest on wasmtime, for scripts/bench.ts (`make bench`).

    .venv/bin/python host/wasmtime/bench.py INPUT.json

INPUT.json: {"wasm": path, "configuration": "policy-server" | "kwctl", "payload": request text,
"replies": [[operation, host-call payload text, reply text], ...], "rounds": n, "batch": n}.
Prints one JSON object (times in microseconds, medians of batch means):
    reused          validate on one instance (kwctl's way)
    fresh           new Store + instance + _start + validate (policy-server's way)
    host_calls      host calls per validate
    empty_call      a guest call of a WAT guest doing only __guest_request + __guest_response:
                    what this Python host adds to every guest call
    per_host_call   one __host_call + __host_response_len + __host_response of a WAT guest, beyond
                    empty_call: what this Python host adds to every host call
The host calls are answered from the table with no work beyond a dict lookup, so the figures are
the engine plus this host's callback overhead; `empty_call` and `per_host_call` say how much of
them is the overhead (Python callbacks through the wasmtime C API cost microseconds each, where
wasmtime's Rust host functions, as policy-server has them, cost nanoseconds).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Callable

from wapc_host import CONFIGURATIONS, Engine, HostCallError, HostCallOutcome, PolicyPre

# A guest that reads its request and answers with an empty response; and one that, before doing
# so, makes HOST_CALLS host calls and reads each reply.
HOST_CALLS = 10
_IMPORTS = """
  (import "wapc" "__guest_request" (func $request (param i32 i32)))
  (import "wapc" "__guest_response" (func $response (param i32 i32)))
  (import "wapc" "__host_call" (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wapc" "__host_response_len" (func $response_len (result i32)))
  (import "wapc" "__host_response" (func $host_response (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "kubewardenociv1/oci_manifest\\"x\\"")
"""
EMPTY_GUEST = f"""(module {_IMPORTS}
  (func (export "__guest_call") (param i32 i32) (result i32)
    (call $request (i32.const 1024) (i32.const 2048))
    (call $response (i32.const 0) (i32.const 0))
    (i32.const 1)))"""
HOST_CALL_GUEST = f"""(module {_IMPORTS}
  (func (export "__guest_call") (param i32 i32) (result i32) (local $i i32)
    (call $request (i32.const 1024) (i32.const 2048))
    (loop $again
      (drop (call $host_call (i32.const 0) (i32.const 10) (i32.const 10) (i32.const 3)
                             (i32.const 13) (i32.const 15) (i32.const 28) (i32.const 3)))
      (drop (call $response_len))
      (call $host_response (i32.const 4096))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const {HOST_CALLS}))))
    (call $response (i32.const 0) (i32.const 0))
    (i32.const 1)))"""


def median_of_batches(fn: Callable[[], object], batch: int, rounds: int, warmup: int) -> float:
    for _ in range(warmup):
        fn()
    means = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(batch):
            fn()
        means.append((time.perf_counter_ns() - start) / 1000 / batch)
    return statistics.median(means)


def main() -> None:
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    engine = Engine(CONFIGURATIONS[spec["configuration"]])
    table = {(op, payload): reply.encode("utf-8") for op, payload, reply in spec["replies"]}
    calls = 0

    def host(binding: str, namespace: str, operation: str, payload: bytes) -> HostCallOutcome:
        nonlocal calls
        calls += 1
        reply = table.get((operation, payload.decode("utf-8")))
        return reply if reply is not None else HostCallError(f"no reply for {operation} {payload!r}")

    pre = PolicyPre(engine, open(spec["wasm"], "rb").read())
    payload = spec["payload"].encode("utf-8")
    rounds, batch = int(spec["rounds"]), int(spec["batch"])

    reused = pre.instantiate(host, 1)
    first = reused.call("validate", payload)
    if first.response is None or json.loads(first.response).get("accepted") is not True:
        raise SystemExit(f"validate did not accept the benchmark request: {first.error or first.response!r}")
    calls = 0
    reused.call("validate", payload)
    host_calls = calls

    def fresh() -> None:
        pre.instantiate(host, 2).call("validate", payload)

    reused_us = median_of_batches(lambda: reused.call("validate", payload), batch, rounds, batch * 5)
    fresh_us = median_of_batches(fresh, max(1, batch // 10), rounds, batch)

    wat = __import__("wasmtime").wat2wasm
    empty = PolicyPre(engine, wat(EMPTY_GUEST)).instantiate(host, 3)
    table[("v1/oci_manifest", '"x"')] = b"{}"
    with_calls = PolicyPre(engine, wat(HOST_CALL_GUEST)).instantiate(host, 4)
    empty_us = median_of_batches(lambda: empty.call("validate", payload), batch, rounds, batch)
    with_calls_us = median_of_batches(lambda: with_calls.call("validate", payload), batch, rounds, batch)
    print(json.dumps({
        "reused": reused_us, "fresh": fresh_us, "host_calls": host_calls,
        "empty_call": empty_us, "per_host_call": (with_calls_us - empty_us) / HOST_CALLS,
    }))


if __name__ == "__main__":
    main()
