// Policy settings (README "Settings"; the names are the product's interface), decoded
// and validated from the JSON object the host sends. The first problem is reported as
// "<field path>: <what is wrong>"; nothing unknown is accepted silently.

import { FieldReader, Wording } from "../sdk/fields";
import { fail, ok, Result } from "../sdk/result";
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

const UNLISTED_NAMES: string[] = ["osi-approved", "fsf-libre", "osi-or-fsf", "any", "none"];
const UNLISTED_VALUES: Unlisted[] = [Unlisted.OsiApproved, Unlisted.FsfLibre, Unlisted.OsiOrFsf, Unlisted.Any, Unlisted.None];

/**
 * Settings problems read "<field path>: <what is wrong>"; annotation and label keys hold dots, so
 * paths quote them: annotations.required["a.b"].
 */
export const SETTINGS_WORDING: Wording = new Wording(": ", "must be true or false", "must be a string", "must be an integer", "must be a list of strings", "must be an object", true);

/** Records an unknown member of `r` (the known ones are named); true when there is none. */
function knownKeysOnly(r: FieldReader, known: string[]): bool {
  const unknown = r.unknownKey(known);
  if (unknown == null) return true;
  r.fail(unknown, "unknown setting (known: " + joinStrings(known, ", ") + ")");
  return false;
}

/** An object of string values (`key` of `r`), each a valid glob; {} when not written. */
function globMap(r: FieldReader, key: string): Map<string, string> {
  const map = new Map<string, string>();
  const entries = r.map(key, "must be an object mapping keys to glob patterns");
  if (entries == null) return map;
  for (let i = 0; i < entries.size; i++) {
    const name = entries.keyAt(i);
    if (name.length == 0) {
      entries.fail(i, "keys must not be empty");
      return map;
    }
    if (!entries.isString(i)) {
      entries.fail(i, "must be a string (a glob pattern)");
      return map;
    }
    const text = entries.string(i)!;
    const problem = globProblem(text);
    if (problem != null) {
      entries.fail(i, problem);
      return map;
    }
    map.set(name, text);
  }
  return map;
}

/** A list of valid globs (`key` of `r`); [] when not written. */
function globList(r: FieldReader, key: string): string[] {
  const list = r.stringList(key);
  for (let i = 0; i < list.length; i++) {
    const problem = globProblem(list[i]);
    if (problem != null) {
      r.fail(key + "[" + i.toString() + "]", problem);
      break;
    }
  }
  return list;
}

/** One of `choices` (`key` of `r`), or `fallback` when not written. Returns the index in `choices`. */
function choice(r: FieldReader, key: string, choices: string[], fallback: i32): i32 {
  const text = r.string(key);
  if (text == null) return fallback;
  const index = choices.indexOf(text);
  if (index < 0) {
    r.fail(key, "\"" + text + "\" is not one of " + joinStrings(choices, ", "));
    return fallback;
  }
  return index;
}

function readLicenses(r: FieldReader, out: LicenseSettings): string | null {
  if (!knownKeysOnly(r, ["required", "unlisted", "allow", "deny", "allowDeprecated"])) return r.error;
  out.required = r.bool("required", true);
  const unlisted = choice(r, "unlisted", UNLISTED_NAMES, -1);
  if (unlisted >= 0) out.rules.unlisted = UNLISTED_VALUES[unlisted];
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

function isPlatformPart(part: string): bool {
  if (part.length == 0) return false;
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x5f || c == 0x2e || c == 0x2d;
    if (!ok) return false;
  }
  return true;
}

function readPlatforms(r: FieldReader, out: Settings): string | null {
  knownKeysOnly(r, ["required", "inspect"]);
  const required = r.stringList("required");
  const inspect = r.stringList("inspect");
  if (r.error != null) return r.error;
  const problem = readPlatformList(required, "platforms.required", out.requiredPlatforms);
  return problem != null ? problem : readPlatformList(inspect, "platforms.inspect", out.inspectPlatforms);
}

/** "os/arch[/variant]" strings into `out`; the first malformed one is reported under `field`. */
function readPlatformList(list: string[], field: string, out: PlatformSpec[]): string | null {
  for (let i = 0; i < list.length; i++) {
    const parts = splitPlatform(list[i]);
    let valid = parts.length == 2 || parts.length == 3;
    for (let p = 0; valid && p < parts.length; p++) valid = isPlatformPart(parts[p]);
    if (!valid) {
      return field + "[" + i.toString() + "]: \"" + list[i] + "\" is not \"os/arch\" or \"os/arch/variant\" (lowercase)";
    }
    out.push(new PlatformSpec(parts[0], parts[1], parts.length == 3 ? parts[2] : null));
  }
  return null;
}

/** `text` split at every "/" (String#split costs 400 bytes of module for this one use). */
function splitPlatform(text: string): string[] {
  const parts = new Array<string>();
  let from = 0;
  for (let slash = text.indexOf("/"); slash >= 0; slash = text.indexOf("/", from)) {
    parts.push(text.substring(from, slash));
    from = slash + 1;
  }
  parts.push(text.substring(from));
  return parts;
}

function readConfig(r: FieldReader, out: ConfigSettings): string | null {
  if (!knownKeysOnly(r, ["rejectRootUser", "forbiddenEnv", "requiredLabels"])) return r.error;
  out.rejectRootUser = r.bool("rejectRootUser", false);
  out.forbiddenEnv = globList(r, "forbiddenEnv");
  out.requiredLabels = globMap(r, "requiredLabels");
  return r.error;
}

const TOP_LEVEL: string[] = ["licenses", "annotations", "platforms", "config", "exemptImages", "onLookupError", "enforcement", "pinDigest", "auditLicenses"];

/** The settings of a settings document (null: JSON null, the defaults), or its first problem. */
export function readSettings(r: FieldReader | null): Result<Settings> {
  const settings = new Settings();
  if (r == null) return ok(settings);
  if (!knownKeysOnly(r, TOP_LEVEL)) return fail<Settings>(r.error!);
  const licenses = r.object("licenses");
  const annotations = r.object("annotations");
  const platforms = r.object("platforms");
  const config = r.object("config");
  settings.exemptImages = globList(r, "exemptImages");
  settings.acceptLookupErrors = choice(r, "onLookupError", ["reject", "accept"], 0) == 1;
  settings.warnOnly = choice(r, "enforcement", ["deny", "warn"], 0) == 1;
  settings.pinDigest = r.bool("pinDigest", false);
  settings.auditLicenses = r.bool("auditLicenses", true);
  if (r.error != null) return fail<Settings>(r.error!);
  let problem: string | null = null;
  if (licenses != null) problem = readLicenses(licenses, settings.licenses);
  if (problem == null && annotations != null) {
    if (knownKeysOnly(annotations, ["required"])) settings.requiredAnnotations = globMap(annotations, "required");
    problem = annotations.error;
  }
  if (problem == null && platforms != null) problem = readPlatforms(platforms, settings);
  if (problem == null && config != null) problem = readConfig(config, settings.config);
  if (problem != null) return fail<Settings>(problem);
  return ok(settings);
}
