// What the inspection of one image found: typed findings (rendered into clauses in one place,
// violations.ts), the image users the root-user decision needs, the licenses for the audit and the
// digest to pin.

import { joinStrings } from "../sdk/strings";

/** One thing wrong with an image, before it is known which container or volume uses it. */
export class Finding {
  constructor(
    /** the platform image it concerns ("linux/arm64/v8", or its digest), "" for the image or index itself */
    public platform: string,
    public reason: string,
    /** a failed or malformed host lookup (onLookupError decides), not a violation */
    public lookupError: bool,
    /** from a check about running a process (platforms, root user, environment): not for image volumes */
    public process: bool,
  ) {}

  /** "platform linux/arm64/v8: <reason>", or the reason alone. */
  toString(): string {
    return this.platform.length > 0 ? "platform " + this.platform + ": " + this.reason : this.reason;
  }
}

export class ImageReport {
  findings: Finding[] = [];
  /** "runs as root (image user …)", one per runnable image that does (the container's securityContext may overrule them) */
  rootUsers: Finding[] = [];
  /** with pinDigest: the digest that was inspected */
  resolvedDigest: string | null = null;
  /** the license expression each judged image (inside an index: platform image) declares (null: none), in index order */
  licenses: Array<string | null> = [];
  /** the platform of each entry of `licenses`; "" for a single-platform image or an index's own license */
  licensePlatforms: string[] = [];

  violation(platform: string, reason: string, process: bool = false): void {
    this.findings.push(new Finding(platform, reason, false, process));
  }

  lookupError(platform: string, reason: string, process: bool = false): void {
    this.findings.push(new Finding(platform, reason, true, process));
  }

  /** A lookup error placed before the findings from `at` on (where the lookup was first needed). */
  insertLookupError(at: i32, platform: string, reason: string, process: bool): void {
    const findings = this.findings;
    const finding = new Finding(platform, reason, true, process);
    findings.push(finding);
    for (let i = findings.length - 1; i > at; i--) findings[i] = findings[i - 1];
    findings[at] = finding;
  }

  get lookupFailed(): bool {
    for (let i = 0; i < this.findings.length; i++) if (this.findings[i].lookupError) return true;
    return false;
  }

  recordLicense(platform: string, declared: string | null): void {
    this.licenses.push(declared);
    this.licensePlatforms.push(platform);
  }

  /**
   * What the image declares, for the audit: the one expression (null: none) when its judged
   * images agree, else "<platform>: <expression or NONE>; …" in index order.
   */
  get declaredLicense(): string | null {
    const licenses = this.licenses;
    const n = licenses.length;
    if (n == 0) return null;
    let agree = true;
    for (let i = 1; i < n && agree; i++) agree = licenses[i] == licenses[0];
    if (agree) return licenses[0];
    const parts = new Array<string>();
    for (let i = 0; i < n; i++) {
      const license = licenses[i];
      parts.push(this.licensePlatforms[i] + ": " + (license != null ? license : "NONE"));
    }
    return joinStrings(parts, "; ");
  }
}
