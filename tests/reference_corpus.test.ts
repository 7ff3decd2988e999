// One corpus of image references (test_data/references/corpus.json, answers of the distribution
// reference grammar) through both parsers: the guest's (assembly/sdk/oci/reference.ts, through an
// AssemblyScript harness) and the host's (host/oci/reference.ts, as a lookup parses it).
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { AsHarness, compileHarness, ROOT } from "./support/as_harness";
import { parseForLookup, wholeReference } from "../host/oci/reference";

interface ValidCase {
  input: string;
  why: string;
  registry: string;
  repository: string;
  tag: string | null;
  digest: string | null;
  normalized: string;
}
interface InvalidCase {
  input: string;
  why: string;
  invalid: true;
}
type Case = ValidCase | InvalidCase;

const corpus = JSON.parse(readFileSync(path.join(ROOT, "test_data/references/corpus.json"), "utf8")) as { cases: Case[] };
const valid = corpus.cases.filter((c): c is ValidCase => !("invalid" in c));
const invalid = corpus.cases.filter((c): c is InvalidCase => "invalid" in c);

let guest: AsHarness;
beforeAll(() => {
  compileHarness("tests/assembly/reference_harness.ts", "build/test/reference_harness.wasm");
  guest = AsHarness.load("build/test/reference_harness.wasm");
});

test("the corpus covers what it must", () => {
  const inputs = corpus.cases.map((c) => c.input);
  for (const needle of ["nginx", "index.docker.io/nginx", "[::1]:5000/repo:tag", "a/b:é1", "Nginx"]) expect(inputs).toContain(needle);
  expect(valid.length).toBeGreaterThan(20);
  expect(invalid.length).toBeGreaterThan(20);
});

describe.each(valid.map((c) => [c.input, c] as const))("valid %j", (_input, c) => {
  test(`guest: ${c.why}`, () => {
    expect(guest.str("parse", c.input)).toBe([c.registry, c.repository, c.tag ?? "-", c.digest ?? "-", c.normalized].join("|"));
  });
  test(`host: ${c.why}`, () => {
    const parsed = parseForLookup(c.input);
    if (!parsed.ok) throw new Error(`host refused ${JSON.stringify(c.input)}: ${parsed.error.message}`);
    expect(parsed.reference.registry).toBe(c.registry);
    expect(parsed.reference.repository).toBe(c.repository);
    expect(parsed.reference.digest ?? null).toBe(c.digest);
    expect(wholeReference(parsed.reference)).toBe(c.normalized);
  });
});

describe.each(invalid.map((c) => [c.input, c] as const))("invalid %j", (_input, c) => {
  test(`guest: ${c.why}`, () => {
    expect(guest.str("parse", c.input)).toMatch(/^error: invalid image reference /);
  });
  test(`host: ${c.why}`, () => {
    expect(parseForLookup(c.input).ok).toBe(false);
  });
});
