/**
 * The path and query of a request URL without `new URL()`, which costs a few
 * microseconds on every request (the access log, auth and the /api route each
 * needed it). A Request's `url` is always WHATWG-serialized already (Bun
 * normalizes dot segments, backslashes and escapes before we see it), so the
 * parts are plain slices: the same strings `URL.pathname` and `URL.search`
 * give, raw (percent escapes kept), fragment dropped.
 * @module
 */

export interface PathAndQuery {
  /** As `URL.pathname`: percent escapes kept. */
  pathname: string;
  /** As `URL.search`: "" or "?…" (a bare "?" is ""). */
  search: string;
}

export function pathAndQuery(url: string): PathAndQuery {
  const scheme = url.indexOf("://");
  const start = scheme < 0 ? -1 : url.indexOf("/", scheme + 3);
  if (start < 0) {
    const parsed = new URL(url);
    return { pathname: parsed.pathname, search: parsed.search };
  }
  const hash = url.indexOf("#", start);
  const end = hash < 0 ? url.length : hash;
  const query = url.indexOf("?", start);
  if (query < 0 || query >= end) return { pathname: url.slice(start, end), search: "" };
  return { pathname: url.slice(start, query), search: query + 1 === end ? "" : url.slice(query, end) };
}

/** As `new URL(url).pathname`. */
export function rawPathname(url: string): string {
  return pathAndQuery(url).pathname;
}

/**
 * An HTTP/1.0 request without a Host header (a load balancer's health check
 * sends exactly that) reaches the handler with a bare path as its url, which
 * Hono's router and `new URL()` cannot place: it gets the host "localhost".
 */
export function withAbsoluteUrl(request: Request): Request {
  return request.url.charCodeAt(0) === 47 /* "/" */ ? new Request(`http://localhost${request.url}`, request) : request;
}
