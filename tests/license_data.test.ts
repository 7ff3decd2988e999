// The generated SPDX table (assembly/policy/licenses/data.ts): in sync with its generator and the
// SPDX JSON data, and consistent with an independent oracle (npm spdx-license-list, OSI flags).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { AsHarness, ROOT, compileHarness } from "./helpers/as_harness";

const SPDX_DIR = path.resolve(ROOT, "../shared/data/spdx");
const GENERATOR = path.join(ROOT, "scripts/generate-license-data.mjs");
const COMMITTED = path.join(ROOT, "assembly/policy/licenses/data.ts");

interface License {
  licenseId: string;
  isOsiApproved: boolean;
  isFsfLibre?: boolean;
  isDeprecatedLicenseId: boolean;
}
interface Exception {
  licenseExceptionId: string;
  isDeprecatedLicenseId: boolean;
}
const licensesJson = JSON.parse(readFileSync(path.join(SPDX_DIR, "licenses.json"), "utf8")) as {
  licenseListVersion: string;
  licenses: License[];
};
const exceptionsJson = JSON.parse(readFileSync(path.join(SPDX_DIR, "exceptions.json"), "utf8")) as {
  exceptions: Exception[];
};

let h: AsHarness;
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "license-data-"));
  compileHarness("tests/assembly/licenses_harness.ts", "build/test/licenses_harness_data.wasm");
  h = AsHarness.load("build/test/licenses_harness_data.wasm");
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const expectedInfo = (l: License) =>
  `${l.licenseId} osi=${l.isOsiApproved ? 1 : 0} fsf=${l.isFsfLibre === true ? "yes" : l.isFsfLibre === false ? "no" : "none"} dep=${l.isDeprecatedLicenseId ? 1 : 0}`;

describe("generator", () => {
  test("regenerating from the SPDX JSON reproduces the committed data.ts", () => {
    const out = path.join(tmp, "data.ts");
    execFileSync(process.execPath, [GENERATOR, SPDX_DIR, out], { stdio: "pipe" });
    const generated = readFileSync(out, "utf8");
    expect(generated.length).toBeGreaterThan(1000);
    expect(generated === readFileSync(COMMITTED, "utf8")).toBe(true);
  });

  test("the committed file says it is generated, by which script, from which SPDX list version", () => {
    const head = readFileSync(COMMITTED, "utf8").split("\n").slice(0, 5).join("\n");
    expect(head).toContain("GENERATED FILE");
    expect(head).toContain("scripts/generate-license-data.mjs");
    expect(head).toContain(`licenseListVersion ${licensesJson.licenseListVersion}`);
    expect(h.str("listVersion")).toBe(licensesJson.licenseListVersion);
  });

  test("a deprecated id without a successor decision makes the generator fail", () => {
    const dir = path.join(tmp, "bad");
    mkdirSync(dir, { recursive: true });
    const bad = structuredClone(licensesJson);
    bad.licenses.push({ licenseId: "Foo-1.0", isOsiApproved: false, isDeprecatedLicenseId: true });
    writeFileSync(path.join(dir, "licenses.json"), JSON.stringify(bad));
    writeFileSync(path.join(dir, "exceptions.json"), readFileSync(path.join(SPDX_DIR, "exceptions.json")));
    const r = spawnSync(process.execPath, [GENERATOR, dir, path.join(dir, "data.ts")], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("deprecated id Foo-1.0 has no successor rule");
  });
});

describe("table contents, through the compiled lookup", () => {
  test("every SPDX license is found in any case with its OSI, three-state FSF and deprecated flags", () => {
    const wrong: string[] = [];
    for (const l of licensesJson.licenses) {
      const want = expectedInfo(l);
      for (const spelling of [l.licenseId, l.licenseId.toLowerCase(), l.licenseId.toUpperCase()]) {
        const got = h.str("info", spelling).replace(/ succ=.*$/, "");
        if (got !== want) wrong.push(`${spelling}: ${got} != ${want}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(licensesJson.licenses.length).toBeGreaterThan(700);
  });

  test("every SPDX exception is found in any case with its deprecated flag", () => {
    const wrong: string[] = [];
    for (const e of exceptionsJson.exceptions) {
      const want = `${e.licenseExceptionId} exception dep=${e.isDeprecatedLicenseId ? 1 : 0}`;
      for (const spelling of [e.licenseExceptionId, e.licenseExceptionId.toUpperCase()]) {
        const got = h.str("info", spelling);
        if (got !== want) wrong.push(`${spelling}: ${got} != ${want}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test("near misses are not found", () => {
    for (const id of ["MIT ", " MIT", "MI", "MITT", "Apache-2", "GPL-2.0-", "UNLICENSED", "0", "zzzz", "Zlib+"]) {
      expect([id, h.str("info", id)]).toEqual([id, "unknown"]);
    }
  });

  test("every deprecated license's successor is a valid expression of current ids", () => {
    const deprecated = licensesJson.licenses.filter((l) => l.isDeprecatedLicenseId);
    let withSuccessor = 0;
    for (const l of deprecated) {
      const info = h.str("info", l.licenseId);
      const m = / succ=(.*) plus=(.*)$/.exec(info);
      if (!m) continue;
      withSuccessor++;
      for (const succ of [m[1], m[2]]) {
        const parsed = h.str("parse", succ);
        expect([l.licenseId, parsed.startsWith("error")]).toEqual([l.licenseId, false]);
        for (const part of succ.split(" WITH ")) {
          expect([part, h.str("info", part.replace(/\+$/, ""))]).toEqual([part, expect.stringMatching(/dep=0/)]);
        }
      }
    }
    expect(withSuccessor).toBeGreaterThanOrEqual(deprecated.length - 2);
  });
});

describe("cross-check with the npm package spdx-license-list (independent oracle)", () => {
  test("OSI approval agrees for every id both know", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const oracle = require("spdx-license-list") as Record<string, { osiApproved: boolean }>;
    let compared = 0;
    const disagreements: string[] = [];
    for (const [id, entry] of Object.entries(oracle)) {
      const info = h.str("info", id);
      if (info === "unknown" || info.includes(" exception ")) continue;
      compared++;
      const ours = / osi=1 /.test(info);
      if (ours !== entry.osiApproved) disagreements.push(`${id}: ours ${ours}, spdx-license-list ${entry.osiApproved}`);
    }
    console.log(`spdx-license-list cross-check: ${compared} ids compared, ${disagreements.length} disagreements`);
    expect(compared).toBeGreaterThan(400);
    expect(disagreements).toEqual([]);
  });
});
