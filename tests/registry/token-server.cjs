#!/usr/bin/env node
// A minimal Docker registry token server (distribution's "token" auth), for tests on 127.0.0.1.
// It issues RS256 JWTs with an x5c header; the registry trusts the signing certificate through
// its `rootcertbundle`.
//
// Policy: anonymous clients get `pull` on every repository except those under "private/";
// clients presenting the configured Basic credentials get `pull,push` on everything; wrong
// credentials get 401.
//
// Usage: node token-server.cjs --port P --key signer.key --cert signer.crt --issuer I
//                              --service S --username U --password W
"use strict";

const http = require("node:http");
const crypto = require("node:crypto");
const fs = require("node:fs");

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, "")] = argv[i + 1];
  for (const key of ["port", "key", "cert", "issuer", "service", "username", "password"]) {
    if (out[key] === undefined) throw new Error(`missing --${key}`);
  }
  return out;
}

const options = args();
const key = crypto.createPrivateKey(fs.readFileSync(options.key));
const certDer = new crypto.X509Certificate(fs.readFileSync(options.cert)).raw;

const b64url = (buf) => Buffer.from(buf).toString("base64url");

function sign(claims) {
  const header = { typ: "JWT", alg: "RS256", x5c: [certDer.toString("base64")] };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = crypto.sign("sha256", Buffer.from(input), key);
  return `${input}.${b64url(signature)}`;
}

function credentials(req) {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Basic\s+(.+)$/i.exec(header);
  if (match === null) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function parseScope(scope) {
  // repository:<name>:<actions>   (the name may contain ":" only for a registry port, never here)
  const parts = scope.split(":");
  if (parts.length < 3) return undefined;
  return { type: parts[0], name: parts.slice(1, -1).join(":"), actions: parts[parts.length - 1].split(",").filter(Boolean) };
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  if (url.pathname !== "/token") {
    res.writeHead(404).end();
    return;
  }
  const creds = credentials(req);
  const authenticated = creds !== undefined && creds !== null && creds.username === options.username && creds.password === options.password;
  if (creds !== undefined && !authenticated) {
    res.writeHead(401, { "Content-Type": "application/json" }).end(JSON.stringify({ details: "invalid username or password" }));
    return;
  }
  const access = [];
  for (const scope of url.searchParams.getAll("scope")) {
    const parsed = parseScope(scope);
    if (parsed === undefined || parsed.type !== "repository") continue;
    const allowed = authenticated ? ["pull", "push"] : parsed.name.startsWith("private/") ? [] : ["pull"];
    const actions = parsed.actions.filter((a) => allowed.includes(a));
    if (actions.length > 0) access.push({ type: "repository", name: parsed.name, actions });
  }
  const now = Math.floor(Date.now() / 1000);
  const token = sign({
    iss: options.issuer,
    sub: authenticated ? options.username : "",
    aud: url.searchParams.get("service") ?? options.service,
    exp: now + 300,
    nbf: now - 10,
    iat: now,
    jti: crypto.randomUUID(),
    access,
  });
  res
    .writeHead(200, { "Content-Type": "application/json" })
    .end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date(now * 1000).toISOString() }));
});

server.listen(Number(options.port), "127.0.0.1", () => {
  process.stdout.write(`token server listening on 127.0.0.1:${options.port}\n`);
});
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
