// What every check module declares and does. A check judges typed values (the index, its entries,
// a platform image's annotations and config) and reports findings; what it needs to see is
// declared, and the planner (../planner.ts) turns the needs of all active checks into host calls.

import { ImageConfig } from "../../sdk/oci/manifest_config";
import { Descriptor, ImageIndex } from "../../sdk/oci/types";
import { globMatch } from "../glob";
import { PlatformImage } from "../platform_image";
import { ImageReport } from "../report";

/** What judging one platform image of an index needs beyond its index entry. */
export const enum Need {
  /** the index entry (descriptor) answers */
  None = 0,
  /** the platform manifest's annotations */
  Manifest = 1,
  /** the manifest, and the config when the manifest does not answer (a license in a label) */
  ManifestOrConfig = 2,
  /** the config (and the manifest, for its config media type) */
  Config = 3,
}

export abstract class Check {
  constructor(
    /** about running a process: judged only for images a container runs, and its findings not for volumes */
    public process: bool,
    /** judges a runnable image's config (user, environment): an artifact is not one */
    public needsRunnableImage: bool = false,
  ) {}

  /** Judges the platforms an index offers (its runnable entries). */
  judgeEntries(entries: Descriptor[], report: ImageReport): void {}

  /** Judges what the index's own annotations answer; returns whether its platform images still need judging. */
  judgeIndex(index: ImageIndex, report: ImageReport): bool {
    return true;
  }

  /** What judging platform image `image` of an index needs, known from its index entry. */
  abstract need(image: PlatformImage): Need;

  /** Judges a single-platform image, or a platform image of an index. */
  abstract judge(image: PlatformImage, report: ImageReport): void;
}

/**
 * A check of a runnable image's config (root user, environment, labels): it needs the config, and
 * an artifact, which has none, is judged by `judgeArtifact`.
 */
export abstract class ConfigCheck extends Check {
  need(image: PlatformImage): Need {
    return Need.Config;
  }

  judge(image: PlatformImage, report: ImageReport): void {
    if (image.isArtifact) {
      this.judgeArtifact(image, report);
      return;
    }
    const config = image.config(report.findings.length);
    if (config != null) this.judgeConfig(image, config, report);
  }

  judgeArtifact(image: PlatformImage, report: ImageReport): void {}

  abstract judgeConfig(image: PlatformImage, config: ImageConfig, report: ImageReport): void;
}

/**
 * A required annotation or label `key` with the `value` the image has (null: absent) against its
 * glob; `what` is "annotation" or "config label".
 */
export function judgeRequired(report: ImageReport, platform: string, what: string, key: string, value: string | null, pattern: string): void {
  if (value == null) {
    report.violation(platform, what + " \"" + key + "\" is missing");
    return;
  }
  const problem = valueProblem(what, key, value, pattern);
  if (problem != null) report.violation(platform, problem);
}

/**
 * A required annotation's or label's value against its glob ("*": present and non-empty);
 * `what` is "annotation" or "config label". null when it matches.
 */
export function valueProblem(what: string, key: string, value: string, pattern: string): string | null {
  if (pattern == "*") return value.length == 0 ? what + " \"" + key + "\" is empty" : null;
  if (globMatch(pattern, value)) return null;
  return what + " \"" + key + "\" is \"" + value + "\", which does not match \"" + pattern + "\"";
}
