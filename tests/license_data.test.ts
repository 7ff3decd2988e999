// The generated SPDX table (assembly/policy/licenses/data.ts): in sync with its generator and the
// repository's SPDX data file (assembly/policy/licenses/spdx-license-list.json), the refresh script
// that writes that file from the official JSON, and consistent with an independent oracle (npm
// spdx-license-list: ids and OSI flags).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { AsHarness, ROOT, compileHarness } from "./support/as_harness";

const DATA_FILE = path.join(ROOT, "assembly/policy/licenses/spdx-license-list.json");
const GENERATOR = path.join(ROOT, "scripts/generate-license-data.mjs");
const REFRESH = path.join(ROOT, "scripts/refresh-spdx-data.mjs");
const COMMITTED = path.join(ROOT, "assembly/policy/licenses/data.ts");

/** The repository's copy of the SPDX License List facts (scripts/refresh-spdx-data.mjs). */
interface LicenseListData {
  licenseListVersion: string;
  releaseDate: string | null;
  licenses: Record<string, string>;
  exceptions: Record<string, string>;
}
const data = JSON.parse(readFileSync(DATA_FILE, "utf8")) as LicenseListData;

interface License {
  licenseId: string;
  isOsiApproved: boolean;
  isFsfLibre?: boolean;
  isDeprecatedLicenseId: boolean;
}
const licenses: License[] = Object.entries(data.licenses).map(([licenseId, flags]) => ({
  licenseId,
  isOsiApproved: flags.includes("o"),
  ...(flags.includes("f") ? { isFsfLibre: true } : flags.includes("n") ? { isFsfLibre: false } : {}),
  isDeprecatedLicenseId: flags.includes("d"),
}));
const exceptions = Object.entries(data.exceptions).map(([licenseExceptionId, flags]) => ({
  licenseExceptionId,
  isDeprecatedLicenseId: flags === "d",
}));

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
  test("regenerating from the data file reproduces the committed data.ts", () => {
    const out = path.join(tmp, "data.ts");
    execFileSync(process.execPath, [GENERATOR, DATA_FILE, out], { stdio: "pipe" });
    const generated = readFileSync(out, "utf8");
    expect(generated.length).toBeGreaterThan(1000);
    expect(generated === readFileSync(COMMITTED, "utf8")).toBe(true);
  });

  test("the committed file says it is generated, by which script, from which SPDX list version", () => {
    const head = readFileSync(COMMITTED, "utf8").split("\n").slice(0, 5).join("\n");
    expect(head).toContain("GENERATED FILE");
    expect(head).toContain("scripts/generate-license-data.mjs");
    expect(head).toContain(`licenseListVersion ${data.licenseListVersion}`);
    expect(h.str("listVersion")).toBe(data.licenseListVersion);
  });

  test("a deprecated id without a successor decision makes the generator fail", () => {
    const dir = path.join(tmp, "bad");
    mkdirSync(dir, { recursive: true });
    const bad = structuredClone(data);
    bad.licenses["Foo-1.0"] = "d";
    writeFileSync(path.join(dir, "spdx-license-list.json"), JSON.stringify(bad));
    const r = spawnSync(process.execPath, [GENERATOR, path.join(dir, "spdx-license-list.json"), path.join(dir, "data.ts")], {
      encoding: "utf8",
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("deprecated id Foo-1.0 has no successor rule");
  });
});

describe("refresh script (official licenses.json/exceptions.json → data file)", () => {
  const upstreamLicense = (l: License) => ({ reference: `https://spdx.org/licenses/${l.licenseId}.html`, name: l.licenseId, ...l });
  const writeUpstream = (dir: string, licenseList: object[], exceptionList: object[], exceptionsVersion = data.licenseListVersion) => {
    mkdirSync(dir, { recursive: true });
    const licensesPath = path.join(dir, "licenses.json");
    const exceptionsPath = path.join(dir, "exceptions.json");
    writeFileSync(
      licensesPath,
      JSON.stringify({ licenseListVersion: data.licenseListVersion, licenses: licenseList, releaseDate: data.releaseDate }),
    );
    writeFileSync(exceptionsPath, JSON.stringify({ licenseListVersion: exceptionsVersion, exceptions: exceptionList }));
    return [licensesPath, exceptionsPath];
  };

  test("the official files of the list the data file came from give back the data file byte for byte", () => {
    // upstream order is not the data file's: reversed, so sorting is exercised
    const [licensesPath, exceptionsPath] = writeUpstream(
      path.join(tmp, "roundtrip"),
      [...licenses].reverse().map(upstreamLicense),
      [...exceptions].reverse().map((e) => ({ name: e.licenseExceptionId, ...e })),
    );
    const out = path.join(tmp, "roundtrip", "spdx-license-list.json");
    execFileSync(process.execPath, [REFRESH, licensesPath, exceptionsPath, out], { stdio: "pipe" });
    expect(readFileSync(out, "utf8") === readFileSync(DATA_FILE, "utf8")).toBe(true);
  });

  test("each flag is kept: OSI, FSF libre / not libre / no assertion, deprecated", () => {
    const [licensesPath, exceptionsPath] = writeUpstream(
      path.join(tmp, "flags"),
      [
        { licenseId: "Zed-1.0", isOsiApproved: true, isFsfLibre: true, isDeprecatedLicenseId: false },
        { licenseId: "abc", isOsiApproved: false, isFsfLibre: false, isDeprecatedLicenseId: true },
        { licenseId: "Mid", isOsiApproved: false, isDeprecatedLicenseId: false },
      ],
      [{ licenseExceptionId: "Old-exception", isDeprecatedLicenseId: true }],
    );
    const out = path.join(tmp, "flags", "out.json");
    execFileSync(process.execPath, [REFRESH, licensesPath, exceptionsPath, out], { stdio: "pipe" });
    const written = JSON.parse(readFileSync(out, "utf8")) as LicenseListData;
    expect(Object.entries(written.licenses)).toEqual([
      ["abc", "nd"],
      ["Mid", ""],
      ["Zed-1.0", "of"],
    ]);
    expect(written.exceptions).toEqual({ "Old-exception": "d" });
    expect(written.licenseListVersion).toBe(data.licenseListVersion);
  });

  test("files of two different list builds are refused", () => {
    const [licensesPath, exceptionsPath] = writeUpstream(path.join(tmp, "mismatch"), [], [], "other");
    const r = spawnSync(process.execPath, [REFRESH, licensesPath, exceptionsPath, path.join(tmp, "mismatch", "out.json")], {
      encoding: "utf8",
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("differ in licenseListVersion");
  });

  test("the data file names its source, its licence and the list version", () => {
    const raw = JSON.parse(readFileSync(DATA_FILE, "utf8")) as Record<string, unknown>;
    expect(raw.source).toContain("https://github.com/spdx/license-list-data");
    expect(raw.licence).toContain("CC-BY-3.0");
    expect(typeof raw.licenseListVersion).toBe("string");
  });
});

describe("table contents, through the compiled lookup", () => {
  test("every SPDX license is found in any case with its OSI, three-state FSF and deprecated flags", () => {
    const wrong: string[] = [];
    for (const l of licenses) {
      const want = expectedInfo(l);
      for (const spelling of [l.licenseId, l.licenseId.toLowerCase(), l.licenseId.toUpperCase()]) {
        const got = h.str("info", spelling).replace(/ succ=.*$/, "");
        if (got !== want) wrong.push(`${spelling}: ${got} != ${want}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(licenses.length).toBeGreaterThan(700);
  });

  test("every SPDX exception is found in any case with its deprecated flag", () => {
    const wrong: string[] = [];
    for (const e of exceptions) {
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
    const deprecated = licenses.filter((l) => l.isDeprecatedLicenseId);
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const oracle = require("spdx-license-list") as Record<string, { osiApproved: boolean }>;

  test("every license id the package knows is in the data file (ids are deprecated, never removed)", () => {
    const known = new Set(Object.keys(data.licenses));
    expect(Object.keys(oracle).filter((id) => !known.has(id))).toEqual([]);
    expect(Object.keys(oracle).length).toBeGreaterThan(700);
  });

  test("OSI approval agrees for every id both know", () => {
    let compared = 0;
    const disagreements: string[] = [];
    for (const [id, entry] of Object.entries(oracle)) {
      const info = h.str("info", id);
      if (info === "unknown" || info.includes(" exception ")) continue;
      compared++;
      const ours = / osi=1 /.test(info);
      if (ours !== entry.osiApproved) disagreements.push(`${id}: ours ${ours}, spdx-license-list ${entry.osiApproved}`);
    }
    expect(compared).toBeGreaterThan(400);
    expect(disagreements).toEqual([]);
  });
});
