#!/usr/bin/env bats
# End-to-end against real OCI registries: Debian's docker-registry (CNCF distribution) started on
# 127.0.0.1 by tests/registry/start-registry.sh (plain HTTP, TLS + basic auth, bearer tokens),
# fixtures built and pushed with buildah, umoci and skopeo by tests/registry/push-fixtures.ts, the
# policy evaluated live through kwhost.

load support/patch
bats_require_minimum_version 1.5.0

setup_file() {
  cd "$BATS_TEST_DIRNAME/.."
  export REGISTRY_STATE_DIR="$PWD/.registry/bats-$$"
  # (its stdout is the path of state.json, which REGISTRY_STATE_DIR already names)
  tests/registry/start-registry.sh >/dev/null
  node dist/tests/registry/push-fixtures.js "$REGISTRY_STATE_DIR" >/dev/null
}

teardown_file() {
  cd "$BATS_TEST_DIRNAME/.."
  tests/registry/stop-registry.sh --clean >&3 || true
}

setup() {
  cd "$BATS_TEST_DIRNAME/.."
  . "$REGISTRY_STATE_DIR/env"
  POLICY="${POLICY:-annotated-policy.wasm}"
  SOURCES=(--sources-path "$REGISTRY_SOURCES_PATH")
  AUTH=(--docker-config-json-path "$REGISTRY_DOCKER_CONFIG_DIR")
}

# The reference of fixture $1 (see fixtures.json), e.g. "licensed" or "secure:licensed".
ref() {
  node -e 'const f=require(process.argv[1]); const i=f.images[process.argv[2]]; if(!i) process.exit(3); console.log(process.argv[3]==="digest"?i.refByDigest:i.ref)' \
    "$REGISTRY_STATE_DIR/fixtures.json" "$1" "${2:-}"
}

# Writes a Pod AdmissionRequest with one container per image argument; prints its path.
pod() {
  local file="$BATS_TEST_TMPDIR/pod-$RANDOM.json"
  node -e '
    const req = JSON.parse(require("fs").readFileSync("test_data/pod_with_licensed_image.json", "utf8"));
    req.object.spec.containers = process.argv.slice(2).map((image, i) => ({ name: "c" + i, image }));
    require("fs").writeFileSync(process.argv[1], JSON.stringify(req));' "$file" "$@"
  echo "$file"
}

# Writes a Pod AdmissionRequest running image $1 in container "app" and mounting $2 as image
# volume "models"; prints its path.
pod_with_volume() {
  local file="$BATS_TEST_TMPDIR/pod-$RANDOM.json"
  node -e '
    const req = JSON.parse(require("fs").readFileSync("test_data/pod_with_licensed_image.json", "utf8"));
    req.object.spec.containers = [{ name: "app", image: process.argv[2], volumeMounts: [{ name: "models", mountPath: "/models" }] }];
    req.object.spec.volumes = [{ name: "models", image: { reference: process.argv[3], pullPolicy: "IfNotPresent" } }];
    require("fs").writeFileSync(process.argv[1], JSON.stringify(req));' "$file" "$@"
  echo "$file"
}

@test "live: an image whose manifest declares MIT is accepted" {
  run bin/kwhost run "$POLICY" -r "$(pod "$(ref licensed)")" "${SOURCES[@]}"
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":true.*') -ne 0 ]
}

@test "live: an unlicensed image is rejected after the config was asked too" {
  image="$(ref unlicensed)"
  run bin/kwhost run "$POLICY" -r "$(pod "$image")" "${SOURCES[@]}"
  echo "output = ${output}"
  [ $(expr "$output" : ".*\"allowed\":false.*image \\\\\"$image\\\\\": no license declared.*") -ne 0 ]
}

@test "live: a multi-arch index is judged per platform, attestations skipped" {
  image="$(ref multiarch)"
  run bin/kwhost run "$POLICY" -r "$(pod "$image")" "${SOURCES[@]}"
  echo "output = ${output}"
  [ $(expr "$output" : '.*"allowed":true.*') -ne 0 ]
  run bin/kwhost run "$POLICY" -r "$(pod "$image")" "${SOURCES[@]}" \
    --settings-json '{"licenses": {"unlisted": "none", "allow": ["MIT"]}}'
  echo "output = ${output}"
  # only the amd64 image is named in the message; the audit annotation lists both platforms' licenses
  [[ "$output" == *'"allowed":false,"status":{"message":"container \"c0\" image \"'"$image"'\": platform linux/amd64: license \"Apache-2.0\" is not on the allow list"},"auditAnnotations":{"licenses":"{\"'"$image"'\":\"linux/amd64: Apache-2.0; linux/arm64/v8: MIT\"}"},"warnings":null}' ]]
  [ $(expr "$output" : '.*unknown/unknown.*') -eq 0 ]
}

@test "live: Docker schema2 image and manifest list are read" {
  run bin/kwhost run "$POLICY" -r "$(pod "$(ref docker-image)" "$(ref docker-list)")" "${SOURCES[@]}" \
    --settings-json '{"licenses": {"required": false}, "platforms": {"required": ["linux/arm64"]}}'
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  # the schema2 image is single-platform amd64; the list offers arm64/v8
  [ $(expr "$output" : '.*container \\"c0\\".*platform linux/arm64 is not provided (single-platform image for linux/amd64).*') -ne 0 ]
  [ $(expr "$output" : '.*container \\"c1\\".*') -eq 0 ]
}

@test "live: config labels, root user and a baked-in secret" {
  run bin/kwhost run "$POLICY" -r "$(pod "$(ref config-labels)")" "${SOURCES[@]}" \
    --settings-json '{"licenses": {"deny": ["GPL-3.0-only"]}, "config": {"rejectRootUser": true, "forbiddenEnv": ["AWS_SECRET_*"]}}'
  echo "output = ${output}"
  [ $(expr "$output" : '.*license \\"GPL-3.0-only\\" is denied.*') -ne 0 ]
  [ $(expr "$output" : '.*environment variable \\"AWS_SECRET_ACCESS_KEY\\" is set in the image.*') -ne 0 ]
  [ $(expr "$output" : '.*runs as root.*') -ne 0 ]
}

@test "live: TLS with a private CA and basic auth, through the sources file and docker config" {
  image="$(ref secure:licensed)"
  run bin/kwhost run "$POLICY" -r "$(pod "$image")" "${SOURCES[@]}" "${AUTH[@]}"
  echo "output = ${output}"
  [ $(expr "$output" : '.*"allowed":true.*') -ne 0 ]
  # without credentials the registry refuses: the rejection names image and host error, and
  # kwhost's note on stderr names the missing credentials
  mkdir -p "$BATS_TEST_TMPDIR/no-credentials"
  echo '{"auths": {}}' >"$BATS_TEST_TMPDIR/no-credentials/config.json"
  run --separate-stderr bin/kwhost run "$POLICY" -r "$(pod "$image")" "${SOURCES[@]}" --docker-config-json-path "$BATS_TEST_TMPDIR/no-credentials"
  echo "output = ${output}"
  echo "stderr = ${stderr}"
  [ $(expr "$output" : ".*\"allowed\":false.*image \\\\\"$image\\\\\": manifest lookup failed: Callback evaluation failure: .*") -ne 0 ]
  [ "$stderr" = "kwhost: lookup of image \"$image\" at registry $REGISTRY_SECURE_HOST failed: Not authorized: url https://$REGISTRY_SECURE_HOST/v2/fixtures/licensed/manifests/1.0; fix: no credentials for \"$REGISTRY_SECURE_HOST\" in $BATS_TEST_TMPDIR/no-credentials/config.json: add them (e.g. docker login $REGISTRY_SECURE_HOST) or pass the directory of a config.json that has them with --docker-config-json-path" ]
  # a directory without config.json is an error naming it
  run bin/kwhost run "$POLICY" -r "$(pod "$image")" "${SOURCES[@]}" --docker-config-json-path "$BATS_TEST_TMPDIR"
  echo "output = ${output}"
  [ "$status" -eq 1 ]
  [ "$output" = "Error: --docker-config-json-path $BATS_TEST_TMPDIR: $BATS_TEST_TMPDIR/config.json does not exist" ]
}

@test "live: bearer-token registry, anonymous and with credentials" {
  run bin/kwhost run "$POLICY" -r "$(pod "$(ref token:licensed)" "$(ref token:private)")" "${SOURCES[@]}" "${AUTH[@]}"
  echo "output = ${output}"
  [ $(expr "$output" : '.*"allowed":true.*') -ne 0 ]
}

@test "live: a recorded session replays to the same answer" {
  request="$(pod "$(ref multiarch)" "$(ref unlicensed)" "$(ref config-labels)")"
  session="$BATS_TEST_TMPDIR/session.yml"
  run bin/kwhost run "$POLICY" -r "$request" "${SOURCES[@]}" --record-host-capabilities-interactions "$session"
  echo "recorded = ${output}"
  live="$output"
  grep -q '!OciManifest' "$session"
  grep -q '!OciManifestAndConfig' "$session"
  run bin/kwhost run "$POLICY" -r "$request" --replay-host-capabilities-interactions "$session"
  echo "replayed = ${output}"
  [ "$status" -eq 0 ]
  [ "$output" = "$live" ]
}

@test "live: pinDigest rewrites the image to the digest the registry serves" {
  image="$(ref licensed)"
  pinned="$(ref licensed digest)"
  run bin/kwhost run "$POLICY" -r "$(pod "$image")" "${SOURCES[@]}" --settings-json '{"pinDigest": true}'
  echo "output = ${output}"
  patch=$(decoded_patch "$output")
  echo "patch = ${patch}"
  digest="${pinned#*@}"
  [ $(expr "$patch" : ".*\"value\":\"$image@$digest\".*") -ne 0 ]
}

@test "live: repeated evaluations within 60 s make no registry request (policy-server's cache)" {
  run bin/kwhost bench "$POLICY" -r "$(pod "$(ref multiarch)")" "${SOURCES[@]}" --num-samples 5 --warm-up-time 0
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*registry requests: [1-9][0-9]* for the first evaluation, 0 for the [1-9][0-9]* cached lookups after it.*') -ne 0 ]
}

@test "live: an image volume mounting an OCI artifact pushed by skopeo is judged by its annotations" {
  models="$(ref models)"
  session="$BATS_TEST_TMPDIR/session.yml"
  run bin/kwhost run "$POLICY" -r "$(pod_with_volume "$(ref licensed)" "$models")" "${SOURCES[@]}" \
    --record-host-capabilities-interactions "$session"
  echo "output = ${output}"
  [ "$status" -eq 0 ]
  [ $(expr "$output" : '.*"allowed":true.*') -ne 0 ]
  # the artifact's empty config is never asked for
  cat "$session"
  grep -q "image: $models" "$session"
  [ $(grep -A1 -F '!OciManifestAndConfig' "$session" | grep -c -F "image: $models") -eq 0 ]
}

@test "live: an unlicensed OCI artifact in an image volume is rejected naming the volume" {
  models="$(ref models-unlicensed)"
  run bin/kwhost run "$POLICY" -r "$(pod_with_volume "$(ref licensed)" "$models")" "${SOURCES[@]}"
  echo "output = ${output}"
  [ $(expr "$output" : ".*\"allowed\":false.*volume \\\\\"models\\\\\" image \\\\\"$models\\\\\": no license declared (no .*annotation; an artifact with config media type .*application/vnd.oci.empty.v1+json.*") -ne 0 ]
  [ $(expr "$output" : '.*container \\"app\\".*') -eq 0 ]
}

@test "live: pinDigest pins the image volume to the artifact digest the registry serves" {
  models="$(ref models)"
  pinned="$(ref models digest)"
  digest="${pinned#*@}"
  run bin/kwhost run "$POLICY" -r "$(pod_with_volume "$(ref licensed)" "$models")" "${SOURCES[@]}" --settings-json '{"pinDigest": true}'
  echo "output = ${output}"
  patch=$(decoded_patch "$output")
  echo "patch = ${patch}"
  [ $(expr "$patch" : ".*{\"op\":\"replace\",\"path\":\"/spec/volumes/0/image/reference\",\"value\":\"$models@$digest\"}.*") -ne 0 ]
}
