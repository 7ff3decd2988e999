// validate_settings: {} is valid; anything unknown is refused with its field path.

import { validateSettings } from "./support/policy";

describe("validate_settings", () => {
  test("accepts the empty settings object", () => {
    expect(validateSettings({})).toEqual({ valid: true });
  });

  test("null means the defaults, as PolicySettings treats it; other non-objects are refused", () => {
    expect(validateSettings(null)).toEqual({ valid: true });
    expect(validateSettings([])).toEqual({ valid: false, message: "settings: must be an object" });
    expect(validateSettings("x")).toEqual({ valid: false, message: "settings: must be an object" });
  });

  test("rejects an unknown key, naming it", () => {
    expect(validateSettings({ licence: {} })).toEqual({
      valid: false,
      message:
        "licence: unknown setting (known: licenses, annotations, platforms, config, exemptImages, onLookupError, enforcement, pinDigest, auditLicenses)",
    });
  });

  // A name differing from a setting's in any one character is not that setting: it is refused as
  // unknown, and the setting is read under its own name only.
  test.each([
    "licenses",
    "annotations",
    "platforms",
    "config",
    "exemptImages",
    "onLookupError",
    "enforcement",
    "pinDigest",
    "auditLicenses",
  ])("%s is read under its exact name only", (name) => {
    expect(validateSettings({ [name]: 5 })).toEqual({ valid: false, message: expect.stringMatching(new RegExp(`^${name}: `)) as unknown });
    for (let i = 0; i < name.length; i++) {
      const other = name.slice(0, i) + (name[i] === "x" ? "y" : "x") + name.slice(i + 1);
      expect(validateSettings({ [other]: 5 })).toEqual({
        valid: false,
        message: expect.stringMatching(new RegExp(`^${other}: unknown setting`)) as unknown,
      });
    }
  });
});
