// Prepares the server's HTML report for a webview: a strict CSP, scripts allowed by nonce only.

/** A random nonce for the CSP (base64url, 128 bits). */
export function makeNonce(random: (size: number) => Uint8Array): string {
  return Buffer.from(random(16)).toString("base64url");
}

/** The Content-Security-Policy for the report webview. */
export function reportCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
}

const CSP_META = /<meta\s+http-equiv\s*=\s*["']?content-security-policy["']?[^>]*>/gi;

/**
 * Returns the report with any existing CSP removed, our CSP meta first in <head>, and every
 * inline <script> given the nonce (anything injected into the report without it will not run).
 */
export function prepareReportHtml(html: string, cspSource: string, nonce: string): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${reportCsp(cspSource, nonce)}">`;
  let out = html.replace(CSP_META, "");
  out = out.replace(/<script(?![^>]*\bnonce=)(\s|>)/gi, `<script nonce="${nonce}"$1`);
  if (/<head[^>]*>/i.test(out)) {
    return out.replace(/<head[^>]*>/i, (head) => `${head}\n${meta}`);
  }
  return `<!DOCTYPE html><html><head>${meta}</head><body>${out}</body></html>`;
}

export interface ReportPaths {
  html?: string;
  markdown?: string;
}

function asPath(value: unknown): string | undefined {
  if (typeof value !== "string" || !value) {
    return undefined;
  }
  return value.startsWith("file://") ? decodeURIComponent(new URL(value).pathname) : value;
}

/**
 * The HTML and Markdown paths in what `deepReview.generateReport` returned: a list of paths, or
 * an object keyed by format (`html`, `md`/`markdown`), possibly under `paths`.
 */
export function pickReportPaths(result: unknown): ReportPaths {
  const found: ReportPaths = {};
  const consider = (value: unknown, key?: string): void => {
    const file = asPath(value);
    if (!file) {
      return;
    }
    if ((key === "html" || file.endsWith(".html")) && !found.html) {
      found.html = file;
    } else if ((key === "md" || key === "markdown" || file.endsWith(".md")) && !found.markdown) {
      found.markdown = file;
    }
  };
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach((item) => {
        consider(item);
      });
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (key === "paths") {
          walk(item);
        } else {
          consider(item, key);
        }
      }
    }
  };
  walk(result);
  return found;
}
