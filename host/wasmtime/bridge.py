"""The wasmtime engine as a child process of the Node host (host/wasmtime/engine.ts).

Node sends requests on file descriptor 3 and reads replies on file descriptor 4; stdin, stdout and
stderr are Node's own, so whatever a guest writes to WASI stdout lands in kwhost's stdout, as it
lands in kwctl's. Each message is one frame:

    u32 big-endian header length | u32 big-endian body length | header (UTF-8 JSON) | body bytes

Requests (header "op"), each answered by exactly one reply frame ("ok": true or false):
    version                          -> {"wasmtime": "<wasmtime-py version>"}
    load {configuration}, body wasm  -> {"module": id}        compile, link, InstancePre
    instantiate {module, instance}   -> {}                    Store + instantiate + _start/wapc_init
    call {instance, operation}, body payload
                                     -> {"memory_bytes"}, body response
                                        or {"error", "trap", "trap_code", "memory_bytes"}
    drop {instance}                  -> {}
    wat2wasm, body WAT text          -> body wasm             (tests build tiny guests from WAT)
While `instantiate` or `call` runs guest code, each `__host_call` of the guest is sent to Node as
{"op": "host_call", "binding", "namespace", "operation"} with the payload as body, and the guest
waits for Node's {"op": "host_reply", "ok": true} (body: the reply) or {"ok": false} (body: the
error message, UTF-8).
Host calls are synchronous in Kubewarden too (`rx.blocking_recv()` in policy-evaluator).
"""

from __future__ import annotations

import json
import os
import struct
import sys
import traceback
from importlib.metadata import version
from typing import BinaryIO, Optional

import wasmtime

from wapc_host import CONFIGURATIONS, Engine, HostCallError, HostCallOutcome, InitializationError, PolicyInstance, PolicyPre

_FRAME = struct.Struct(">II")
Header = dict[str, object]


class Channel:
    def __init__(self, incoming: BinaryIO, outgoing: BinaryIO) -> None:
        self.incoming = incoming
        self.outgoing = outgoing

    def _read_exactly(self, size: int) -> Optional[bytes]:
        data = self.incoming.read(size)
        if size > 0 and not data:
            return None
        if len(data) != size:
            raise EOFError("truncated frame from the Node host")
        return data

    def receive(self) -> Optional[tuple[Header, bytes]]:
        """The next frame, or None when Node closed the channel (the Node process ended)."""
        prefix = self._read_exactly(_FRAME.size)
        if prefix is None:
            return None
        header_length, body_length = _FRAME.unpack(prefix)
        header = json.loads(self._read_exactly(header_length) or b"{}")
        body = self._read_exactly(body_length) or b""
        return header, body

    def send(self, header: Header, body: bytes = b"") -> None:
        encoded = json.dumps(header).encode("utf-8")
        self.outgoing.write(_FRAME.pack(len(encoded), len(body)) + encoded + body)
        self.outgoing.flush()


class Bridge:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.engines: dict[str, Engine] = {}
        self.modules: dict[int, PolicyPre] = {}
        self.instances: dict[int, PolicyInstance] = {}

    def engine(self, name: str) -> Engine:
        if name not in CONFIGURATIONS:
            raise ValueError(f"unknown configuration {name!r} (known: {', '.join(CONFIGURATIONS)})")
        if name not in self.engines:
            self.engines[name] = Engine(CONFIGURATIONS[name])
        return self.engines[name]

    def host_call(self, binding: str, namespace: str, operation: str, payload: bytes) -> HostCallOutcome:
        self.channel.send({"op": "host_call", "binding": binding, "namespace": namespace, "operation": operation}, payload)
        frame = self.channel.receive()
        if frame is None:
            raise EOFError("the Node host went away during a host call")
        header, body = frame
        if header.get("op") != "host_reply":
            raise ValueError(f"expected a host_reply, got {header.get('op')!r}")
        return body if header.get("ok") is True else HostCallError(body.decode("utf-8", errors="replace"))

    def handle(self, header: Header, body: bytes) -> tuple[Header, bytes]:
        op = header.get("op")
        if op == "version":
            return {"ok": True, "wasmtime": version("wasmtime")}, b""
        if op == "load":
            try:
                pre = PolicyPre(self.engine(str(header["configuration"])), body)
            except (wasmtime.WasmtimeError, ValueError) as err:
                return {"ok": False, "error": str(err)}, b""
            module_id = len(self.modules) + 1
            self.modules[module_id] = pre
            return {"ok": True, "module": module_id}, b""
        if op == "instantiate":
            instance_id = int(str(header["instance"]))
            try:
                instance = self.modules[int(str(header["module"]))].instantiate(self.host_call, instance_id)
            except InitializationError as err:
                return {"ok": False, "error": str(err), "interrupted": err.interrupted}, b""
            self.instances[instance_id] = instance
            return {"ok": True}, b""
        if op == "call":
            instance = self.instances[int(str(header["instance"]))]
            result = instance.call(str(header["operation"]), body)
            memory = instance.memory_bytes
            if result.response is not None:
                return {"ok": True, "memory_bytes": memory}, result.response
            return {"ok": False, "error": result.error, "trap": result.trapped, "trap_code": result.trap_code,
                    "memory_bytes": memory}, b""
        if op == "drop":
            self.instances.pop(int(str(header["instance"])), None)
            return {"ok": True}, b""
        if op == "wat2wasm":
            try:
                return {"ok": True}, wasmtime.wat2wasm(body.decode("utf-8"))
            except wasmtime.WasmtimeError as err:
                return {"ok": False, "error": str(err)}, b""
        return {"ok": False, "error": f"unknown request {op!r}"}, b""

    def serve(self) -> None:
        while True:
            frame = self.channel.receive()
            if frame is None:
                return
            header, body = frame
            try:
                reply, reply_body = self.handle(header, body)
            except Exception as err:  # a defect here must reach the Node side, not end the process
                traceback.print_exc(file=sys.stderr)
                reply, reply_body = {"ok": False, "error": f"wasmtime bridge: {type(err).__name__}: {err}"}, b""
            self.channel.send(reply, reply_body)


def main() -> None:
    incoming = os.fdopen(3, "rb")
    outgoing = os.fdopen(4, "wb")
    Bridge(Channel(incoming, outgoing)).serve()


if __name__ == "__main__":
    main()
