// Policy settings: decoded and validated from the JSON object the host sends. Every problem is
// reported with its field path; nothing unknown is accepted silently.

import { JsonValue } from "../sdk/json/reader";

export class Settings {}

export class SettingsResult {
  constructor(
    public settings: Settings | null,
    /** "<field path>: <what is wrong>" */
    public error: string | null,
  ) {}
}

const KNOWN_KEYS: string[] = [];

export function readSettings(root: JsonValue): SettingsResult {
  if (!root.isObject) return new SettingsResult(null, "settings: must be an object");
  const keys = root.keys!;
  for (let i = 0; i < keys.length; i++) {
    if (!KNOWN_KEYS.includes(keys[i])) return new SettingsResult(null, keys[i] + ": unknown setting");
  }
  return new SettingsResult(new Settings(), null);
}
