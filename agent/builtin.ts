// Node built-ins loaded at their first use, not at start-up: the HTTP, HTTPS, TLS and zlib modules
// cost ~4 MB of a service's memory once loaded (their JavaScript runs and stays on the heap),
// and most stations use none of them (no HTTP platform, no TLS, the web page and the metrics
// listener off). Synchronous, so a constructor or a connect() can call it; the module is loaded
// once and then cached by Node.
import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

export const lazyHttp = (): typeof import("node:http") => load("node:http");
export const lazyHttps = (): typeof import("node:https") => load("node:https");
export const lazyTls = (): typeof import("node:tls") => load("node:tls");
export const lazyZlib = (): typeof import("node:zlib") => load("node:zlib");
