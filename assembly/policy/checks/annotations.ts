// annotations.required: each key must be annotated with a value its glob matches. The index's
// annotations answer for all its platform images; the keys it does not answer are asked of each
// platform image (its index entry, then its manifest).

import { ImageIndex } from "../../sdk/oci/types";
import { PlatformImage } from "../platform_image";
import { ImageReport } from "../report";
import { Check, judgeRequired, Need, valueProblem } from "./check";

export class AnnotationsCheck extends Check {
  /** key → glob of the annotations left for the platform images */
  private pending: Map<string, string>;

  constructor(required: Map<string, string>) {
    super(false);
    this.pending = required;
  }

  judgeIndex(index: ImageIndex, report: ImageReport): bool {
    const pending = new Map<string, string>();
    const keys = this.pending.keys();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const pattern = this.pending.get(key);
      const value = index.annotation(key);
      if (value == null) {
        pending.set(key, pattern);
        continue;
      }
      const problem = valueProblem("annotation", key, value, pattern);
      if (problem != null) report.violation("", problem);
    }
    this.pending = pending;
    return pending.size > 0;
  }

  need(image: PlatformImage): Need {
    const keys = this.pending.keys();
    for (let i = 0; i < keys.length; i++) if (image.descriptorAnnotation(keys[i]) == null) return Need.Manifest;
    return Need.None;
  }

  judge(image: PlatformImage, report: ImageReport): void {
    const keys = this.pending.keys();
    for (let i = 0; i < keys.length; i++) judgeRequired(report, image.platform, "annotation", keys[i], image.annotation(keys[i]), this.pending.get(keys[i]));
  }
}
