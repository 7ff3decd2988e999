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
});
