#!/usr/bin/env bash
# Pushes an OCI artifact for an image volume with skopeo (a real client of the Distribution API):
# an empty config (application/vnd.oci.empty.v1+json, image-spec manifest.md "Guidelines for
# Artifact Usage"), one layer of model weights, and optionally the license annotation. The
# artifact is written as an OCI image layout (image-spec image-layout.md) and copied from there.
#
#   tests/registry/push-artifact.sh HOST/REPO:TAG [LICENSE]     prints the digest of the manifest
#
# The registry is reached over plain HTTP (the "plain" registry of start-registry.sh).
set -euo pipefail

target="$1"
license="${2:-}"
command -v skopeo >/dev/null || { echo "push-artifact.sh: skopeo is missing (make deps installs it)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
layout="$work/layout"
mkdir -p "$layout/blobs/sha256"
printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"

# Stores file $1 as a blob; prints its sha256 hex digest.
blob() {
  local digest
  digest="$(sha256sum "$1" | cut -d' ' -f1)"
  cp "$1" "$layout/blobs/sha256/$digest"
  echo "$digest"
}

printf '{}' >"$work/config"
printf 'weights of the %s model\n' "$target" >"$work/weights.safetensors"
config="$(blob "$work/config")"
weights="$(blob "$work/weights.safetensors")"
weights_size="$(stat -c %s "$work/weights.safetensors")"
annotations='"org.opencontainers.image.source":"https://github.com/acme/models"'
[ -n "$license" ] && annotations="$annotations,\"org.opencontainers.image.licenses\":\"$license\""
printf '%s' "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":\"application/vnd.acme.model.v1\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"sha256:$config\",\"size\":2},\"layers\":[{\"mediaType\":\"application/vnd.acme.model.weights.v1\",\"digest\":\"sha256:$weights\",\"size\":$weights_size,\"annotations\":{\"org.opencontainers.image.title\":\"weights.safetensors\"}}],\"annotations\":{$annotations}}" >"$work/manifest.json"
manifest="$(blob "$work/manifest.json")"
manifest_size="$(stat -c %s "$work/manifest.json")"
printf '%s' "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:$manifest\",\"size\":$manifest_size,\"annotations\":{\"org.opencontainers.image.ref.name\":\"artifact\"}}]}" >"$layout/index.json"

skopeo copy --quiet --dest-tls-verify=false "oci:$layout:artifact" "docker://$target" >&2
echo "sha256:$manifest"
