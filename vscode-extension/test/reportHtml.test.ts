import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeNonce, pickReportPaths, prepareReportHtml, reportCsp } from "../src/reportHtml";

const SOURCE = "https://file+.vscode-resource.vscode-cdn.net";

describe("prepareReportHtml", () => {
  it("puts a strict CSP first in <head> and nonces the inline scripts", () => {
    const html = '<!doctype html><html><head><title>R</title></head><body><script>filter()</script><script type="module">x()</script></body></html>';
    const out = prepareReportHtml(html, SOURCE, "N0NCE");
    assert.match(out, /<head>\n<meta http-equiv="Content-Security-Policy" content="default-src 'none'; [^"]*script-src 'nonce-N0NCE'">/);
    assert.equal((out.match(/<script nonce="N0NCE"/g) ?? []).length, 2);
  });

  it("removes a CSP the report brought along", () => {
    const html = '<html><head><meta http-equiv="Content-Security-Policy" content="script-src *"></head><body></body></html>';
    const out = prepareReportHtml(html, SOURCE, "n");
    assert.doesNotMatch(out, /script-src \*/);
    assert.equal((out.match(/Content-Security-Policy/g) ?? []).length, 1);
  });

  it("wraps a fragment without <head>", () => {
    const out = prepareReportHtml("<p>hi</p>", SOURCE, "n");
    assert.match(out, /^<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy"/);
    assert.match(out, /<body><p>hi<\/p><\/body>/);
  });

  it("allows no remote sources", () => {
    const csp = reportCsp(SOURCE, "n");
    assert.match(csp, /^default-src 'none'/);
    assert.doesNotMatch(csp, /https?:\/\/(?!file\+)/);
    assert.doesNotMatch(csp, /unsafe-eval/);
  });
});

describe("makeNonce", () => {
  it("encodes 16 random bytes as base64url", () => {
    const nonce = makeNonce((size) => new Uint8Array(size).fill(255));
    assert.equal(nonce, "_____________________w");
  });
});

describe("pickReportPaths", () => {
  it("reads an object keyed by format", () => {
    assert.deepEqual(pickReportPaths({ html: "/r/a.html", md: "/r/a.md", json: "/r/a.json" }), {
      html: "/r/a.html",
      markdown: "/r/a.md",
    });
  });

  it("reads a list of paths and file URIs", () => {
    assert.deepEqual(pickReportPaths(["file:///r/my%20report.html", "/r/a.md"]), {
      html: "/r/my report.html",
      markdown: "/r/a.md",
    });
  });

  it("reads paths nested under `paths`", () => {
    assert.deepEqual(pickReportPaths({ paths: { markdown: "/r/x.md" } }), { markdown: "/r/x.md" });
  });

  it("finds nothing in nothing", () => {
    assert.deepEqual(pickReportPaths(null), {});
    assert.deepEqual(pickReportPaths("no review yet"), {});
  });
});
