import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A static file the dashboard serves. */
export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

const require = createRequire(import.meta.url);
// src/serve/dashboard and dist/serve/dashboard are both three levels below the package root.
const own = (name: string): string => fileURLToPath(new URL(`../../../assets/dashboard/${name}`, import.meta.url));

/** Asset name → file on disk and media type. uPlot comes from node_modules, never a CDN. */
const FILES: Readonly<Record<string, { readonly path: () => string; readonly type: string }>> = {
  'app.js': { path: () => own('app.js'), type: 'text/javascript; charset=utf-8' },
  'app.css': { path: () => own('app.css'), type: 'text/css; charset=utf-8' },
  'uPlot.iife.min.js': { path: () => require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { path: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

const cache = new Map<string, Promise<Asset>>();

/**
 * The asset called `name`, read once and kept (they are a few tens of KiB), or undefined
 * when the dashboard has no such file.
 *
 * @example
 * (await dashboardAsset('uPlot.iife.min.js'))?.type // 'text/javascript; charset=utf-8'
 */
export function dashboardAsset(name: string): Promise<Asset> | undefined {
  const file = FILES[name];
  if (file === undefined) return undefined;
  let asset = cache.get(name);
  if (asset === undefined) {
    asset = readFile(file.path()).then((body) => ({ body, type: file.type }));
    // A failed read is not cached: the next request tries again.
    asset.catch(() => cache.delete(name));
    cache.set(name, asset);
  }
  return asset;
}
