// HTTP(S) for the registry client, on node:http/node:https so that TLS can use extra CA
// certificates or skip verification (global fetch cannot without the undici package).
// Behaves like the reqwest client oci-client builds: redirects followed (at most 10, the
// Authorization header dropped when the origin changes), and transport failures reported as
// reqwest reports them: "error sending request for url (<url>)" with the cause chain.

import * as http from "node:http";
import * as https from "node:https";
import * as tls from "node:tls";
import { createHash } from "node:crypto";
import { ChainError } from "./errors";

/** How an https:// connection verifies the server. */
export type TlsVerification =
  | { readonly mode: "system" }
  /** the system roots plus these PEM certificates (reqwest's extra root certificates) */
  | { readonly mode: "custom"; readonly ca: readonly string[] }
  | { readonly mode: "none" };

export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  readonly tls?: TlsVerification;
  /** default true */
  readonly followRedirects?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** the final URL, after redirects */
  readonly url: string;
}

export interface HttpTransportOptions {
  /** idle socket timeout per request; default 30 s */
  readonly timeoutMs?: number;
  /** largest response body accepted; default 64 MiB */
  readonly maxBodyBytes?: number;
  /** called for every request sent, redirects included */
  readonly onRequest?: (method: string, url: string) => void;
  /** called for every request a server answered (any status), redirects included */
  readonly onResponse?: (method: string, url: string, status: number) => void;
  /** sent unless the request has its own User-Agent */
  readonly userAgent?: string;
}

const MAX_REDIRECTS = 10;
const TIMED_OUT = "operation timed out";

const CERTIFICATE_ERRORS = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** The source chain below hyper's error for a Node socket/TLS error, worded like Rust's. */
function describeSocketError(err: Error): string[] {
  const code = (err as NodeJS.ErrnoException).code ?? "";
  const message = err.message.trim();
  if (code === "ECONNREFUSED") return ["tcp connect error", "Connection refused (os error 111)"];
  if (code === "ECONNRESET") return ["connection error", "Connection reset by peer (os error 104)"];
  if (code === "EHOSTUNREACH") return ["tcp connect error", "No route to host (os error 113)"];
  if (code === "ENETUNREACH") return ["tcp connect error", "Network is unreachable (os error 101)"];
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return ["dns error", "failed to lookup address information: Name or service not known"];
  }
  if (CERTIFICATE_ERRORS.has(code)) return [`invalid peer certificate: ${message}`];
  if (/wrong version number|packet length too long|http request/i.test(message)) {
    return ["received corrupt message of type InvalidContentType"];
  }
  return [message];
}
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export class HttpTransport {
  private readonly agents = new Map<string, http.Agent>();
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;

  constructor(private readonly options: HttpTransportOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    let method = request.method;
    let url = request.url;
    let body = request.body;
    const headers: Record<string, string> = { ...(request.headers ?? {}) };
    for (let hop = 0; ; hop++) {
      const response = await this.send(method, url, headers, body, request.tls ?? { mode: "system" });
      const location = response.headers.location;
      if (request.followRedirects === false || !REDIRECT_STATUSES.has(response.status) || location === undefined) {
        return response;
      }
      if (hop >= MAX_REDIRECTS) {
        throw new ChainError(`error following redirect for url (${url})`, ["too many redirects"]);
      }
      const next = new URL(location, url);
      if (next.protocol !== "http:" && next.protocol !== "https:") {
        throw new ChainError(`error following redirect for url (${url})`, [`URL scheme is not allowed`]);
      }
      if (next.origin !== new URL(url).origin) {
        for (const name of Object.keys(headers)) if (name.toLowerCase() === "authorization") delete headers[name];
      }
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method !== "GET" && method !== "HEAD")) {
        method = "GET";
        body = undefined;
      }
      url = next.toString();
    }
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private agentFor(protocol: string, verification: TlsVerification): http.Agent {
    const key =
      protocol === "http:"
        ? "http"
        : verification.mode === "custom"
          ? `https-custom-${createHash("sha256").update(verification.ca.join("\n")).digest("hex")}`
          : `https-${verification.mode}`;
    let agent = this.agents.get(key);
    if (agent === undefined) {
      if (protocol === "http:") {
        agent = new http.Agent({ keepAlive: true });
      } else if (verification.mode === "none") {
        agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
      } else if (verification.mode === "custom") {
        agent = new https.Agent({ keepAlive: true, ca: [...tls.rootCertificates, ...verification.ca] });
      } else {
        agent = new https.Agent({ keepAlive: true });
      }
      this.agents.set(key, agent);
    }
    return agent;
  }

  private send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
    verification: TlsVerification,
  ): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        reject(new ChainError(`builder error for url (${url})`, ["relative URL without a base"]));
        return;
      }
      this.options.onRequest?.(method, url);
      const sendError = (err: Error, connected: boolean): ChainError => {
        if (err.message === TIMED_OUT) return new ChainError(`error sending request for url (${url})`, [TIMED_OUT]);
        const cause = connected ? "client error (SendRequest)" : "client error (Connect)";
        return new ChainError(`error sending request for url (${url})`, [cause, ...describeSocketError(err)]);
      };
      const module = target.protocol === "http:" ? http : https;
      const requestHeaders: Record<string, string> = { ...headers };
      if (this.options.userAgent !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "user-agent")) {
        requestHeaders["User-Agent"] = this.options.userAgent;
      }
      if (body !== undefined) requestHeaders["Content-Length"] = String(body.byteLength);
      let connected = false;
      const req = module.request(target, { method, headers: requestHeaders, agent: this.agentFor(target.protocol, verification) });
      req.on("socket", (socket) => {
        // A reused keep-alive socket is already connected.
        if (!socket.connecting) {
          connected = true;
          return;
        }
        socket.once(target.protocol === "http:" ? "connect" : "secureConnect", () => {
          connected = true;
        });
      });
      req.setTimeout(this.timeoutMs, () => {
        req.destroy(new Error(TIMED_OUT));
      });
      req.on("error", (err) => reject(sendError(err, connected)));
      req.on("response", (res) => {
        this.options.onResponse?.(method, url, res.statusCode ?? 0);
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBodyBytes) {
            res.destroy(new Error(`response body larger than ${this.maxBodyBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("error", (err) => reject(new ChainError("error decoding response body", [err.message])));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url });
        });
      });
      req.end(body === undefined ? undefined : Buffer.from(body));
    });
  }
}

/** A header's single value (the first one when repeated). */
export function headerValue(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The reason phrase Rust's http crate prints after a status code ("404 Not Found"). */
export function statusText(status: number): string {
  const reason = http.STATUS_CODES[status];
  return reason === undefined ? `${status} <unknown status code>` : `${status} ${reason}`;
}
