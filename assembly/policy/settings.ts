// Policy settings (ARCHITECTURE.md "Settings"; the names are the product's interface), decoded
// and validated from the JSON object the host sends. The first problem is reported as
// "<field path>: <what is wrong>"; nothing unknown is accepted silently.

import { JsonValue } from "../sdk/json/reader";
import { checkRuleId, LicenseRules, Unlisted } from "./licenses/index";

export class LicenseSettings {
  /** an image must declare a license; NOASSERTION and NONE count as none */
  required: bool = true;
  rules: LicenseRules = new LicenseRules();
}

export class Settings {
  licenses: LicenseSettings = new LicenseSettings();
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
    const keys = object.keys!;
    for (let i = 0; i < keys.length; i++) {
      if (!known.includes(keys[i])) {
        this.fail(keys[i], "unknown setting (known: " + known.join(", ") + ")");
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
    if (index < 0) r.fail("unlisted", "\"" + unlisted + "\" is not one of " + UNLISTED_NAMES.join(", "));
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

export function readSettings(root: JsonValue): SettingsResult {
  if (!root.isObject) return new SettingsResult(null, "settings: must be an object");
  const settings = new Settings();
  const r = new FieldReader(root, "", ["licenses"]);
  if (r.error != null) return new SettingsResult(null, r.error);
  const licenses = r.object_("licenses");
  if (r.error != null) return new SettingsResult(null, r.error);
  if (licenses != null) {
    const problem = readLicenses(licenses, "licenses", settings.licenses);
    if (problem != null) return new SettingsResult(null, problem);
  }
  return new SettingsResult(settings, null);
}
