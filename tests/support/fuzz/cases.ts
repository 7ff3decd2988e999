// The fuzz cases and what is said of their outcomes, shared by the generators
// (tests/support/fuzz/generators.ts), the runner (runner.ts) and the campaigns (campaigns.ts).

export type OutcomeClass = "clean" | "guestError" | "trap" | "invalidReply";
export const OUTCOME_CLASSES: readonly OutcomeClass[] = ["clean", "guestError", "trap", "invalidReply"];

/** What the host answers to one lookup: reply text or bytes, or an error. */
export type HostAnswer = { ok: true; payload: string | Uint8Array } | { ok: false; error: string };
/** Answers the policy's lookups for one case. */
export type HostScript = (operation: string, image: string) => HostAnswer;

export type Expectation =
  | { kind: "request"; json: "invalid" | "request" | "other" }
  | { kind: "settings"; defect: string | null }
  | { kind: "host"; malformed: boolean; image: string };

export interface FuzzCase {
  target: "request" | "settings" | "host";
  /** a short description for reports */
  label: string;
  operation: "validate" | "validate_settings";
  payload: Uint8Array;
  host: HostScript;
  expect: Expectation;
}

export interface Verdict {
  cls: OutcomeClass;
  /** the reply or error text (shortened) */
  detail: string;
  /** invariants this case broke */
  violations: string[];
}

export const encoder = new TextEncoder();
export const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
/** How host/wapc.ts reports a trap (or a JS exception in an import, e.g. a non-UTF-8 __guest_error). */
export const TRAP = /^(RuntimeError|RangeError|TypeError|Error|InternalError|CompileError|LinkError): /;

export function shorten(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

/** `text` as the policy echoes it: lone surrogates become U+FFFD (its replies are valid UTF-8). */
export function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}
