"""A waPC host on the real wasmtime engine, configured as Kubewarden's policy-server and kwctl do.

It reproduces wapc-rs `crates/wasmtime-provider` (v2.19.0, the version kubewarden-controller's
Cargo.lock pins, up to v2.22.0: the code below is unchanged between them) and the parts of
`crates/wapc` it drives (`WapcHost::call`, `ModuleState::do_host_call`):
https://github.com/wapc/wapc-rs/tree/main/crates/wasmtime-provider/src

- The linker holds the 9 `wapc` host functions with their exact signatures (callbacks.rs
  `add_to_linker`) and WASI preview1 (provider.rs `WasmtimeEngineProviderPre::new`:
  `wasi_common::sync::add_to_linker`, the default `wasi` feature, which policy-evaluator keeps).
  Nothing else: a module importing anything else fails in `Linker.instantiate_pre`.
- A policy is compiled once and pre-linked into an `InstancePre` (provider.rs `instantiate_pre`);
  every instance comes from it (`WasmtimeEngineProvider::init`: a new `Store`, then
  `instance_pre.instantiate`), with NO epoch deadline armed at that point.
- After instantiation `_start`, then `wapc_init`, are called when exported, each after arming the
  deadline (`initialize`, `REQUIRED_STARTS`); `__guest_call` is called after arming it again
  (`call`).
- A trap while running `__guest_call` becomes the guest error with return code 0; an epoch
  interruption becomes "guest code interrupted, execution deadline exceeded", the text
  policy-evaluator looks for (runtimes/wapc/runtime.rs `WAPC_EPOCH_INTERRUPTION_ERR_MSG`).

The engine configurations are those of kubewarden-controller:
- policy-server (`crates/policy-server/src/lib.rs`): `wasm_function_references(true)`,
  `epoch_interruption(true)` (the default `--policy-timeout 2`), a ticker incrementing the epoch
  once a second (tokio interval, `MissedTickBehavior::Skip`), deadline 2 ticks for init and for
  every call (`stack_pre.rs` `rehydrate`: `EpochDeadlines { wapc_init: d, wapc_func: d }`), and a
  new instance for every `validate` and `validate_settings` (`EvaluationEnvironment`);
- kwctl (`crates/policy-evaluator/src/policy_evaluator/policy_evaluator_builder.rs`,
  `crates/kwctl/src/command/run/evaluator.rs`): `wasm_function_references(true)`, no epoch
  interruption, one instance for `validate_settings` and then `validate`.
Neither sets `max_wasm_stack`, fuel or memory limits: wasmtime's defaults apply (512 KiB of wasm
stack). Instance lifetime is the caller's business (bridge.py creates and drops instances);
`Configuration.fresh_instance_per_call` says which lifetime the configuration stands for.

Differences from the Rust host, all without effect on a waPC guest:
- wasmtime-py 49 (the wasmtime C API) instead of the Rust crate (kubewarden-controller pins
  wasmtime 44); WASI preview1 comes from `Linker.define_wasi` (wasmtime-wasi) instead of
  wasi-common. Both inherit stdio and give no args, env or preopened directories.
- kwctl's wasmtime compilation cache is not used (it only saves compile time).
- wasmtime-py's `Caller` does not expose the store's data, so the `ModuleState` of the instance
  that is running guest code is tracked by `_running` instead of `WapcStore::host`; this process
  runs one guest at a time, as each wapc-rs store does.
- Reading guest memory out of bounds panics in Rust (`data[ptr..ptr + len]`); here it is a host
  function error, which aborts the guest call like a trap.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional, Union
from contextlib import contextmanager

import wasmtime

# crates/wapc/src/lib.rs HOST_NAMESPACE, crates/wapc/src/wapc_functions.rs
HOST_NAMESPACE = "wapc"
GUEST_CALL = "__guest_call"
REQUIRED_STARTS = ("_start", "wapc_init")  # "order is important"

# crates/wasmtime-provider/src/provider.rs `call`; policy-evaluator matches this text.
EPOCH_INTERRUPTION_MESSAGE = "guest code interrupted, execution deadline exceeded"


@dataclass(frozen=True)
class Configuration:
    """How a Kubewarden host sets up wasmtime and the lifetime of instances."""

    name: str
    epoch_interruption: bool
    # epoch ticks before a running guest is interrupted (None: never)
    epoch_deadline: Optional[int]
    # seconds between two `Engine.increment_epoch` calls
    tick_seconds: float
    # a new instance for every validate / validate_settings (policy-server) or one reused (kwctl)
    fresh_instance_per_call: bool


POLICY_SERVER = Configuration("policy-server", True, 2, 1.0, True)
KWCTL = Configuration("kwctl", False, None, 0.0, False)
CONFIGURATIONS = {c.name: c for c in (POLICY_SERVER, KWCTL)}


class EpochTicker:
    """policy-server's ticker: `engine.increment_epoch()` every `period` seconds.

    tokio's `interval` completes its first tick at once; with `MissedTickBehavior::Skip` a late
    tick is not made up for, the next one comes at the next multiple of the period.
    """

    def __init__(self, engine: wasmtime.Engine, period: float) -> None:
        self._engine = engine
        self._period = period
        self._stop = threading.Event()
        # a daemon thread: it ends with the process, like policy-server's tokio task
        self._thread = threading.Thread(target=self._run, name="epoch-ticker", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        start = time.monotonic()
        while True:
            self._engine.increment_epoch()
            elapsed = time.monotonic() - start
            next_tick = (int(elapsed / self._period) + 1) * self._period
            if self._stop.wait(next_tick - elapsed):
                return

    def stop(self) -> None:
        self._stop.set()


def new_engine(configuration: Configuration) -> wasmtime.Engine:
    config = wasmtime.Config()
    # "required by policies built by the official go compiler >= 1.26.0" (policy_evaluator_builder.rs)
    config.wasm_function_references = True
    if configuration.epoch_interruption:
        config.epoch_interruption = True
    # max_wasm_stack is left at wasmtime's default (512 KiB), as policy-server and kwctl leave it.
    return wasmtime.Engine(config)


# ------------------------------------------------------------------------------------------------
# crates/wapc/src/wapchost/modulestate.rs: the state shared by the host functions of one instance


@dataclass
class Invocation:
    operation: bytes
    msg: bytes


HostCallOutcome = Union[bytes, "HostCallError"]


class HostCallError:
    """A host callback's `Err(e)`: the guest gets 0 and `format!("{e}")` as host error."""

    def __init__(self, message: str) -> None:
        self.message = message


# binding, namespace, operation, payload -> reply bytes or HostCallError
HostCallback = Callable[[str, str, str, bytes], HostCallOutcome]


@dataclass
class ModuleState:
    host_callback: HostCallback
    id: int
    guest_request: Optional[Invocation] = None
    guest_response: Optional[bytes] = None
    guest_error: Optional[str] = None
    host_response: Optional[bytes] = None
    host_error: Optional[str] = None
    host_calls: int = 0

    def do_host_call(self, binding: str, namespace: str, operation: str, payload: bytes) -> int:
        self.host_response = None
        self.host_error = None
        self.host_calls += 1
        result = self.host_callback(binding, namespace, operation, payload)
        if isinstance(result, HostCallError):
            self.host_error = result.message
            return 0
        self.host_response = result
        return 1

    def do_console_log(self, message: str) -> None:
        # modulestate.rs: info!("Guest module {}: {}", self.id, msg)
        print(f"Guest module {self.id}: {message}", file=sys.stderr, flush=True)


class HostFunctionError(Exception):
    """An `Err` returned by a wapc host function (callbacks.rs `format_err!`): aborts the guest."""


# The ModuleState of the instance running guest code (see "Differences" above).
_running: Optional[ModuleState] = None


@contextmanager
def _entering(state: ModuleState) -> Iterator[None]:
    global _running
    previous, _running = _running, state
    try:
        yield
    finally:
        _running = previous


def _state() -> ModuleState:
    if _running is None:
        raise HostFunctionError("host should have been set during the init")
    return _running


# ------------------------------------------------------------------------------------------------
# crates/wasmtime-provider/src/callbacks.rs


def _memory(caller: wasmtime.Caller) -> wasmtime.Memory:
    export = caller.get("memory")
    if export is None:
        raise HostFunctionError("Cannot find 'mem' export")
    if not isinstance(export, wasmtime.Memory):
        raise HostFunctionError("'mem' export cannot be converted into a Memory instance")
    return export


def _read(caller: wasmtime.Caller, memory: wasmtime.Memory, ptr: int, length: int) -> bytes:
    # `ptr as usize`, `(ptr + len) as usize`: a negative i32 is out of range (Rust panics).
    end = ptr + length
    if ptr < 0 or length < 0 or end > memory.data_len(caller):
        raise HostFunctionError(f"range {ptr}..{end} out of bounds of guest memory")
    return bytes(memory.read(caller, ptr, end))


def _write(caller: wasmtime.Caller, memory: wasmtime.Memory, ptr: int, data: bytes) -> None:
    if not data:
        return
    if ptr < 0 or ptr + len(data) > memory.data_len(caller):
        raise HostFunctionError("out of bounds memory access")
    memory.write(caller, data, ptr)


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise HostFunctionError(f"{what}: cannot convert message to UTF8: {err}") from None


def _guest_request(caller: wasmtime.Caller, op_ptr: int, ptr: int) -> None:
    host = _state()
    memory = _memory(caller)
    invocation = host.guest_request
    if invocation is not None:
        _write(caller, memory, ptr, invocation.msg)
        _write(caller, memory, op_ptr, invocation.operation)


def _console_log(caller: wasmtime.Caller, ptr: int, length: int) -> None:
    memory = _memory(caller)
    host = _state()
    host.do_console_log(_utf8(_read(caller, memory, ptr, length), "console_log"))


def _host_call(caller: wasmtime.Caller, bd_ptr: int, bd_len: int, ns_ptr: int, ns_len: int,
               op_ptr: int, op_len: int, ptr: int, length: int) -> int:
    memory = _memory(caller)
    host = _state()
    payload = _read(caller, memory, ptr, length)
    binding = _utf8(_read(caller, memory, bd_ptr, bd_len), "host_call: bd")
    namespace = _utf8(_read(caller, memory, ns_ptr, ns_len), "host_call: ns")
    operation = _utf8(_read(caller, memory, op_ptr, op_len), "host_call: op")
    return host.do_host_call(binding, namespace, operation, payload)


def _host_response(caller: wasmtime.Caller, ptr: int) -> None:
    memory = _memory(caller)
    host = _state()
    if host.host_response is not None:
        _write(caller, memory, ptr, host.host_response)


def _host_response_len(caller: wasmtime.Caller) -> int:
    response = _state().host_response
    return len(response) if response is not None else 0


def _guest_response(caller: wasmtime.Caller, ptr: int, length: int) -> None:
    memory = _memory(caller)
    host = _state()
    host.guest_response = _read(caller, memory, ptr, length)


def _guest_error(caller: wasmtime.Caller, ptr: int, length: int) -> None:
    memory = _memory(caller)
    host = _state()
    # String::from_utf8: an error message that is not UTF-8 aborts the guest call
    host.guest_error = _utf8(_read(caller, memory, ptr, length), "guest_error_func")


def _host_error(caller: wasmtime.Caller, ptr: int) -> None:
    memory = _memory(caller)
    host = _state()
    if host.host_error is not None:
        _write(caller, memory, ptr, host.host_error.encode("utf-8"))


def _host_error_len(caller: wasmtime.Caller) -> int:
    error = _state().host_error
    return len(error.encode("utf-8")) if error is not None else 0


_I32 = wasmtime.ValType.i32


def _signature(params: int, results: int) -> wasmtime.FuncType:
    return wasmtime.FuncType([_I32() for _ in range(params)], [_I32() for _ in range(results)])


# name -> (host function, parameters, results): every parameter and result is an i32
WAPC_IMPORTS: dict[str, tuple[Callable[..., Optional[int]], int, int]] = {
    "__guest_request": (_guest_request, 2, 0),
    "__console_log": (_console_log, 2, 0),
    "__host_call": (_host_call, 8, 1),
    "__host_response": (_host_response, 1, 0),
    "__host_response_len": (_host_response_len, 0, 1),
    "__guest_response": (_guest_response, 2, 0),
    "__guest_error": (_guest_error, 2, 0),
    "__host_error": (_host_error, 1, 0),
    "__host_error_len": (_host_error_len, 0, 1),
}


def add_wapc_to_linker(linker: wasmtime.Linker) -> None:
    for name, (function, params, results) in WAPC_IMPORTS.items():
        linker.define_func(HOST_NAMESPACE, name, _signature(params, results), function, access_caller=True)


# ------------------------------------------------------------------------------------------------
# crates/wasmtime-provider/src/provider.rs and errors.rs


class InitializationError(Exception):
    """`WapcHost::new` failed: the policy cannot be loaded (`Error::InitFailed`)."""

    def __init__(self, message: str, interrupted: bool) -> None:
        super().__init__(message)
        self.interrupted = interrupted


@dataclass
class GuestCallResult:
    """What `WapcHost::call` returns: the guest response, or a `GuestCallFailure` message."""

    response: Optional[bytes]
    error: Optional[str]
    # the guest call was aborted by the engine (a trap, or an error of a host function), rather
    # than answered with __guest_error; `trap_code` names wasmtime's trap code when there is one
    trapped: bool = False
    trap_code: Optional[str] = None


@dataclass
class Engine:
    """One wasmtime engine of a configuration, with its ticker (policy-server: one per process)."""

    configuration: Configuration
    engine: wasmtime.Engine = field(init=False)
    ticker: Optional[EpochTicker] = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.engine = new_engine(self.configuration)
        if self.configuration.epoch_interruption:
            self.ticker = EpochTicker(self.engine, self.configuration.tick_seconds)


class PolicyPre:
    """`WasmtimeEngineProviderPre`: the compiled module, the linker and the `InstancePre`."""

    def __init__(self, engine: Engine, wasm: bytes) -> None:
        self.engine = engine
        # policy-server precompiles every policy and rehydrates it (`Module::deserialize`).
        compiled = wasmtime.Module(engine.engine, wasm)
        self.module = wasmtime.Module.deserialize(engine.engine, compiled.serialize())
        self.linker = wasmtime.Linker(engine.engine)
        self.linker.define_wasi()
        add_wapc_to_linker(self.linker)
        self.instance_pre = self.linker.instantiate_pre(self.module)

    def instantiate(self, host_callback: HostCallback, instance_id: int) -> "PolicyInstance":
        return PolicyInstance(self, ModuleState(host_callback, instance_id))


def _wasi_config() -> wasmtime.WasiConfig:
    # wasi.rs `init_ctx`: inherited stdio, no args, no env, no preopened directories
    wasi = wasmtime.WasiConfig()
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    return wasi


def _trap_code(error: wasmtime.Trap) -> Optional[str]:
    code = error.trap_code
    return code.name.lower() if code is not None else None


class PolicyInstance:
    """`WapcHost` over a `WasmtimeEngineProvider` after `init`: one store, one instance."""

    def __init__(self, pre: PolicyPre, host: ModuleState) -> None:
        self.pre = pre
        self.host = host
        self.deadline = pre.engine.configuration.epoch_deadline
        self.store = wasmtime.Store(pre.engine.engine)
        self.store.set_wasi(_wasi_config())
        with _entering(host):
            try:
                # instantiate before any deadline is set: a start section runs here
                self.instance = pre.instance_pre.instantiate(self.store)
            except (wasmtime.Trap, wasmtime.WasmtimeError, HostFunctionError) as err:
                interrupted = isinstance(err, wasmtime.Trap) and err.trap_code == wasmtime.TrapCode.INTERRUPT
                raise InitializationError(f"Initialization failed: {err}", interrupted) from None
            self.guest_call = self._guest_call_fn()
            self._initialize()

    def _export(self, name: str) -> Optional[wasmtime.Func]:
        extern = self.instance.exports(self.store).get(name)
        return extern if isinstance(extern, wasmtime.Func) else None

    def _has_signature(self, func: wasmtime.Func, params: list[str], results: list[str]) -> bool:
        ty = func.type(self.store)
        return [str(p) for p in ty.params] == params and [str(r) for r in ty.results] == results

    def _guest_call_fn(self) -> wasmtime.Func:
        # get_typed_func::<(i32, i32), i32>, mapped to Error::GuestCallNotFound on any failure
        func = self._export(GUEST_CALL)
        if func is None or not self._has_signature(func, ["i32", "i32"], ["i32"]):
            raise InitializationError(
                "Initialization failed: Guest call function (__guest_call) not exported by wasm module.", False)
        return func

    def _initialize(self) -> None:
        for starter in REQUIRED_STARTS:
            if self.deadline is not None:
                # "the deadline counter must be set before invoking the wasm function"
                self.store.set_epoch_deadline(self.deadline)
            extern = self.instance.exports(self.store).get(starter)
            if extern is None:
                continue
            if not isinstance(extern, wasmtime.Func) or not self._has_signature(extern, [], []):
                raise InitializationError(f"Initialization failed: {starter}: not a function of type () -> ()", False)
            try:
                extern(self.store)
            except wasmtime.Trap as err:
                if err.trap_code == wasmtime.TrapCode.INTERRUPT:
                    raise InitializationError(
                        f"Initialization failed: Initialization failed: {starter} init interrupted, execution deadline exceeded",
                        True) from None
                raise InitializationError(f"Initialization failed: Initialization failed: {err}", False) from None
            except wasmtime.ExitTrap as err:
                # tinygo's main ends with proc_exit; exit code 0 is a successful initialisation
                if err.code != 0:
                    raise InitializationError(f"Initialization failed: Initialization failed: {err}", False) from None
            except (wasmtime.WasmtimeError, HostFunctionError) as err:
                raise InitializationError(f"Initialization failed: Initialization failed: {err}", False) from None

    @property
    def memory_bytes(self) -> int:
        memory = self.instance.exports(self.store).get("memory")
        return memory.data_len(self.store) if isinstance(memory, wasmtime.Memory) else 0

    def call(self, operation: str, payload: bytes) -> GuestCallResult:
        """`WapcHost::call` with `WasmtimeEngineProvider::call`."""
        host = self.host
        invocation = Invocation(operation.encode("utf-8"), payload)
        host.guest_response = None
        host.guest_request = invocation
        host.guest_error = None
        host.host_response = None
        host.host_error = None
        if self.deadline is not None:
            self.store.set_epoch_deadline(self.deadline)
        trapped = False
        trap_code: Optional[str] = None
        with _entering(host):
            try:
                result = self.guest_call(self.store, len(invocation.operation), len(invocation.msg))
            except wasmtime.Trap as err:
                trapped, trap_code = True, _trap_code(err)
                host.guest_error = EPOCH_INTERRUPTION_MESSAGE if err.trap_code == wasmtime.TrapCode.INTERRUPT else str(err)
                result = 0
            except (wasmtime.WasmtimeError, HostFunctionError) as err:
                trapped = True
                host.guest_error = str(err)
                result = 0
        if result == 0:
            error = host.guest_error if host.guest_error is not None else "No error message set for call failure"
            return GuestCallResult(None, error, trapped, trap_code)
        if host.guest_response is not None:
            return GuestCallResult(host.guest_response, None)
        error = host.guest_error if host.guest_error is not None else "No error message OR response set for call success"
        return GuestCallResult(None, error)
