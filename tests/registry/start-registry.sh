#!/usr/bin/env bash
# Starts local OCI registries on 127.0.0.1 for the registry-client tests, without Docker:
# Debian's `docker-registry` package (the CNCF distribution registry 2.8).
#
#   plain   HTTP, anonymous                         (an `insecure_sources` entry)
#   secure  HTTPS with a self-signed test CA, htpasswd Basic auth
#   token   HTTP, bearer-token auth against token-server.cjs (anonymous pull except private/*)
#
# Everything lives in $REGISTRY_STATE_DIR (default <repo>/.registry): configs, storage, logs,
# the CA, and for clients:
#   state.json          hosts, URLs, pids, credentials, file paths (read by the tests)
#   env                 the same as shell variables (source it)
#   docker-config/      a DOCKER_CONFIG directory whose config.json holds the credentials
#   sources.yaml        kwctl sources: plain + token insecure, the test CA for secure
#   pids                every process started (stop-registry.sh kills exactly these)
# Starting again first stops what the state directory records, then starts afresh (empty storage).
#
# Needs: /usr/bin/docker-registry (installed with apt-get when missing), openssl, curl, node, and
# for the htpasswd file one of: htpasswd (apache2-utils), perl with a bcrypt-capable crypt(3)
# (Debian's libxcrypt), python3 with bcrypt.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE_DIR="${REGISTRY_STATE_DIR:-$ROOT/.registry}"
REGISTRY_BIN="${REGISTRY_BIN:-/usr/bin/docker-registry}"
USERNAME="kwhost"

log() { printf 'start-registry: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else return 1; fi
}

ensure_registry() {
  [ -x "$REGISTRY_BIN" ] && return 0
  log "installing docker-registry with apt-get (this can take a minute)"
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y --no-install-recommends docker-registry >"$STATE_DIR/apt.log" 2>&1; then
    log "apt-get install failed; running apt-get update and trying again"
    as_root apt-get update >>"$STATE_DIR/apt.log" 2>&1 || true
    as_root apt-get install -y --no-install-recommends docker-registry >>"$STATE_DIR/apt.log" 2>&1 \
      || die "cannot install docker-registry; see $STATE_DIR/apt.log"
  fi
  [ -x "$REGISTRY_BIN" ] || die "$REGISTRY_BIN missing after installing docker-registry"
}

for tool in openssl curl node; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done

mkdir -p "$STATE_DIR"
STATE_DIR="$(cd "$STATE_DIR" && pwd)"
# A previous run recorded in this directory is stopped first.
REGISTRY_STATE_DIR="$STATE_DIR" bash "$HERE/stop-registry.sh" >/dev/null 2>&1 || true
rm -rf "${STATE_DIR:?}"/{plain,secure,token,tls,docker-config} "$STATE_DIR"/{state.json,env,pids,sources.yaml,fixtures.json,fixtures-build}
ensure_registry
mkdir -p "$STATE_DIR"/{plain,secure,token,tls,docker-config}
: >"$STATE_DIR/pids"

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close();});'
}

# bcrypt hash of $1 for the registry's htpasswd file (the registry accepts bcrypt only).
bcrypt_hash() {
  local password="$1" hash=""
  if command -v htpasswd >/dev/null 2>&1; then
    hash="$(htpasswd -nbB -C 10 "$USERNAME" "$password" | head -n1 | cut -d: -f2-)"
  fi
  if [[ "$hash" != '$2'* ]] && command -v perl >/dev/null 2>&1; then
    # libxcrypt's crypt(3) does bcrypt ($2b$); the salt's last character must carry no padding bits
    hash="$(perl -e '
      my @a = ("." , "/", "A".."Z", "a".."z", "0".."9");
      my $salt = join "", map { $a[int rand 64] } 1..21;
      $salt .= (".", "O", "e", "u")[int rand 4];
      print crypt($ARGV[0], "\$2b\$10\$" . $salt);' "$password" 2>/dev/null || true)"
  fi
  if [[ "$hash" != '$2'* ]] && command -v python3 >/dev/null 2>&1; then
    hash="$(python3 -c 'import bcrypt,sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(10)).decode())' "$password" 2>/dev/null || true)"
  fi
  [[ "$hash" == '$2'* ]] || die "no bcrypt implementation found: install apache2-utils (htpasswd)"
  printf '%s' "$hash"
}

# Test CA and a server certificate for 127.0.0.1 / localhost.
make_tls() {
  local dir="$STATE_DIR/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 7 \
    -subj "/CN=kwhost test CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=127.0.0.1" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  cat >"$dir/server.ext" <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid,issuer
EOF
  openssl x509 -req -sha256 -days 7 -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
  # the signer of the token server's JWTs (trusted by the token registry's rootcertbundle)
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 7 -subj "/CN=kwhost test token signer" \
    -keyout "$dir/token-signer.key" -out "$dir/token-signer.crt" 2>/dev/null
}

# write_config <name> <port> <extra yaml>
write_config() {
  local name="$1" port="$2" extra="$3"
  cat >"$STATE_DIR/$name/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $STATE_DIR/$name/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: $(openssl rand -hex 16)
  headers:
    X-Content-Type-Options: [nosniff]
$extra
EOF
}

start_process() { # start_process <log> <command…>; records the pid
  local logfile="$1"; shift
  nohup "$@" </dev/null >"$logfile" 2>&1 &
  echo "$!" >>"$STATE_DIR/pids"
  echo "$!"
}

# wait_http <url> <expected status> [curl args…]
wait_http() {
  local url="$1" want="$2"; shift 2
  local code=""
  for _ in $(seq 1 150); do
    code="$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url" || true)"
    [ "$code" = "$want" ] && return 0
    sleep 0.2
  done
  die "$url answered ${code:-nothing} instead of $want; logs in $STATE_DIR"
}

make_tls
PASSWORD="$(openssl rand -hex 12)"
printf '%s:%s\n' "$USERNAME" "$(bcrypt_hash "$PASSWORD")" >"$STATE_DIR/secure/htpasswd"

PLAIN_PORT="$(free_port)"
write_config plain "$PLAIN_PORT" ""
PLAIN_PID="$(start_process "$STATE_DIR/plain/registry.log" "$REGISTRY_BIN" serve "$STATE_DIR/plain/config.yml")"

SECURE_PORT="$(free_port)"
write_config secure "$SECURE_PORT" "  tls:
    certificate: $STATE_DIR/tls/server.crt
    key: $STATE_DIR/tls/server.key
auth:
  htpasswd:
    realm: kwhost-test
    path: $STATE_DIR/secure/htpasswd"
SECURE_PID="$(start_process "$STATE_DIR/secure/registry.log" "$REGISTRY_BIN" serve "$STATE_DIR/secure/config.yml")"

TOKEN_SERVER_PORT="$(free_port)"
TOKEN_PORT="$(free_port)"
TOKEN_SERVICE="kwhost-test-registry"
TOKEN_ISSUER="kwhost-test-token-issuer"
TOKEN_SERVER_PID="$(start_process "$STATE_DIR/token/token-server.log" node "$HERE/token-server.cjs" \
  --port "$TOKEN_SERVER_PORT" --key "$STATE_DIR/tls/token-signer.key" --cert "$STATE_DIR/tls/token-signer.crt" \
  --issuer "$TOKEN_ISSUER" --service "$TOKEN_SERVICE" --username "$USERNAME" --password "$PASSWORD")"
write_config token "$TOKEN_PORT" "auth:
  token:
    realm: http://127.0.0.1:$TOKEN_SERVER_PORT/token
    service: $TOKEN_SERVICE
    issuer: $TOKEN_ISSUER
    rootcertbundle: $STATE_DIR/tls/token-signer.crt"
TOKEN_PID="$(start_process "$STATE_DIR/token/registry.log" "$REGISTRY_BIN" serve "$STATE_DIR/token/config.yml")"

wait_http "http://127.0.0.1:$PLAIN_PORT/v2/" 200
wait_http "https://127.0.0.1:$SECURE_PORT/v2/" 401 --cacert "$STATE_DIR/tls/ca.pem"
wait_http "https://127.0.0.1:$SECURE_PORT/v2/" 200 --cacert "$STATE_DIR/tls/ca.pem" -u "$USERNAME:$PASSWORD"
wait_http "http://127.0.0.1:$TOKEN_SERVER_PORT/token?scope=repository:x:pull&service=$TOKEN_SERVICE" 200
wait_http "http://127.0.0.1:$TOKEN_PORT/v2/" 401

AUTH="$(printf '%s:%s' "$USERNAME" "$PASSWORD" | base64 -w0)"
cat >"$STATE_DIR/docker-config/config.json" <<EOF
{
  "auths": {
    "127.0.0.1:$SECURE_PORT": { "auth": "$AUTH" },
    "127.0.0.1:$TOKEN_PORT": { "auth": "$AUTH" }
  }
}
EOF

cat >"$STATE_DIR/sources.yaml" <<EOF
insecure_sources:
  - "127.0.0.1:$PLAIN_PORT"
  - "127.0.0.1:$TOKEN_PORT"
source_authorities:
  "127.0.0.1:$SECURE_PORT":
    - type: Path
      path: $STATE_DIR/tls/ca.pem
EOF

cat >"$STATE_DIR/state.json" <<EOF
{
  "stateDir": "$STATE_DIR",
  "plain": { "host": "127.0.0.1:$PLAIN_PORT", "url": "http://127.0.0.1:$PLAIN_PORT", "pid": $PLAIN_PID },
  "secure": { "host": "127.0.0.1:$SECURE_PORT", "url": "https://127.0.0.1:$SECURE_PORT", "pid": $SECURE_PID },
  "token": {
    "host": "127.0.0.1:$TOKEN_PORT", "url": "http://127.0.0.1:$TOKEN_PORT", "pid": $TOKEN_PID,
    "tokenServerUrl": "http://127.0.0.1:$TOKEN_SERVER_PORT/token", "tokenServerPid": $TOKEN_SERVER_PID
  },
  "username": "$USERNAME",
  "password": "$PASSWORD",
  "caFile": "$STATE_DIR/tls/ca.pem",
  "dockerConfigDir": "$STATE_DIR/docker-config",
  "sourcesPath": "$STATE_DIR/sources.yaml"
}
EOF

cat >"$STATE_DIR/env" <<EOF
REGISTRY_STATE_DIR='$STATE_DIR'
REGISTRY_PLAIN_HOST='127.0.0.1:$PLAIN_PORT'
REGISTRY_SECURE_HOST='127.0.0.1:$SECURE_PORT'
REGISTRY_TOKEN_HOST='127.0.0.1:$TOKEN_PORT'
REGISTRY_USERNAME='$USERNAME'
REGISTRY_PASSWORD='$PASSWORD'
REGISTRY_CA_FILE='$STATE_DIR/tls/ca.pem'
REGISTRY_DOCKER_CONFIG_DIR='$STATE_DIR/docker-config'
REGISTRY_SOURCES_PATH='$STATE_DIR/sources.yaml'
EOF

# Where everything is, for a person at a terminal; test runs (stderr not a terminal) stay quiet.
if [ -t 2 ]; then
  log "plain  http://127.0.0.1:$PLAIN_PORT   secure https://127.0.0.1:$SECURE_PORT   token http://127.0.0.1:$TOKEN_PORT"
  log "state in $STATE_DIR/state.json (shell: . $STATE_DIR/env)"
fi
printf '%s\n' "$STATE_DIR/state.json"
