/*
 * A native waPC host on wasmtime, for `make bench` only: the policy's own cost on the real engine,
 * with host functions that cost what policy-server's Rust closures cost (nanoseconds), where the
 * Python host (host/wasmtime/wapc_host.py) adds a Python callback of several microseconds to each.
 *
 * Why C: policy-server's host is Rust, but this machine reaches no crates.io; wasmtime-py ships
 * the wasmtime C API as a shared library (.venv/.../wasmtime/linux-x86_64/_libwasmtime.so)
 * without its headers, so the few C API declarations used here are written out below, as
 * documented at https://docs.wasmtime.dev/c-api/ and laid out as in wasmtime-py 49's
 * `_bindings.py` (generated from those headers). Nothing here is part of the policy or of the
 * test hosts: it is a measuring instrument.
 *
 * It does what wapc-rs' wasmtime-provider does (crates/wasmtime-provider/src/provider.rs and
 * callbacks.rs, see host/wasmtime/wapc_host.py for the details), for a guest that behaves:
 *   - an engine with wasm_function_references, and, in the policy-server configuration, epoch
 *     interruption with a thread incrementing the epoch once a second and a deadline of 2 ticks
 *     armed before `_start`/`wapc_init` and before every `__guest_call`;
 *   - a linker with the 9 `wapc` functions and WASI preview1; a module pre-linked once into an
 *     InstancePre; an instance is a new Store + WASI context + InstancePre.instantiate;
 *   - the host calls answered from a table loaded from a file (operation + payload -> reply).
 *
 *   bench-host WASM CONFIGURATION PAYLOAD REPLIES ROUNDS BATCH
 *       prints one JSON object, times in microseconds (medians of ROUNDS batch means):
 *       reused (validate on one instance), fresh (new Store + instance + _start + validate +
 *       drop, as policy-server does for every request), host_calls (per validate),
 *       empty_call and per_host_call (this host's own cost: two tiny WAT guests), fresh_empty (a
 *       new instance of the first of them and its call: the engine's floor for a fresh instance),
 *       fresh_faults and fresh_empty_faults (minor page faults per fresh one), fresh_instantiate,
 *       fresh_call and fresh_drop (the means of fresh's three phases, over all its runs).
 *   bench-host WASM CONFIGURATION PAYLOAD REPLIES --once
 *       one validate on a fresh instance; the guest's response on stdout (exit 0), or its error
 *       on stderr (exit 1). tests/wasmtime_native_bench_host.test.ts compares it with V8.
 * CONFIGURATION: policy-server | kwctl. REPLIES: records of three fields, each a little-endian
 * u32 length and that many bytes: operation, host-call payload, reply.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* ---- the wasmtime C API (wasmtime 49), as far as this host uses it ------------------------- */
typedef struct wasm_config_t wasm_config_t;
typedef struct wasm_engine_t wasm_engine_t;
typedef struct wasmtime_module_t wasmtime_module_t;
typedef struct wasmtime_linker_t wasmtime_linker_t;
typedef struct wasmtime_instance_pre_t wasmtime_instance_pre_t;
typedef struct wasmtime_store_t wasmtime_store_t;
typedef struct wasmtime_context_t wasmtime_context_t;
typedef struct wasmtime_caller_t wasmtime_caller_t;
typedef struct wasmtime_error_t wasmtime_error_t;
typedef struct wasm_trap_t wasm_trap_t;
typedef struct wasi_config_t wasi_config_t;
typedef struct wasm_valtype_t wasm_valtype_t;
typedef struct wasm_functype_t wasm_functype_t;
typedef struct { size_t size; char *data; } wasm_byte_vec_t;
typedef struct { size_t size; wasm_valtype_t **data; } wasm_valtype_vec_t;
typedef struct { uint64_t store_id; void *private_; } wasmtime_func_t;
typedef struct { uint64_t store_id; uint32_t private1; uint32_t private2; } wasmtime_memory_t;
typedef struct { uint64_t store_id; size_t private_; } wasmtime_instance_t;
typedef struct {
  uint8_t kind; /* WASMTIME_EXTERN_FUNC 0, ..._MEMORY 3 */
  /* 24 bytes, as wasmtime_global_t is the largest member (wasmtime-py's wasmtime_extern_union) */
  union { wasmtime_func_t func; wasmtime_memory_t memory; void *sharedmemory; struct { uint64_t store_id; uint32_t private1, private2, private3; } global; } of;
} wasmtime_extern_t;
_Static_assert(sizeof(wasmtime_extern_t) == 32, "wasmtime_extern_t is 32 bytes in wasmtime 49");
typedef union {
  int32_t i32; int64_t i64; float f32; double f64; uint8_t v128[16];
  uint32_t anyref; uint32_t externref; void *funcref;
} wasmtime_val_raw_t;
typedef wasm_trap_t *(*wasmtime_func_unchecked_callback_t)(void *env, wasmtime_caller_t *caller,
                                                           wasmtime_val_raw_t *args_and_results,
                                                           size_t num_args_and_results);
enum { WASM_I32 = 0, WASMTIME_EXTERN_FUNC = 0, WASMTIME_EXTERN_MEMORY = 3 };

wasm_config_t *wasm_config_new(void);
void wasmtime_config_epoch_interruption_set(wasm_config_t *, bool);
void wasmtime_config_wasm_function_references_set(wasm_config_t *, bool);
void wasmtime_config_profiler_set(wasm_config_t *, uint8_t strategy); /* 3: WASMTIME_PROFILING_STRATEGY_PERFMAP */
wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *);
void wasmtime_engine_increment_epoch(wasm_engine_t *);
wasmtime_error_t *wasmtime_wat2wasm(const char *wat, size_t len, wasm_byte_vec_t *out);
void wasm_byte_vec_delete(wasm_byte_vec_t *);
wasmtime_error_t *wasmtime_module_new(wasm_engine_t *, const uint8_t *wasm, size_t len, wasmtime_module_t **);
wasmtime_linker_t *wasmtime_linker_new(wasm_engine_t *);
wasmtime_error_t *wasmtime_linker_define_wasi(wasmtime_linker_t *);
wasmtime_error_t *wasmtime_linker_define_func_unchecked(wasmtime_linker_t *, const char *module, size_t module_len,
                                                        const char *name, size_t name_len, const wasm_functype_t *,
                                                        wasmtime_func_unchecked_callback_t, void *env,
                                                        void (*finalizer)(void *));
wasmtime_error_t *wasmtime_linker_instantiate_pre(const wasmtime_linker_t *, const wasmtime_module_t *,
                                                  wasmtime_instance_pre_t **);
wasmtime_error_t *wasmtime_instance_pre_instantiate(const wasmtime_instance_pre_t *, wasmtime_context_t *,
                                                    wasmtime_instance_t *, wasm_trap_t **);
bool wasmtime_instance_export_get(wasmtime_context_t *, const wasmtime_instance_t *, const char *name,
                                  size_t name_len, wasmtime_extern_t *);
bool wasmtime_caller_export_get(wasmtime_caller_t *, const char *name, size_t name_len, wasmtime_extern_t *);
wasmtime_context_t *wasmtime_caller_context(wasmtime_caller_t *);
uint8_t *wasmtime_memory_data(const wasmtime_context_t *, const wasmtime_memory_t *);
size_t wasmtime_memory_data_size(const wasmtime_context_t *, const wasmtime_memory_t *);
wasmtime_store_t *wasmtime_store_new(wasm_engine_t *, void *data, void (*finalizer)(void *));
wasmtime_context_t *wasmtime_store_context(wasmtime_store_t *);
void *wasmtime_context_get_data(const wasmtime_context_t *);
void wasmtime_store_delete(wasmtime_store_t *);
void wasmtime_context_set_epoch_deadline(wasmtime_context_t *, uint64_t ticks_beyond_current);
wasi_config_t *wasi_config_new(void);
void wasi_config_inherit_stdout(wasi_config_t *);
void wasi_config_inherit_stderr(wasi_config_t *);
wasmtime_error_t *wasmtime_context_set_wasi(wasmtime_context_t *, wasi_config_t *);
wasmtime_error_t *wasmtime_func_call_unchecked(wasmtime_context_t *, const wasmtime_func_t *,
                                               wasmtime_val_raw_t *args_and_results, size_t len, wasm_trap_t **);
void wasmtime_error_message(const wasmtime_error_t *, wasm_byte_vec_t *message);
void wasmtime_error_delete(wasmtime_error_t *);
void wasm_trap_message(const wasm_trap_t *, wasm_byte_vec_t *message);
void wasm_trap_delete(wasm_trap_t *);
wasm_trap_t *wasmtime_trap_new(const char *message, size_t len);
wasm_valtype_t *wasm_valtype_new(uint8_t kind);
void wasm_valtype_vec_new(wasm_valtype_vec_t *, size_t, wasm_valtype_t *const[]);
void wasm_valtype_vec_new_empty(wasm_valtype_vec_t *);
wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params, wasm_valtype_vec_t *results);
void wasm_functype_delete(wasm_functype_t *);

/* ---- errors ------------------------------------------------------------------------------- */
static void die(const char *what, wasmtime_error_t *error, wasm_trap_t *trap) {
  wasm_byte_vec_t message = {0, NULL};
  if (error) wasmtime_error_message(error, &message);
  else if (trap) wasm_trap_message(trap, &message);
  fprintf(stderr, "bench-host: %s: %.*s\n", what, (int)message.size, message.data ? message.data : "");
  exit(2);
}
static void check(const char *what, wasmtime_error_t *error) { if (error) die(what, error, NULL); }

/* ---- files and the reply table ------------------------------------------------------------ */
typedef struct { uint8_t *data; size_t size; } bytes_t;

static bytes_t read_file(const char *path) {
  FILE *file = fopen(path, "rb");
  if (!file) { perror(path); exit(2); }
  bytes_t out = {NULL, 0};
  size_t capacity = 0;
  for (;;) {
    if (out.size == capacity) out.data = realloc(out.data, capacity = capacity * 2 + 65536);
    size_t n = fread(out.data + out.size, 1, capacity - out.size, file);
    if (n == 0) break;
    out.size += n;
  }
  fclose(file);
  return out;
}

typedef struct { bytes_t operation, payload, reply; } reply_t;
typedef struct { reply_t *items; size_t count; } reply_table_t;

static bytes_t take_field(const bytes_t *file, size_t *at) {
  if (file->size - *at < 4) { fprintf(stderr, "bench-host: truncated replies file\n"); exit(2); }
  uint32_t length = (uint32_t)file->data[*at] | (uint32_t)file->data[*at + 1] << 8 |
                    (uint32_t)file->data[*at + 2] << 16 | (uint32_t)file->data[*at + 3] << 24;
  *at += 4;
  if (file->size - *at < length) { fprintf(stderr, "bench-host: truncated replies file\n"); exit(2); }
  bytes_t field = {file->data + *at, length};
  *at += length;
  return field;
}

static reply_table_t read_replies(const char *path) {
  bytes_t file = read_file(path);
  reply_table_t table = {NULL, 0};
  for (size_t at = 0; at < file.size;) {
    table.items = realloc(table.items, (table.count + 1) * sizeof(reply_t));
    reply_t *item = &table.items[table.count++];
    item->operation = take_field(&file, &at);
    item->payload = take_field(&file, &at);
    item->reply = take_field(&file, &at);
  }
  return table;
}

static bool same(bytes_t a, const uint8_t *data, size_t size) {
  return a.size == size && memcmp(a.data, data, size) == 0;
}

/* ---- wapc-rs ModuleState: one per store, the store's data ---------------------------------- */
static const char OPERATION[] = "validate";
typedef struct {
  const reply_table_t *replies;
  bytes_t request;                  /* the guest call's message */
  const uint8_t *host_response;     /* the last host call's reply, or NULL */
  size_t host_response_size;
  const char *host_error;           /* the last host call's error, or NULL */
  uint8_t *guest_response;
  size_t guest_response_size;
  char *guest_error;
  unsigned host_calls;
} module_state_t;

static module_state_t *state_of(wasmtime_caller_t *caller) {
  return wasmtime_context_get_data(wasmtime_caller_context(caller));
}

/* callbacks.rs: every function looks the memory up through the caller ("memory" export). */
static wasm_trap_t *guest_memory(wasmtime_caller_t *caller, uint8_t **data, size_t *size) {
  wasmtime_extern_t item;
  if (!wasmtime_caller_export_get(caller, "memory", 6, &item) || item.kind != WASMTIME_EXTERN_MEMORY)
    return wasmtime_trap_new("Cannot find 'mem' export", 24);
  wasmtime_context_t *context = wasmtime_caller_context(caller);
  *data = wasmtime_memory_data(context, &item.of.memory);
  *size = wasmtime_memory_data_size(context, &item.of.memory);
  return NULL;
}

#define OUT_OF_BOUNDS() wasmtime_trap_new("out of bounds memory access", 27)
static bool in_bounds(uint32_t ptr, uint32_t length, size_t size) {
  return (uint64_t)ptr + length <= size;
}

static wasm_trap_t *guest_request(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *args, size_t n) {
  (void)env; (void)n;
  module_state_t *state = state_of(caller);
  uint8_t *memory; size_t size;
  wasm_trap_t *trap = guest_memory(caller, &memory, &size);
  if (trap) return trap;
  uint32_t op_ptr = (uint32_t)args[0].i32, ptr = (uint32_t)args[1].i32;
  if (!in_bounds(ptr, state->request.size, size) || !in_bounds(op_ptr, sizeof OPERATION - 1, size))
    return OUT_OF_BOUNDS();
  memcpy(memory + ptr, state->request.data, state->request.size);
  memcpy(memory + op_ptr, OPERATION, sizeof OPERATION - 1);
  return NULL;
}

static wasm_trap_t *host_call(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *args, size_t n) {
  (void)env; (void)n;
  module_state_t *state = state_of(caller);
  uint8_t *memory; size_t size;
  wasm_trap_t *trap = guest_memory(caller, &memory, &size);
  if (trap) return trap;
  for (int i = 0; i < 8; i += 2)
    if (!in_bounds((uint32_t)args[i].i32, (uint32_t)args[i + 1].i32, size)) return OUT_OF_BOUNDS();
  const uint8_t *operation = memory + (uint32_t)args[4].i32, *payload = memory + (uint32_t)args[6].i32;
  size_t operation_size = (uint32_t)args[5].i32, payload_size = (uint32_t)args[7].i32;
  state->host_calls++;
  state->host_response = NULL;
  state->host_error = NULL;
  for (size_t i = 0; i < state->replies->count; i++) {
    const reply_t *item = &state->replies->items[i];
    if (same(item->operation, operation, operation_size) && same(item->payload, payload, payload_size)) {
      state->host_response = item->reply.data;
      state->host_response_size = item->reply.size;
      args[0].i32 = 1;
      return NULL;
    }
  }
  state->host_error = "no reply recorded for this host call";
  args[0].i32 = 0;
  return NULL;
}

/* Copies `length` bytes to guest address `ptr`; traps out of bounds, as wapc-rs does. */
static wasm_trap_t *copy_in(wasmtime_caller_t *caller, uint32_t ptr, const void *data, size_t length) {
  uint8_t *memory; size_t size;
  wasm_trap_t *trap = guest_memory(caller, &memory, &size);
  if (trap) return trap;
  if (!in_bounds(ptr, (uint32_t)length, size)) return OUT_OF_BOUNDS();
  memcpy(memory + ptr, data, length);
  return NULL;
}

static wasm_trap_t *host_response(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *args, size_t n) {
  (void)env; (void)n;
  module_state_t *state = state_of(caller);
  if (!state->host_response) return NULL;
  return copy_in(caller, (uint32_t)args[0].i32, state->host_response, state->host_response_size);
}

static wasm_trap_t *host_response_len(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *args, size_t n) {
  (void)env; (void)n;
  module_state_t *state = state_of(caller);
  args[0].i32 = state->host_response ? (int32_t)state->host_response_size : 0;
  return NULL;
}

static wasm_trap_t *host_error(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *args, size_t n) {
  (void)env; (void)n;
  module_state_t *state = state_of(caller);
  if (!state->host_error) return NULL;
  return copy_in(caller, (uint32_t)args[0].i32, state->host_error, strlen(state->host_error));
}

static wasm_trap_t *host_error_len(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *args, size_t n) {
  (void)env; (void)n;
  module_state_t *state = state_of(caller);
  args[0].i32 = state->host_error ? (int32_t)strlen(state->host_error) : 0;
  return NULL;
}

static wasm_trap_t *copy_out(wasmtime_caller_t *caller, wasmtime_val_raw_t *args, uint8_t **out, size_t *out_size) {
  uint8_t *memory; size_t size;
  wasm_trap_t *trap = guest_memory(caller, &memory, &size);
  if (trap) return trap;
  uint32_t ptr = (uint32_t)args[0].i32, length = (uint32_t)args[1].i32;
  if (!in_bounds(ptr, length, size)) return OUT_OF_BOUNDS();
  /* The response is the guest's reply: a Rust Vec in wapc-rs, allocated for every call. */
  free(*out);
  *out = malloc(length + 1u);
  memcpy(*out, memory + ptr, length);
  (*out)[length] = 0;
  *out_size = length;
  return NULL;
}

static wasm_trap_t *guest_response(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *args, size_t n) {
  (void)env; (void)n;
  module_state_t *state = state_of(caller);
  return copy_out(caller, args, &state->guest_response, &state->guest_response_size);
}

static wasm_trap_t *guest_error(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *args, size_t n) {
  (void)env; (void)n;
  module_state_t *state = state_of(caller);
  size_t size;
  return copy_out(caller, args, (uint8_t **)&state->guest_error, &size);
}

static wasm_trap_t *console_log(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *args, size_t n) {
  (void)env; (void)n; (void)caller; (void)args;
  return NULL; /* modulestate.rs logs it at info level; a benchmark discards it */
}

/* ---- engine, linker, instances ------------------------------------------------------------ */
typedef struct { bool policy_server; wasm_engine_t *engine; wasmtime_linker_t *linker; } host_t;

static void *epoch_ticker(void *engine) {
  /* policy-server: a tokio interval calling engine.increment_epoch() once a second */
  for (;;) {
    wasmtime_engine_increment_epoch(engine);
    sleep(1);
  }
  return NULL;
}

static void define(wasmtime_linker_t *linker, const char *name, wasmtime_func_unchecked_callback_t callback,
                   size_t params, size_t results) {
  wasm_valtype_t *types[8];
  wasm_valtype_vec_t param_types, result_types;
  for (size_t i = 0; i < params; i++) types[i] = wasm_valtype_new(WASM_I32);
  if (params) wasm_valtype_vec_new(&param_types, params, types); else wasm_valtype_vec_new_empty(&param_types);
  if (results) { types[0] = wasm_valtype_new(WASM_I32); wasm_valtype_vec_new(&result_types, 1, types); }
  else wasm_valtype_vec_new_empty(&result_types);
  wasm_functype_t *type = wasm_functype_new(&param_types, &result_types);
  check(name, wasmtime_linker_define_func_unchecked(linker, "wapc", 4, name, strlen(name), type, callback, NULL, NULL));
  wasm_functype_delete(type);
}

static host_t new_host(const char *configuration) {
  host_t host = {strcmp(configuration, "policy-server") == 0, NULL, NULL};
  if (!host.policy_server && strcmp(configuration, "kwctl") != 0) {
    fprintf(stderr, "bench-host: configuration is policy-server or kwctl, not %s\n", configuration);
    exit(2);
  }
  wasm_config_t *config = wasm_config_new();
  wasmtime_config_wasm_function_references_set(config, true);
  if (host.policy_server) wasmtime_config_epoch_interruption_set(config, true);
  /* For `perf record`: JIT code symbols in /tmp/perf-PID.map (not in policy-server's configuration). */
  if (getenv("BENCH_HOST_PERFMAP")) wasmtime_config_profiler_set(config, 3);
  host.engine = wasm_engine_new_with_config(config);
  if (host.policy_server) {
    pthread_t ticker;
    pthread_create(&ticker, NULL, epoch_ticker, host.engine);
    pthread_detach(ticker);
  }
  host.linker = wasmtime_linker_new(host.engine);
  check("WASI", wasmtime_linker_define_wasi(host.linker));
  define(host.linker, "__guest_request", guest_request, 2, 0);
  define(host.linker, "__console_log", console_log, 2, 0);
  define(host.linker, "__host_call", host_call, 8, 1);
  define(host.linker, "__host_response", host_response, 1, 0);
  define(host.linker, "__host_response_len", host_response_len, 0, 1);
  define(host.linker, "__guest_response", guest_response, 2, 0);
  define(host.linker, "__guest_error", guest_error, 2, 0);
  define(host.linker, "__host_error", host_error, 1, 0);
  define(host.linker, "__host_error_len", host_error_len, 0, 1);
  return host;
}

static wasmtime_instance_pre_t *prepare(host_t *host, const uint8_t *wasm, size_t size) {
  wasmtime_module_t *module;
  check("compiling the module", wasmtime_module_new(host->engine, wasm, size, &module));
  wasmtime_instance_pre_t *pre;
  check("linking the module", wasmtime_linker_instantiate_pre(host->linker, module, &pre));
  return pre;
}

typedef struct {
  host_t *host;
  wasmtime_store_t *store;
  wasmtime_context_t *context;
  wasmtime_func_t guest_call;
  wasmtime_extern_t memory;
  module_state_t state;
} instance_t;

static void arm_deadline(instance_t *instance) {
  if (instance->host->policy_server) wasmtime_context_set_epoch_deadline(instance->context, 2);
}

static void call_void(instance_t *instance, wasmtime_func_t *func, const char *what) {
  wasmtime_val_raw_t none[1];
  wasm_trap_t *trap = NULL;
  wasmtime_error_t *error = wasmtime_func_call_unchecked(instance->context, func, none, 0, &trap);
  if (error || trap) die(what, error, trap);
}

/* provider.rs WasmtimeEngineProviderPre::rehydrate + WasmtimeEngineProvider::init */
static instance_t *instantiate(host_t *host, wasmtime_instance_pre_t *pre, const reply_table_t *replies) {
  instance_t *instance = calloc(1, sizeof *instance);
  instance->host = host;
  instance->state.replies = replies;
  instance->store = wasmtime_store_new(host->engine, &instance->state, NULL);
  instance->context = wasmtime_store_context(instance->store);
  wasi_config_t *wasi = wasi_config_new();
  wasi_config_inherit_stdout(wasi);
  wasi_config_inherit_stderr(wasi);
  check("WASI context", wasmtime_context_set_wasi(instance->context, wasi));
  wasmtime_instance_t handle;
  wasm_trap_t *trap = NULL;
  wasmtime_error_t *error = wasmtime_instance_pre_instantiate(pre, instance->context, &handle, &trap);
  if (error || trap) die("instantiating", error, trap);
  static const char *const starts[] = {"_start", "wapc_init"}; /* REQUIRED_STARTS, in this order */
  wasmtime_extern_t item;
  for (size_t i = 0; i < 2; i++) {
    if (wasmtime_instance_export_get(instance->context, &handle, starts[i], strlen(starts[i]), &item) &&
        item.kind == WASMTIME_EXTERN_FUNC) {
      arm_deadline(instance);
      call_void(instance, &item.of.func, starts[i]);
    }
  }
  if (!wasmtime_instance_export_get(instance->context, &handle, "__guest_call", 12, &item) ||
      item.kind != WASMTIME_EXTERN_FUNC) {
    fprintf(stderr, "bench-host: the module exports no __guest_call\n");
    exit(2);
  }
  instance->guest_call = item.of.func;
  wasmtime_instance_export_get(instance->context, &handle, "memory", 6, &instance->memory);
  return instance;
}

static void drop_instance(instance_t *instance) {
  wasmtime_store_delete(instance->store);
  free(instance->state.guest_response);
  free(instance->state.guest_error);
  free(instance);
}

/* wapc-rs WapcHost::call: the result code 1 is success, anything else the guest's error. */
static bool guest_call(instance_t *instance, const bytes_t *payload) {
  module_state_t *state = &instance->state;
  state->request = *payload;
  free(state->guest_response); state->guest_response = NULL;
  free(state->guest_error); state->guest_error = NULL;
  state->host_response = NULL; state->host_error = NULL;
  wasmtime_val_raw_t args[2];
  args[0].i32 = (int32_t)(sizeof OPERATION - 1);
  args[1].i32 = (int32_t)payload->size;
  arm_deadline(instance);
  wasm_trap_t *trap = NULL;
  wasmtime_error_t *error = wasmtime_func_call_unchecked(instance->context, &instance->guest_call, args, 2, &trap);
  if (error || trap) die("__guest_call", error, trap);
  return args[0].i32 == 1 && state->guest_response != NULL;
}

/* ---- timing ------------------------------------------------------------------------------- */
static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef void (*action_t)(void *);
/* the median of `rounds` batch means, after `warmup` calls */
static double median_of_batches(action_t action, void *arg, int batch, int rounds, int warmup) {
  for (int i = 0; i < warmup; i++) action(arg);
  double *means = malloc(sizeof(double) * (size_t)rounds);
  for (int r = 0; r < rounds; r++) {
    double start = now_us();
    for (int i = 0; i < batch; i++) action(arg);
    means[r] = (now_us() - start) / batch;
  }
  qsort(means, (size_t)rounds, sizeof(double), compare_doubles);
  double median = means[rounds / 2];
  if (getenv("BENCH_HOST_SPREAD")) fprintf(stderr, "min %.1f q1 %.1f median %.1f q3 %.1f max %.1f\n", means[0], means[rounds / 4], median, means[3 * rounds / 4], means[rounds - 1]);
  free(means);
  return median;
}

typedef struct {
  host_t *host;
  wasmtime_instance_pre_t *pre;
  const reply_table_t *replies;
  instance_t *instance;
  const bytes_t *payload;
} bench_t;

__attribute__((noinline)) static void reused_validate(void *arg) {
  bench_t *bench = arg;
  guest_call(bench->instance, bench->payload);
}

/* The time of each phase of fresh_validate (instantiate, the call, drop), summed over `phase_count` calls. */
static double phase_us[3];
static long phase_count;

__attribute__((noinline)) static void fresh_validate(void *arg) {
  bench_t *bench = arg;
  double start = now_us();
  instance_t *instance = instantiate(bench->host, bench->pre, bench->replies);
  double instantiated = now_us();
  guest_call(instance, bench->payload);
  double called = now_us();
  drop_instance(instance);
  phase_us[0] += instantiated - start;
  phase_us[1] += called - instantiated;
  phase_us[2] += now_us() - called;
  phase_count++;
}

/* Minor page faults of this process so far: pages the kernel mapped on first touch. */
static long minor_faults(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

/* Page faults per fresh instance + validate, as a mean over `count` of them. */
static double faults_per_fresh(bench_t *bench, int count) {
  long before = minor_faults();
  for (int i = 0; i < count; i++) fresh_validate(bench);
  return (double)(minor_faults() - before) / count;
}

/* Two guests measuring this host itself: one doing only __guest_request + __guest_response, one
 * adding HOST_CALLS host calls, each reading its reply (the same as host/wasmtime/bench.py). */
#define HOST_CALLS 10
#define IMPORTS                                                                                           \
  "(import \"wapc\" \"__guest_request\" (func $request (param i32 i32)))"                                 \
  "(import \"wapc\" \"__guest_response\" (func $response (param i32 i32)))"                               \
  "(import \"wapc\" \"__host_call\" (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))" \
  "(import \"wapc\" \"__host_response_len\" (func $response_len (result i32)))"                           \
  "(import \"wapc\" \"__host_response\" (func $host_response (param i32)))"                               \
  "(memory (export \"memory\") 1)"                                                                        \
  "(data (i32.const 0) \"kubewardenociv1/oci_manifest\\\"x\\\"\")"
static const char EMPTY_GUEST[] =
    "(module " IMPORTS
    "(func (export \"__guest_call\") (param i32 i32) (result i32)"
    "  (call $request (i32.const 1024) (i32.const 2048))"
    "  (call $response (i32.const 0) (i32.const 0))"
    "  (i32.const 1)))";
static const char HOST_CALL_GUEST[] =
    "(module " IMPORTS
    "(func (export \"__guest_call\") (param i32 i32) (result i32) (local $i i32)"
    "  (call $request (i32.const 1024) (i32.const 2048))"
    "  (loop $again"
    "    (drop (call $host_call (i32.const 0) (i32.const 10) (i32.const 10) (i32.const 3)"
    "                           (i32.const 13) (i32.const 15) (i32.const 28) (i32.const 3)))"
    "    (drop (call $response_len))"
    "    (call $host_response (i32.const 4096))"
    "    (local.set $i (i32.add (local.get $i) (i32.const 1)))"
    "    (br_if $again (i32.lt_u (local.get $i) (i32.const 10))))"
    "  (call $response (i32.const 0) (i32.const 0))"
    "  (i32.const 1)))";

static wasmtime_instance_pre_t *prepare_wat(host_t *host, const char *wat) {
  wasm_byte_vec_t wasm;
  check("wat2wasm", wasmtime_wat2wasm(wat, strlen(wat), &wasm));
  wasmtime_instance_pre_t *pre = prepare(host, (const uint8_t *)wasm.data, wasm.size);
  wasm_byte_vec_delete(&wasm);
  return pre;
}

/* Dev aid: BENCH_HOST_PAGES=1 lists the 4 KiB pages of linear memory that are mapped ("mapped":
 * the copy-on-write image's pages, shared with the page cache) and those this instance wrote
 * ("written": private copies and zero pages, each of which cost a page fault), read from
 * /proc/self/pagemap (bit 63 present, bit 61 file-backed or shared; --once only). */
static void print_pages(instance_t *instance, const char *when) {
  if (!getenv("BENCH_HOST_PAGES") || instance->memory.kind != 3 /* WASMTIME_EXTERN_MEMORY */) return;
  uint8_t *base = wasmtime_memory_data(instance->context, &instance->memory.of.memory);
  size_t size = wasmtime_memory_data_size(instance->context, &instance->memory.of.memory);
  FILE *pagemap = fopen("/proc/self/pagemap", "rb");
  if (!pagemap) return;
  fprintf(stderr, "%s: memory %zu bytes\n", when, size);
  const char *const kinds[] = {"mapped", "written"};
  for (int kind = 0; kind < 2; kind++) {
    fprintf(stderr, "  %s:", kinds[kind]);
    for (size_t page = 0; page < size / 4096; page++) {
      uint64_t entry = 0;
      if (fseek(pagemap, (long)(((uintptr_t)base / 4096 + page) * 8), SEEK_SET) != 0 ||
          fread(&entry, sizeof entry, 1, pagemap) != 1)
        break;
      bool present = entry >> 63 & 1, file = entry >> 61 & 1;
      if (present && file == (kind == 0)) fprintf(stderr, " %zu", page);
    }
    fprintf(stderr, "\n");
  }
  fclose(pagemap);
}

/* Dev aid: BENCH_HOST_DUMP=FILE writes linear memory after the validate to FILE, to walk the
 * arena's objects offline (--once only). */
static void dump_memory(instance_t *instance) {
  const char *path = getenv("BENCH_HOST_DUMP");
  if (!path || instance->memory.kind != 3 /* WASMTIME_EXTERN_MEMORY */) return;
  FILE *out = fopen(path, "wb");
  if (!out) return;
  fwrite(wasmtime_memory_data(instance->context, &instance->memory.of.memory), 1,
         wasmtime_memory_data_size(instance->context, &instance->memory.of.memory), out);
  fclose(out);
}

int main(int argc, char **argv) {
  bool once = argc == 6 && strcmp(argv[5], "--once") == 0;
  if (!once && argc != 7) {
    fprintf(stderr, "usage: bench-host WASM CONFIGURATION PAYLOAD REPLIES (ROUNDS BATCH | --once)\n");
    return 2;
  }
  host_t host = new_host(argv[2]);
  bytes_t wasm = read_file(argv[1]);
  bytes_t payload = read_file(argv[3]);
  reply_table_t replies = read_replies(argv[4]);
  wasmtime_instance_pre_t *pre = prepare(&host, wasm.data, wasm.size);

  instance_t *instance = instantiate(&host, pre, &replies);
  if (once) print_pages(instance, "after _start");
  bool accepted = guest_call(instance, &payload);
  if (once) {
    print_pages(instance, "after validate");
    dump_memory(instance);
    if (!accepted) {
      fprintf(stderr, "%s\n", instance->state.guest_error ? instance->state.guest_error : "no response");
      return 1;
    }
    fwrite(instance->state.guest_response, 1, instance->state.guest_response_size, stdout);
    return 0;
  }
  if (!accepted || !strstr((const char *)instance->state.guest_response, "\"accepted\":true")) {
    fprintf(stderr, "bench-host: validate did not accept the benchmark request: %s\n",
            accepted ? (const char *)instance->state.guest_response : instance->state.guest_error);
    return 1;
  }
  int rounds = atoi(argv[5]), batch = atoi(argv[6]);
  instance->state.host_calls = 0;
  guest_call(instance, &payload);
  unsigned host_calls = instance->state.host_calls;

  bench_t bench = {&host, pre, &replies, instance, &payload};
  /* For `perf record` of one phase: BENCH_HOST_ONLY=reused or =fresh (the other prints 0). */
  const char *only = getenv("BENCH_HOST_ONLY");
  double reused = only && strcmp(only, "reused") != 0 ? 0 : median_of_batches(reused_validate, &bench, batch, rounds, batch * 5);
  int fresh_batch = batch / 10 > 0 ? batch / 10 : 1;

  double fresh = only && strcmp(only, "fresh") != 0 ? 0 : median_of_batches(fresh_validate, &bench, fresh_batch, rounds, batch);
  double phases[3];
  for (int i = 0; i < 3; i++) phases[i] = phase_count ? phase_us[i] / phase_count : 0;
  double fresh_faults = faults_per_fresh(&bench, 200);
  if (only) {
    printf("{\"reused\":%.3f,\"fresh\":%.3f,\"fresh_faults\":%.1f}\n", reused, fresh, fresh_faults);
    return 0;
  }

  static const uint8_t MARK[] = "\"x\"";
  reply_t own_reply = {{(uint8_t *)"v1/oci_manifest", 15}, {(uint8_t *)MARK, 3}, {(uint8_t *)"{}", 2}};
  reply_table_t own_replies = {&own_reply, 1};
  bench_t empty = {&host, prepare_wat(&host, EMPTY_GUEST), &own_replies, NULL, &payload};
  empty.instance = instantiate(&host, empty.pre, &own_replies);
  bench_t with_calls = {&host, prepare_wat(&host, HOST_CALL_GUEST), &own_replies, NULL, &payload};
  with_calls.instance = instantiate(&host, with_calls.pre, &own_replies);
  double empty_us = median_of_batches(reused_validate, &empty, batch, rounds, batch);
  double with_calls_us = median_of_batches(reused_validate, &with_calls, batch, rounds, batch);
  double fresh_empty_us = median_of_batches(fresh_validate, &empty, fresh_batch, rounds, batch);
  double fresh_empty_faults = faults_per_fresh(&empty, 200);
  if (with_calls.instance->state.host_calls == 0 || with_calls.instance->state.host_error) {
    fprintf(stderr, "bench-host: the host-call guest's calls were not answered\n");
    return 1;
  }
  printf("{\"reused\":%.3f,\"fresh\":%.3f,\"host_calls\":%u,\"empty_call\":%.4f,\"per_host_call\":%.4f,"
         "\"fresh_empty\":%.3f,\"fresh_faults\":%.1f,\"fresh_empty_faults\":%.1f,"
         "\"fresh_instantiate\":%.3f,\"fresh_call\":%.3f,\"fresh_drop\":%.3f}\n",
         reused, fresh, host_calls, empty_us, (with_calls_us - empty_us) / HOST_CALLS, fresh_empty_us, fresh_faults,
         fresh_empty_faults, phases[0], phases[1], phases[2]);
  return 0;
}
