// kwctl session files: parsing, writing, and replay in order with equality checks.

import { parseSession, serializeSession, SessionReplayer } from "../host/session";
import { ociRequest, ReplayBackend, capabilityHandler } from "../host/capabilities";

const SESSION = `- type: Exchange
  request: |
    !OciManifest
    image: docker.io/library/nginx:1.27
  response:
    type: Success
    payload: '{"schemaVersion":2,"manifests":[]}'
- type: Exchange
  request: |
    !OciManifestDigest
    image: busybox
  response:
    type: Error
    message: 'Fail to interact with OCI registry: Not authorized: url https://index.docker.io/v2/library/busybox/manifests/latest'
`;

describe("session files", () => {
  test("parses kwctl's format", () => {
    const exchanges = parseSession(SESSION);
    expect(exchanges).toEqual([
      {
        request: { tag: "OciManifest", fields: { image: "docker.io/library/nginx:1.27" } },
        response: { type: "Success", payload: '{"schemaVersion":2,"manifests":[]}' },
      },
      {
        request: { tag: "OciManifestDigest", fields: { image: "busybox" } },
        response: {
          type: "Error",
          message: "Fail to interact with OCI registry: Not authorized: url https://index.docker.io/v2/library/busybox/manifests/latest",
        },
      },
    ]);
  });

  test("writes what it reads", () => {
    const exchanges = parseSession(SESSION);
    const written = serializeSession(exchanges);
    expect(written).toContain("request: |\n    !OciManifest\n    image: docker.io/library/nginx:1.27\n");
    expect(parseSession(written)).toEqual(exchanges);
  });

  test("rejects entries that are not exchanges", () => {
    expect(() => parseSession("- type: Other\n  request: x\n")).toThrow(/exchange 1: type must be "Exchange"/);
    expect(() => parseSession("- type: Exchange\n  request: 'image: x'\n  response: {type: Success, payload: ''}\n")).toThrow(
      /tagged mapping/,
    );
  });
});

describe("replay", () => {
  test("answers in order, checks each request, then runs dry", () => {
    const replayer = new SessionReplayer(parseSession(SESSION));
    expect(replayer.answer(ociRequest("v1/oci_manifest", "docker.io/library/nginx:1.27"))).toEqual({
      ok: true,
      payload: '{"schemaVersion":2,"manifests":[]}',
    });
    const mismatch = replayer.answer(ociRequest("v1/oci_manifest", "busybox"));
    expect(mismatch).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^Replay error: unexpected request. Was expecting OciManifestDigest .*busybox.*, got OciManifest .*busybox.* instead$/,
      ),
    });
    // like kwctl, the mismatched exchange was consumed: nothing is left
    expect(replayer.answer(ociRequest("v1/manifest_digest", "busybox"))).toEqual({
      ok: false,
      error: "the list of recorded responses is empty",
    });
    expect(replayer.leftover).toBe(0);
  });

  test("errors reach the guest prefixed like policy-server's", () => {
    const handler = capabilityHandler(new ReplayBackend(new SessionReplayer(parseSession(SESSION).slice(1))));
    const outcome = handler("kubewarden", "oci", "v1/manifest_digest", Buffer.from('"busybox"'));
    expect(outcome).toEqual({
      ok: false,
      error: expect.stringMatching(/^Callback evaluation failure: Fail to interact with OCI registry: Not authorized/),
    });
  });

  test("dispatch errors use the host's texts", () => {
    const handler = capabilityHandler(new ReplayBackend(new SessionReplayer([])), { allowed: ["oci/v1/manifest_digest"] });
    expect(handler("other", "oci", "v1/oci_manifest", Buffer.from('"x"'))).toEqual({ ok: false, error: "unknown binding: other" });
    expect(handler("kubewarden", "dns", "v1/x", Buffer.from('"x"'))).toEqual({ ok: false, error: "unknown namespace: dns" });
    expect(handler("kubewarden", "oci", "v9/x", Buffer.from('"x"'))).toEqual({ ok: false, error: "unknown operation: v9/x" });
    expect(handler("kubewarden", "oci", "v1/oci_manifest", Buffer.from('"x"'))).toEqual({
      ok: false,
      error: "Policy has not been granted access to the 'oci/v1/oci_manifest' host capability. The violation has been reported.",
    });
    expect(handler("kubewarden", "oci", "v1/manifest_digest", Buffer.from("{}"))).toEqual({
      ok: false,
      error: expect.stringMatching(/^invalid type: map, expected a string/),
    });
  });
});
