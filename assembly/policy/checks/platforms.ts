// platforms.required: the image must run on every required platform. An index must list each
// among its runnable entries; a single-platform image must itself be of each (its config says).
// Platforms compare as containerd normalises them: arm64 means arm64/v8, arm means arm/v7.

import { Descriptor, ImageIndex } from "../../sdk/oci/types";
import { joinStrings } from "../../sdk/strings";
import { PlatformImage } from "../platform_image";
import { ImageReport } from "../report";
import { PlatformSpec } from "../settings";
import { Check, Need } from "./check";

/** Default variants (containerd's platform normalisation): arm64 → v8, arm → v7. */
function normalizedVariant(architecture: string, variant: string | null): string {
  if (variant != null && variant.length > 0) return variant;
  if (architecture == "arm64") return "v8";
  if (architecture == "arm") return "v7";
  return "";
}

export function platformMatches(wanted: PlatformSpec, os: string, architecture: string, variant: string | null): bool {
  if (wanted.os != os || wanted.architecture != architecture) return false;
  return normalizedVariant(wanted.architecture, wanted.variant) == normalizedVariant(architecture, variant);
}

/** Whether index entry `entry` is of platform `wanted`. */
export function entryMatches(wanted: PlatformSpec, entry: Descriptor): bool {
  const platform = entry.platform;
  return platform != null && platformMatches(wanted, platform.os, platform.architecture, platform.variant);
}

/** "linux/amd64, linux/arm64/v8" for the entries' platforms, or "no platform". */
export function offeredPlatforms(entries: Descriptor[]): string {
  const offered = new Array<string>();
  for (let e = 0; e < entries.length; e++) {
    const platform = entries[e].platform;
    if (platform != null) offered.push(platform.toString());
  }
  return offered.length > 0 ? joinStrings(offered, ", ") : "no platform";
}

export class PlatformsCheck extends Check {
  constructor(private required: PlatformSpec[]) {
    super(true);
  }

  judgeEntries(entries: Descriptor[], report: ImageReport): void {
    let offered: string | null = null;
    for (let i = 0; i < this.required.length; i++) {
      let found = false;
      for (let e = 0; e < entries.length && !found; e++) found = entryMatches(this.required[i], entries[e]);
      if (!found) {
        if (offered == null) offered = offeredPlatforms(entries);
        report.violation("", "platform " + this.required[i].toString() + " is not provided (the index offers " + offered + ")", true);
      }
    }
  }

  /** The entries answer for the index: its platform images are not judged again. */
  judgeIndex(index: ImageIndex, report: ImageReport): bool {
    return false;
  }

  need(image: PlatformImage): Need {
    return Need.None;
  }

  /** A single-platform image: its config names its platform. */
  judge(image: PlatformImage, report: ImageReport): void {
    const required = this.required;
    if (image.isArtifact) {
      for (let i = 0; i < required.length; i++) {
        report.violation("", "platform " + required[i].toString() + " is not provided (an artifact with config media type \"" +
          image.configMediaType + "\" names no platform)", true);
      }
      return;
    }
    const config = image.config(report.findings.length);
    if (config == null) return;
    let own = config.os + "/" + config.architecture;
    const variant = config.variant;
    if (variant != null && variant.length > 0) own += "/" + variant;
    for (let i = 0; i < required.length; i++) {
      if (!platformMatches(required[i], config.os, config.architecture, config.variant)) {
        report.violation("", "platform " + required[i].toString() + " is not provided (single-platform image for " + own + ")", true);
      }
    }
  }
}
