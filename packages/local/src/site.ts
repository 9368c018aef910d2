/**
 * Serves the built public site (packages/site/dist) at `/` of the local runtime. index.html is
 * served with the pinned trust configuration written into it from this runtime's own log key
 * (in AWS the CDK deploy writes the deployed key the same way), so the page never learns the key
 * it checks against from the API it checks.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalRoute } from './http-adapter.js';

/** packages/site/dist, beside this package in the workspace. */
export const DEFAULT_SITE_DIR = fileURLToPath(new URL('../../site/dist/', import.meta.url));

export const SITE_CONFIG_MARKER = '<!--cbm-site-config-->';

export interface PinnedSiteConfig {
  readonly origin: string;
  readonly logVkey: string;
  readonly witnessQuorum: number;
  readonly witnesses?: readonly { vkey: string }[];
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

// Same origin only: no third-party script, style, font, image or connection can load.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The index page with the configuration in a non-executable JSON script element. */
export function pinConfig(indexHtml: string, config: PinnedSiteConfig): string {
  // `<` escaped so no value can close the element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return indexHtml.replace(
    SITE_CONFIG_MARKER,
    `<script id="cbm-site-config" type="application/json">${json}</script>`,
  );
}

export function createSiteRoute(siteDir: string, config: PinnedSiteConfig): LocalRoute {
  const root = normalize(siteDir.endsWith(sep) ? siteDir : siteDir + sep);
  const send = (
    res: ServerResponse,
    status: number,
    type: string,
    body: Buffer | string,
    cache: string,
  ): void => {
    res.statusCode = status;
    res.setHeader('content-type', type);
    res.setHeader('cache-control', cache);
    res.setHeader('content-security-policy', CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.end(body);
  };
  return {
    prefix: '/',
    matches: (path) => path === '/' || path === '/index.html' || path.startsWith('/assets/'),
    async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
      req.resume();
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', 'no-store');
      }
      const isIndex = url.pathname === '/' || url.pathname === '/index.html';
      const file = normalize(join(root, isIndex ? 'index.html' : url.pathname));
      if (!file.startsWith(root))
        return send(res, 404, 'text/plain; charset=utf-8', 'not found\n', 'no-store');
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch {
        if (isIndex)
          return send(
            res,
            503,
            'text/plain; charset=utf-8',
            'The public site is not built: run `npm run build -w @cbm-ledger/site` (npm start does).\n',
            'no-store',
          );
        return send(res, 404, 'text/plain; charset=utf-8', 'not found\n', 'no-store');
      }
      if (isIndex)
        return send(
          res,
          200,
          TYPES['.html']!,
          pinConfig(bytes.toString('utf8'), config),
          'no-cache',
        );
      // Asset names carry their content hash (Vite), so they never change.
      send(
        res,
        200,
        TYPES[extname(file)] ?? 'application/octet-stream',
        bytes,
        'public, max-age=31536000, immutable',
      );
    },
  };
}
