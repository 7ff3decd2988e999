#!/usr/bin/env node
// Rewrites assembly/policy/licenses/spdx-license-list.json, the repository's own copy of the facts
// the policy needs from the SPDX License List, from the official JSON files of a list release.
//
// Usage: node scripts/refresh-spdx-data.mjs <licenses.json> <exceptions.json> [outputFile]
//   licenses.json, exceptions.json  json/licenses.json and json/exceptions.json of
//                                   https://github.com/spdx/license-list-data (same list build)
//   outputFile                      default: assembly/policy/licenses/spdx-license-list.json
// Then run `node scripts/generate-license-data.mjs` to regenerate assembly/policy/licenses/data.ts.
//
// Kept per license: its id and a flags string ("o" OSI approved, "f" FSF libre, "n" FSF not libre
// (neither f nor n: the FSF makes no assertion, isFsfLibre absent), "d" deprecated); per
// exception: its id and "d" when deprecated; and the list version and release date. Ids are
// sorted by their lower-cased spelling, one entry a line, so a refresh diffs line by line.

import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function fail(message) {
  process.stderr.write(`refresh-spdx-data: ${message}\n`);
  process.exit(1);
}

const [licensesPath, exceptionsPath, outputArg] = process.argv.slice(2);
if (licensesPath === undefined || exceptionsPath === undefined) {
  fail("usage: node scripts/refresh-spdx-data.mjs <licenses.json> <exceptions.json> [outputFile]");
}
const outFile = resolve(outputArg ?? resolve(repoRoot, "assembly/policy/licenses/spdx-license-list.json"));

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    fail(`cannot read ${file}: ${err.message}`);
  }
}
const licensesJson = readJson(licensesPath);
const exceptionsJson = readJson(exceptionsPath);
if (!Array.isArray(licensesJson.licenses)) fail(`${licensesPath} has no "licenses" array: is it json/licenses.json?`);
if (!Array.isArray(exceptionsJson.exceptions)) fail(`${exceptionsPath} has no "exceptions" array: is it json/exceptions.json?`);
const version = String(licensesJson.licenseListVersion);
if (String(exceptionsJson.licenseListVersion) !== version) {
  fail(`${licensesPath} (${version}) and ${exceptionsPath} (${exceptionsJson.licenseListVersion}) differ in licenseListVersion`);
}

const byLower = ([a], [b]) => {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};
function flagsOf(license) {
  const { licenseId, isOsiApproved, isFsfLibre, isDeprecatedLicenseId } = license;
  if (typeof licenseId !== "string") fail(`a license without a string licenseId: ${JSON.stringify(license)}`);
  if (typeof isOsiApproved !== "boolean") fail(`${licenseId}: isOsiApproved is not a boolean`);
  if (typeof isDeprecatedLicenseId !== "boolean") fail(`${licenseId}: isDeprecatedLicenseId is not a boolean`);
  if (isFsfLibre !== undefined && typeof isFsfLibre !== "boolean") fail(`${licenseId}: isFsfLibre is not a boolean`);
  return (isOsiApproved ? "o" : "") + (isFsfLibre === true ? "f" : isFsfLibre === false ? "n" : "") + (isDeprecatedLicenseId ? "d" : "");
}
const licenses = licensesJson.licenses.map((l) => [l.licenseId, flagsOf(l)]).sort(byLower);
const exceptions = exceptionsJson.exceptions
  .map((e) => {
    if (typeof e.licenseExceptionId !== "string") fail(`an exception without a string licenseExceptionId: ${JSON.stringify(e)}`);
    if (typeof e.isDeprecatedLicenseId !== "boolean") fail(`${e.licenseExceptionId}: isDeprecatedLicenseId is not a boolean`);
    return [e.licenseExceptionId, e.isDeprecatedLicenseId ? "d" : ""];
  })
  .sort(byLower);

const entries = (list) => list.map(([id, flags]) => `    ${JSON.stringify(id)}: ${JSON.stringify(flags)}`).join(",\n");
const header = {
  about:
    "License and exception ids of the SPDX License List with the flags this policy uses; written by scripts/refresh-spdx-data.mjs, read by scripts/generate-license-data.mjs.",
  source:
    "SPDX License List, https://spdx.org/licenses/ (json/licenses.json and json/exceptions.json of https://github.com/spdx/license-list-data)",
  licence:
    "The SPDX License List is maintained by the SPDX Legal Team and published under CC-BY-3.0 (https://github.com/spdx/license-list-XML); this file keeps only its identifiers and flags.",
  flags:
    'licenses: "o" OSI approved, "f" FSF libre, "n" FSF not libre (neither: no FSF assertion), "d" deprecated; exceptions: "d" deprecated',
  licenseListVersion: version,
  releaseDate: licensesJson.releaseDate === undefined ? null : String(licensesJson.releaseDate),
};
const headerLines = Object.entries(header).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)},`);
const text = `{\n${headerLines.join("\n")}\n  "licenses": {\n${entries(licenses)}\n  },\n  "exceptions": {\n${entries(exceptions)}\n  }\n}\n`;
JSON.parse(text); // the file must stay valid JSON
writeFileSync(outFile, text);
process.stdout.write(`wrote ${outFile}: ${licenses.length} licenses, ${exceptions.length} exceptions, SPDX list ${version}\n`);
