/**
 * The /api route reads urlencoded bodies with decodeURIComponent or
 * URLSearchParams instead of FormData (the per-request fast path): all must
 * decode every body alike.
 */
import { describe, expect, test } from "bun:test";
import { dataField } from "../../src/http/api.ts";
import { createTestApp } from "../support/app.ts";

const bodies: Array<string | Uint8Array<ArrayBuffer>> = [
  "data=%7B%7D",
  "data=a+b%20c&data=2",
  "x=1",
  "data",
  "data=",
  "=&data=%zz%",
  "data=%FF%FE",
  new Uint8Array([0x64, 0x61, 0x74, 0x61, 0x3d, 0xc3, 0xa9, 0xff, 0x41]),
  "data=%E2%82&data=%C3%A9;x",
  "a=1&&data=%00x",
  "%64ata=%7B%7D",
  "data=\u00e9\u4e2d",
  "data%5B%5D=1&data=2",
  // One data field, as Luigi's client sends it: the decodeURIComponent path and its fallbacks.
  `data=${encodeURIComponent('{"task_id": "A(x=1, y=\u00e9 \u4e2d)", "deps": ["+%&="]}')}`,
  "data=a+b+%2B+c",
  "data=100%",
  "data=%G1x",
  "data=%C3",
  "data=%ED%A0%80",
  "data=x;y=1",
  "data==",
];

describe("urlencoded bodies", () => {
  test.each(bodies)("URLSearchParams and dataField find the same data values as FormData in %p", async (body) => {
    const form = await new Response(body, { headers: { "Content-Type": "application/x-www-form-urlencoded" } }).formData();
    const params = new URLSearchParams(await new Response(body).text());
    expect(params.getAll("data")).toEqual(form.getAll("data") as string[]);
    expect(dataField(await new Response(body).text())).toEqual(form.getAll("data").at(-1) as string | undefined);
  });

  const t = createTestApp();
  const forgive = (body: string) =>
    t.app.request("/api/forgive_failures", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8" }, body });

  test("a percent-encoded field name is still data", async () => {
    const response = await forgive(`%64ata=${encodeURIComponent('{"task_id":"enc"}')}`);
    expect(await response.json()).toEqual({ response: { task_id: "enc", status: null } });
  });

  test("a body without data falls back to the query string's", async () => {
    const response = await t.app.request(`/api/forgive_failures?data=${encodeURIComponent('{"task_id":"q"}')}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "other=1",
    });
    expect(await response.json()).toEqual({ response: { task_id: "q", status: null } });
  });

  test("a data value that is not JSON is a 400 with a reason", async () => {
    const response = await forgive("data=%7Boops");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("BAD_REQUEST");
  });
});
