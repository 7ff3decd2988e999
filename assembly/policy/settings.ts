// Policy settings (README "Settings"; the names are the product's interface), decoded
// and validated from the JSON object the host sends. The first problem is reported as
// "<field path>: <what is wrong>"; nothing unknown is accepted silently.

import { JsonValue } from "../sdk/json/reader";
import { checkRuleId, LicenseRules, Unlisted } from "./licenses/index";
import { globProblem } from "./glob";
import { joinStrings } from "../sdk/strings";

export class LicenseSettings {
  /** an image must declare a license; NOASSERTION and NONE count as none */
  required: bool = true;
  rules: LicenseRules = new LicenseRules();
}

/** A required platform "os/arch[/variant]". */
export class PlatformSpec {
  constructor(
    public os: string,
    public architecture: string,
    /** null when not written */
    public variant: string | null,
  ) {}

  toString(): string {
    const variant = this.variant;
    return this.os + "/" + this.architecture + (variant != null ? "/" + variant : "");
  }
}

export class ConfigSettings {
  rejectRootUser: bool = false;
  /** globs over environment variable names */
  forbiddenEnv: string[] = [];
  /** label key → glob over its value */
  requiredLabels: Map<string, string> = new Map();
}

export class Settings {
  licenses: LicenseSettings = new LicenseSettings();
  /** annotation key → glob over its value ("*": present and non-empty) */
  requiredAnnotations: Map<string, string> = new Map();
  requiredPlatforms: PlatformSpec[] = [];
  /** platforms.inspect: inside an index only these platforms' images are judged; [] = all */
  inspectPlatforms: PlatformSpec[] = [];
  config: ConfigSettings = new ConfigSettings();
  /** globs over the normalised reference */
  exemptImages: string[] = [];
  /** onLookupError: accept */
  acceptLookupErrors: bool = false;
  /** enforcement: warn */
  warnOnly: bool = false;
  pinDigest: bool = false;
  /** record the license each judged image declares in the response's audit annotations */
  auditLicenses: bool = true;
}

export class SettingsResult {
  constructor(
    public settings: Settings | null,
    /** "<field path>: <what is wrong>" */
    public error: string | null,
  ) {}
}

const UNLISTED_NAMES: string[] = ["osi-approved", "fsf-libre", "osi-or-fsf", "any", "none"];
const UNLISTED_VALUES: Unlisted[] = [Unlisted.OsiApproved, Unlisted.FsfLibre, Unlisted.OsiOrFsf, Unlisted.Any, Unlisted.None];

/** Reads typed fields of one settings object, remembering the first problem with its path. */
class FieldReader {
  error: string | null = null;

  constructor(public object: JsonValue, public path: string, known: string[]) {
    for (let i = 0, n = object.length; i < n; i++) {
      const key = object.keyAt(i);
      if (!known.includes(key)) {
        this.fail(key, "unknown setting (known: " + joinStrings(known, ", ") + ")");
        break;
      }
    }
  }

  at(key: string): string {
    return this.path.length == 0 ? key : this.path + "." + key;
  }

  fail(key: string, message: string): void {
    if (this.error == null) this.error = this.at(key) + ": " + message;
  }

  /** The member, or null when absent or JSON null (null means "use the default"). */
  member(key: string): JsonValue | null {
    const value = this.object.get(key);
    return value == null || value.isNull ? null : value;
  }

  bool(key: string, fallback: bool): bool {
    const value = this.member(key);
    if (value == null) return fallback;
    if (!value.isBool) {
      this.fail(key, "must be true or false");
      return fallback;
    }
    return value.kind == 2; // JsonKind.True
  }

  string(key: string): string | null {
    const value = this.member(key);
    if (value == null) return null;
    const text = value.str();
    if (text == null) this.fail(key, "must be a string");
    return text;
  }

  stringList(key: string): string[] {
    const list = new Array<string>();
    const value = this.member(key);
    if (value == null) return list;
    if (!value.isArray) {
      this.fail(key, "must be a list of strings");
      return list;
    }
    for (let i = 0; i < value.length; i++) {
      const text = value.at(i)!.str();
      if (text == null) {
        this.fail(key + "[" + i.toString() + "]", "must be a string");
        return list;
      }
      list.push(text);
    }
    return list;
  }

  /** An object of string values; each value must be a valid glob. */
  globMap(key: string): Map<string, string> {
    const map = new Map<string, string>();
    const value = this.member(key);
    if (value == null) return map;
    if (!value.isObject) {
      this.fail(key, "must be an object mapping keys to glob patterns");
      return map;
    }
    for (let i = 0, n = value.length; i < n; i++) {
      const name = value.keyAt(i);
      const entryPath = key + quoteKey(name);
      if (name.length == 0) {
        this.fail(entryPath, "keys must not be empty");
        return map;
      }
      const text = value.valueAt(i)!.str();
      if (text == null) {
        this.fail(entryPath, "must be a string (a glob pattern)");
        return map;
      }
      const problem = globProblem(text);
      if (problem != null) {
        this.fail(entryPath, problem);
        return map;
      }
      map.set(name, text);
    }
    return map;
  }

  /** A list of valid globs. */
  globList(key: string): string[] {
    const list = this.stringList(key);
    for (let i = 0; i < list.length; i++) {
      const problem = globProblem(list[i]);
      if (problem != null) {
        this.fail(key + "[" + i.toString() + "]", problem);
        break;
      }
    }
    return list;
  }

  /** One of `choices`, or `fallback` when absent. Returns the index in `choices`. */
  choice(key: string, choices: string[], fallback: i32): i32 {
    const text = this.string(key);
    if (text == null) return fallback;
    const index = choices.indexOf(text);
    if (index < 0) {
      this.fail(key, "\"" + text + "\" is not one of " + joinStrings(choices, ", "));
      return fallback;
    }
    return index;
  }

  /** A nested settings object, or null when absent (its defaults apply). */
  object_(key: string): JsonValue | null {
    const value = this.member(key);
    if (value == null) return null;
    if (!value.isObject) {
      this.fail(key, "must be an object");
      return null;
    }
    return value;
  }
}

function readLicenses(node: JsonValue, path: string, out: LicenseSettings): string | null {
  const r = new FieldReader(node, path, ["required", "unlisted", "allow", "deny", "allowDeprecated"]);
  if (r.error != null) return r.error;
  out.required = r.bool("required", true);
  const unlisted = r.string("unlisted");
  if (unlisted != null) {
    const index = UNLISTED_NAMES.indexOf(unlisted);
    if (index < 0) r.fail("unlisted", "\"" + unlisted + "\" is not one of " + joinStrings(UNLISTED_NAMES, ", "));
    else out.rules.unlisted = UNLISTED_VALUES[index];
  }
  out.rules.allow = r.stringList("allow");
  out.rules.deny = r.stringList("deny");
  out.rules.allowDeprecated = r.bool("allowDeprecated", true);
  if (r.error != null) return r.error;
  const lists: string[][] = [out.rules.allow, out.rules.deny];
  const names = ["allow", "deny"];
  for (let l = 0; l < 2; l++) {
    const list = lists[l];
    for (let i = 0; i < list.length; i++) {
      const problem = checkRuleId(list[i]);
      if (problem != null) return r.at(names[l] + "[" + i.toString() + "]") + ": " + problem;
    }
  }
  return null;
}

/** Annotation and label keys hold dots, so paths quote them: annotations.required["a.b"]. */
function quoteKey(key: string): string {
  return "[\"" + key + "\"]";
}

function isPlatformPart(part: string): bool {
  if (part.length == 0) return false;
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x5f || c == 0x2e || c == 0x2d;
    if (!ok) return false;
  }
  return true;
}

function readPlatforms(node: JsonValue, out: Settings): string | null {
  const r = new FieldReader(node, "platforms", ["required", "inspect"]);
  const required = r.stringList("required");
  const inspect = r.stringList("inspect");
  if (r.error != null) return r.error;
  const problem = readPlatformList(required, "platforms.required", out.requiredPlatforms);
  return problem != null ? problem : readPlatformList(inspect, "platforms.inspect", out.inspectPlatforms);
}

/** "os/arch[/variant]" strings into `out`; the first malformed one is reported under `field`. */
function readPlatformList(list: string[], field: string, out: PlatformSpec[]): string | null {
  for (let i = 0; i < list.length; i++) {
    const parts = list[i].split("/");
    let valid = parts.length == 2 || parts.length == 3;
    for (let p = 0; valid && p < parts.length; p++) valid = isPlatformPart(parts[p]);
    if (!valid) {
      return field + "[" + i.toString() + "]: \"" + list[i] + "\" is not \"os/arch\" or \"os/arch/variant\" (lowercase)";
    }
    out.push(new PlatformSpec(parts[0], parts[1], parts.length == 3 ? parts[2] : null));
  }
  return null;
}

function readConfig(node: JsonValue, out: ConfigSettings): string | null {
  const r = new FieldReader(node, "config", ["rejectRootUser", "forbiddenEnv", "requiredLabels"]);
  if (r.error != null) return r.error;
  out.rejectRootUser = r.bool("rejectRootUser", false);
  out.forbiddenEnv = r.globList("forbiddenEnv");
  out.requiredLabels = r.globMap("requiredLabels");
  return r.error;
}

const TOP_LEVEL: string[] = ["licenses", "annotations", "platforms", "config", "exemptImages", "onLookupError", "enforcement", "pinDigest", "auditLicenses"];

export function readSettings(root: JsonValue): SettingsResult {
  // null is what policy-evaluator's PolicySettings accepts as "no settings": the defaults.
  if (root.isNull) return new SettingsResult(new Settings(), null);
  if (!root.isObject) return new SettingsResult(null, "settings: must be an object");
  const settings = new Settings();
  const r = new FieldReader(root, "", TOP_LEVEL);
  if (r.error != null) return new SettingsResult(null, r.error);
  const licenses = r.object_("licenses");
  const annotations = r.object_("annotations");
  const platforms = r.object_("platforms");
  const config = r.object_("config");
  settings.exemptImages = r.globList("exemptImages");
  settings.acceptLookupErrors = r.choice("onLookupError", ["reject", "accept"], 0) == 1;
  settings.warnOnly = r.choice("enforcement", ["deny", "warn"], 0) == 1;
  settings.pinDigest = r.bool("pinDigest", false);
  settings.auditLicenses = r.bool("auditLicenses", true);
  if (r.error != null) return new SettingsResult(null, r.error);
  let problem: string | null = null;
  if (licenses != null) problem = readLicenses(licenses, "licenses", settings.licenses);
  if (problem == null && annotations != null) {
    const a = new FieldReader(annotations, "annotations", ["required"]);
    settings.requiredAnnotations = a.globMap("required");
    problem = a.error;
  }
  if (problem == null && platforms != null) problem = readPlatforms(platforms, settings);
  if (problem == null && config != null) problem = readConfig(config, settings.config);
  if (problem != null) return new SettingsResult(null, problem);
  return new SettingsResult(settings, null);
}
