import { createRequire } from 'node:module';

/**
 * express-openapi-validator matches each request by compiling `pathToRegexp` for every route of the contract,
 * per request (openapi.metadata.js `lookupRoute`). With ~100 routes that compilation dominated the cost of a
 * request (it capped GET /health near 1.5k req/s on this machine). The compiled result depends only on the route
 * and its options and is used read-only (`regexp.exec` without the `g` flag), so it is memoized here, once, on the
 * exact module instance the validator resolves.
 */
export function memoizeValidatorRouteCompilation(): void {
  const requireFromValidator = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
  const ptr = requireFromValidator('path-to-regexp') as {
    pathToRegexp: ((path: string, options?: { sensitive?: boolean; strict?: boolean; end?: boolean }) => unknown) & { memoized?: true };
  };
  if (ptr.pathToRegexp.memoized) return;
  const compile = ptr.pathToRegexp;
  const cache = new Map<string, unknown>();
  const memoized = Object.assign(
    (path: string, options?: { sensitive?: boolean; strict?: boolean; end?: boolean }) => {
      if (typeof path !== 'string') return compile(path, options);
      const key = `${options?.sensitive ? 1 : 0}${options?.strict ? 1 : 0}${options?.end === false ? 0 : 1}${path}`;
      let compiled = cache.get(key);
      if (compiled === undefined) {
        compiled = compile(path, options);
        cache.set(key, compiled);
      }
      return compiled;
    },
    { memoized: true as const },
  );
  ptr.pathToRegexp = memoized;
}
