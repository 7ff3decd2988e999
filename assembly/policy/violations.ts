// Violations as typed values and the one place they are rendered into the clauses of a response:
//   container "app" image "nginx:1.27": platform linux/arm64/v8: no license declared (…)
//   volume "models" image "registry.example/models:v1": annotation "a" is missing

export class Violation {
  constructor(
    /** "container" (of any kind) or "volume" */
    public subject: string,
    /** the container's or volume's name */
    public name: string,
    /** the image as written in the pod spec */
    public image: string,
    /** the platform image it concerns inside an index, "" for the image itself */
    public platform: string,
    public reason: string,
  ) {}

  toString(): string {
    const at = this.platform.length > 0 ? "platform " + this.platform + ": " : "";
    return this.subject + " \"" + this.name + "\" image \"" + this.image + "\": " + at + this.reason;
  }
}
