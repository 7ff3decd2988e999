// Test-only AssemblyScript entry exposing the license module to jest (see tests/support/as_harness.ts).
import {
  LicenseRules, Unlisted, judgeLicense, checkRuleId, declaresNoLicense, SPDX_LICENSE_LIST_VERSION,
} from "../../assembly/policy/licenses/index";
import { parseExpression, expressionToString } from "../../assembly/policy/licenses/expression";
import {
  findLicense, findException, licenseId, exceptionId, isOsiApproved, fsfLibre, FSF_YES, FSF_NO,
  isDeprecatedLicense, isDeprecatedException, successorOf,
} from "../../assembly/policy/licenses/table";

function splitCsv(csv: string): string[] {
  const out = new Array<string>();
  if (csv.length == 0) return out;
  const parts = csv.split(",");
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].length > 0) out.push(parts[i]);
  }
  return out;
}

/** "" = accepted, else the rejection clause. */
export function judge(expr: string, unlisted: i32, allowCsv: string, denyCsv: string, allowDeprecated: bool): string {
  const rules = new LicenseRules();
  rules.unlisted = <Unlisted>unlisted;
  rules.allow = splitCsv(allowCsv);
  rules.deny = splitCsv(denyCsv);
  rules.allowDeprecated = allowDeprecated;
  const verdict = judgeLicense(expr, rules);
  return verdict === null ? "" : verdict;
}

/** Fully parenthesised canonical form, or "error: <message>". */
export function parse(expr: string): string {
  const r = parseExpression(expr);
  return r.ok ? expressionToString(r.value!, true) : "error: " + r.error!;
}

/** Minimal canonical form, or "error: <message>". */
export function canonical(expr: string): string {
  const r = parseExpression(expr);
  return r.ok ? expressionToString(r.value!, false) : "error: " + r.error!;
}

/** "MIT osi=1 fsf=yes dep=0", "GPL-2.0 osi=1 fsf=yes dep=1 succ=GPL-2.0-only plus=GPL-2.0-or-later",
 *  "Classpath-exception-2.0 exception dep=0", or "unknown". */
export function info(id: string): string {
  const i = findLicense(id, 0, id.length);
  if (i >= 0) {
    const f = fsfLibre(i);
    let out = licenseId(i) + " osi=" + (isOsiApproved(i) ? "1" : "0") +
      " fsf=" + (f == FSF_YES ? "yes" : f == FSF_NO ? "no" : "none") +
      " dep=" + (isDeprecatedLicense(i) ? "1" : "0");
    const succ = successorOf(i, false);
    if (succ.length > 0) out += " succ=" + succ + " plus=" + successorOf(i, true);
    return out;
  }
  const e = findException(id, 0, id.length);
  if (e >= 0) return exceptionId(e) + " exception dep=" + (isDeprecatedException(e) ? "1" : "0");
  return "unknown";
}

/** "" when valid as an allow/deny entry, else the reason. */
export function ruleId(id: string): string {
  const r = checkRuleId(id);
  return r === null ? "" : r;
}

export function noLicense(value: string): bool {
  return declaresNoLicense(value);
}

export function listVersion(): string {
  return SPDX_LICENSE_LIST_VERSION;
}
