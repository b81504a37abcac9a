import { describe, expect, test } from "bun:test";
import { pathAndQuery } from "../../src/http/url.ts";

const raw = [
  "http://localhost/api/ping",
  "http://localhost/api/ping?data=%7B%7D",
  "http://localhost/api/ping?",
  "http://localhost/api/ping?#",
  "http://localhost/api/ping#frag?x",
  "http://localhost/api/ping?a=b?c#d",
  "http://localhost",
  "http://localhost?x=1",
  "http://127.0.0.1:8082/api/../api/task%5Flist?x",
  "http://[::1]:8082/api/./get_work",
  "http://localhost/api\\ping",
  "http://localhost//api//ping",
  "http://localhost/api/p\u00e9?q=\u00e9",
  "http://localhost/api/%zz",
  "http://user:pw@localhost:1/a/b?c=d",
  "http://localhost/%2e%2e/api",
];

describe("pathAndQuery", () => {
  test.each(raw)("matches URL.pathname and URL.search for the Request url of %p", (text) => {
    const url = new Request(text).url;
    const parsed = new URL(url);
    expect(pathAndQuery(url)).toEqual({ pathname: parsed.pathname, search: parsed.search });
  });
});
