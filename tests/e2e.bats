#!/usr/bin/env bats
# End-to-end: the annotated policy through kwctl when installed, else this repo's kwhost, with
# host lookups replayed from kwctl session files.

load support/patch

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  KWCTL="${KWCTL:-$(command -v kwctl || echo bin/kwhost)}"
  POLICY="${POLICY:-annotated-policy.wasm}"
}

@test "reject a pod whose image declares no license" {
  run "$KWCTL" run "$POLICY" \
    -r test_data/pod_with_unlicensed_image.json \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_pod_with_unlicensed_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":false.*') -ne 0 ]
  [ $(expr "$output" : '.*container \\"worker\\" image \\"ghcr.io/acme/unlicensed:1.0\\": no license declared.*') -ne 0 ]
  [ $(expr "$output" : '.*container \\"web\\".*') -eq 0 ]
  [[ "$output" == *',"auditAnnotations":{"licenses":"{\"ghcr.io/acme/payments:1.2.0\":\"Apache-2.0\",\"ghcr.io/acme/unlicensed:1.0\":null}"},"warnings":null}' ]]
}

@test "accept a pod whose image index declares a license" {
  run "$KWCTL" run "$POLICY" \
    -r test_data/pod_with_licensed_image.json \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_pod_with_licensed_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":true.*') -ne 0 ]
  [[ "$output" == *'"allowed":true,"auditAnnotations":{"licenses":"{\"ghcr.io/acme/payments:1.2.0\":\"Apache-2.0\"}"},"warnings":null}' ]]
}

@test "an AdmissionReview on stdin is unwrapped" {
  run bash -c "'$KWCTL' run '$POLICY' -r - --replay-host-capabilities-interactions test_data/sessions/oci_manifest_pod_with_licensed_image.yml < test_data/admission_review_pod_with_licensed_image.json"
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"uid":"1299d386-525b-4032-98ae-1949f69f9cfc","allowed":true.*') -ne 0 ]
}

@test "reject when the host lookup fails, naming the image and the host error" {
  run "$KWCTL" run "$POLICY" \
    -r test_data/pod_with_licensed_image.json \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_lookup_error.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":false.*') -ne 0 ]
  [ $(expr "$output" : '.*image \\"ghcr.io/acme/payments:1.2.0\\": manifest lookup failed: Callback evaluation failure: Fail to interact with OCI registry: Not authorized.*') -ne 0 ]
}

@test "a DELETE is accepted without host lookups" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_delete.json \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_lookup_error.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":true.*') -ne 0 ]
}

@test "unknown settings are refused" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_licensed_image.json \
    --settings-json '{"licence": {}}' \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_pod_with_licensed_image.yml
  echo "output = ${output}"
  [ "$status" -ne 0 ]
  [ $(expr "$output" : '.*Provided settings are not valid.*licence: unknown setting.*') -ne 0 ]
}

@test "reject an SSPL-1.0 image: not OSI approved" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_sspl_image.json \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_sspl_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":false.*') -ne 0 ]
  [ $(expr "$output" : '.*container \\"db\\" image \\"ghcr.io/acme/docstore:7.0\\": license \\"SSPL-1.0\\" is not OSI approved.*') -ne 0 ]
}

@test "accept Apache-2.0 OR SSPL-1.0: one acceptable alternative is enough" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_dual_licensed_image.json \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_dual_licensed_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":true.*') -ne 0 ]
}

@test "a strict allow list rejects a license that is not on it" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_dual_licensed_image.json \
    --settings-path test_data/settings/strict_allow_list.yaml \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_dual_licensed_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":true.*') -ne 0 ]
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_sspl_image.json \
    --settings-path test_data/settings/strict_allow_list.yaml \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_sspl_image.yml
  echo "output = ${output}"
  [ $(expr "$output" : '.*"allowed":false.*SSPL-1.0.*') -ne 0 ]
}

@test "an index without license is accepted when every platform image declares one" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_multiarch_image.json \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_multiarch_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":true.*') -ne 0 ]
  # the same session with required platforms: linux/amd64 and linux/arm64 (v8) are both there
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_multiarch_image.json \
    --settings-path test_data/settings/multiarch_platforms.yaml \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_multiarch_image.yml
  echo "output = ${output}"
  [ $(expr "$output" : '.*"allowed":true.*') -ne 0 ]
}

@test "a license found only as a config label is judged: deny list" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_license_label_image.json \
    --settings-path test_data/settings/deny_gpl.yaml \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_license_label_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":false.*license \\"GPL-3.0-only\\" is denied.*') -ne 0 ]
}

@test "a config label that is present but NOASSERTION is named in the rejection" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_license_label_image.json \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_noassertion_label_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":false.*image \\"ghcr.io/acme/labelled:2.3.1\\": no license declared (no \\"org.opencontainers.image.licenses\\" annotation, config label is \\"NOASSERTION\\").*') -ne 0 ]
}

@test "reject an image that runs as root with a secret baked in" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_root_image.json \
    --settings-path test_data/settings/root_and_secrets.yaml \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_root_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":false.*') -ne 0 ]
  [ $(expr "$output" : '.*environment variable \\"AWS_SECRET_ACCESS_KEY\\" is set in the image.*') -ne 0 ]
  [ $(expr "$output" : '.*runs as root (image user \\"root\\").*') -ne 0 ]
  [ $(expr "$output" : '.*wJalrXUtnFEMI.*') -eq 0 ]
}

@test "runAsNonRoot in the pod makes the image user irrelevant" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_root_image_run_as_non_root.json \
    --settings-json '{"config": {"rejectRootUser": true}}' \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_root_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":true.*') -ne 0 ]
}

@test "warn mode accepts and lists every violation in warnings" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_root_image.json \
    --settings-path test_data/settings/warn_only.yaml \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_root_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [[ "$output" == *'"allowed":true,"auditAnnotations":{"licenses":"{\"ghcr.io/acme/legacy:0.9\":\"MIT\"}"},"warnings":["'*']}' ]]
  [ $(expr "$output" : '.*"warnings":\[.*runs as root.*\]}') -ne 0 ]
  [ $(expr "$output" : '.*"warnings":\[.*AWS_SECRET_ACCESS_KEY.*\]}') -ne 0 ]
}

@test "a single-platform image lacking a required platform is rejected" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_amd64_only_image.json \
    --settings-path test_data/settings/multiarch_platforms.yaml \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_amd64_only_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*platform linux/arm64 is not provided (single-platform image for linux/amd64).*') -ne 0 ]
}

@test "exempt images are not looked up" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_exempt_image.json \
    --settings-path test_data/settings/exempt_docker_library.yaml \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_pod_with_licensed_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":true.*') -ne 0 ]
}

@test "onLookupError: accept admits with a warning carrying the host error" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_licensed_image.json \
    --settings-path test_data/settings/accept_lookup_errors.yaml \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_lookup_error.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":true.*"warnings":\[".*Not authorized.*') -ne 0 ]
}

@test "pinDigest patches the image to the digest that was checked" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_licensed_image.json \
    --settings-path test_data/settings/pin_digest.yaml \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_pin_digest.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":true,"patchType":"JSONPatch","patch":".*') -ne 0 ]
  patch=$(decoded_patch "$output")
  echo "patch = ${patch}"
  [ $(expr "$patch" : '.*"path":"/spec/containers/0/image","value":"ghcr.io/acme/payments:1.2.0@sha256:.*') -ne 0 ]
}

@test "an invalid settings value is refused with its field path" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_licensed_image.json \
    --settings-path test_data/settings/invalid_unlisted.yaml \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_pod_with_licensed_image.yml
  echo "output = ${output}"
  [ "$status" -ne 0 ]
  [ $(expr "$output" : '.*Provided settings are not valid.*licenses.unlisted: \\"osi\\" is not one of.*') -ne 0 ]
}

@test "reject a pod whose image volume declares no license, naming the volume" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_unlicensed_image_volume.json \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_unlicensed_image_volume.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":false.*') -ne 0 ]
  [ $(expr "$output" : '.*"message":"volume \\"models\\" image \\"ghcr.io/acme/models:1.0\\": no license declared.*') -ne 0 ]
  [ $(expr "$output" : '.*container \\"web\\".*') -eq 0 ]
}

@test "reject a Deployment and a CronJob whose image volume declares no license" {
  for request in deployment_with_unlicensed_image_volume.json cronjob_with_unlicensed_image_volume.json; do
    run "$KWCTL" run "$POLICY" -r "test_data/$request" \
      --replay-host-capabilities-interactions test_data/sessions/oci_manifest_unlicensed_image_volume.yml
    echo "$request: output = ${output}"
    [ "$status" -eq 0 ]
    [ $(expr "$output" : '.*"allowed":false.*volume \\"models\\" image \\"ghcr.io/acme/models:1.0\\": no license declared.*') -ne 0 ]
    [[ "$output" == *',"auditAnnotations":{"licenses":"{\"ghcr.io/acme/models:1.0\":null,\"ghcr.io/acme/payments:1.2.0\":\"Apache-2.0\"}"},"warnings":null}' ]]
  done
}

@test "an accepted Deployment's audit annotation carries the licenses of all its images" {
  run "$KWCTL" run "$POLICY" -r test_data/deployment_with_unlicensed_image_volume.json \
    --settings-json '{"licenses": {"required": false}}' \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_unlicensed_image_volume.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [[ "$output" == *'"allowed":true,"auditAnnotations":{"licenses":"{\"ghcr.io/acme/models:1.0\":null,\"ghcr.io/acme/payments:1.2.0\":\"Apache-2.0\"}"},"warnings":null}' ]]
}

@test "an index's license is the image's in the audit annotation" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_multiarch_image.json \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_multiarch_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [[ "$output" == *'"allowed":true,"auditAnnotations":{"licenses":"{\"nginx:1.27.2\":\"MIT\"}"},"warnings":null}' ]]
}

@test "auditLicenses: false emits no audit annotations" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_unlicensed_image.json \
    --settings-json '{"auditLicenses": false}' \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_pod_with_unlicensed_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":false.*') -ne 0 ]
  [[ "$output" == *'},"auditAnnotations":null,"warnings":null}' ]]
}

@test "auditLicenses must be true or false" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_unlicensed_image.json \
    --settings-json '{"auditLicenses": "no"}' \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_pod_with_unlicensed_image.yml
  echo "output = ${output}"
  [ "$status" -ne 0 ]
  [[ "$output" == *'Provided settings are not valid: "auditLicenses: must be true or false"'* ]]
}

@test "an OCI artifact volume with an empty config is judged by its annotations, no config lookup" {
  # the session holds no config exchange: asking for one would fail the lookup and reject
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_artifact_volume.json \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_artifact_volume.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":true.*') -ne 0 ]
}

@test "pinDigest pins the image volume's reference in place" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_with_artifact_volume.json \
    --settings-path test_data/settings/pin_digest.yaml \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_pin_digest_artifact_volume.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":true,"patchType":"JSONPatch","patch":".*') -ne 0 ]
  patch=$(decoded_patch "$output")
  echo "patch = ${patch}"
  [ $(expr "$patch" : '.*{"op":"replace","path":"/spec/volumes/0/image/reference","value":"ghcr.io/acme/models:2.0@sha256:9aee59d00bcc2cdeb0904eeb4b539c27add2f62e6dbe799583ba1b84388d816e"}.*') -ne 0 ]
  [ $(expr "$patch" : '.*"path":"/spec/containers/0/image","value":"ghcr.io/acme/payments:1.2.0@sha256:.*') -ne 0 ]
  [ $(echo "$patch" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).length))') -eq 2 ]
}

@test "kubectl debug: an ephemeral container added through pods/ephemeralcontainers is judged" {
  run "$KWCTL" run "$POLICY" -r test_data/pod_debug_ephemeral_container.json \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_pod_with_unlicensed_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":false.*container \\"debugger-7x2kq\\" image \\"ghcr.io/acme/unlicensed:1.0\\": no license declared.*') -ne 0 ]
}

@test "the annotated policy's rules intercept pods/ephemeralcontainers" {
  run node -e '
    const { readFileSync } = require("node:fs");
    const bytes = readFileSync(process.argv[1]);
    const module = new WebAssembly.Module(bytes);
    const section = WebAssembly.Module.customSections(module, "io.kubewarden.metadata")[0];
    const metadata = JSON.parse(Buffer.from(section).toString());
    console.log(JSON.stringify(metadata.rules));' "$POLICY"
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"resources":\["pods/ephemeralcontainers"\],"operations":\["UPDATE"\].*') -ne 0 ]
}
