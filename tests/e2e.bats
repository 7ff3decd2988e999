#!/usr/bin/env bats
# End-to-end: the annotated policy through kwctl when installed, else this repo's kwhost, with
# host lookups replayed from kwctl session files.

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
}

@test "accept a pod whose image index declares a license" {
  run "$KWCTL" run "$POLICY" \
    -r test_data/pod_with_licensed_image.json \
    --replay-host-capabilities-interactions test_data/sessions/oci_manifest_pod_with_licensed_image.yml
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":true.*') -ne 0 ]
  [ $(expr "$output" : '.*"auditAnnotations":null,"warnings":null.*') -ne 0 ]
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
