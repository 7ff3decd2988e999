// validate_settings: {} is valid; anything unknown is refused with its field path.

import { validateSettings } from "./helpers/policy";

describe("validate_settings", () => {
  test("accepts the empty settings object", () => {
    expect(validateSettings({})).toEqual({ valid: true });
  });

  test("rejects an unknown key, naming it", () => {
    expect(validateSettings({ licence: {} })).toEqual({ valid: false, message: "licence: unknown setting (known: licenses, annotations, platforms, config, exemptImages, onLookupError, enforcement, pinDigest)" });
  });
});
