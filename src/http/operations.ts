import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The bundled contract (generated/openapi.json): the one artifact behind the validator, the types and the docs. */
export const BUNDLE_PATH = path.resolve(import.meta.dirname, '../../generated/openapi.json');

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface OperationInfo {
  operationId: string;
  method: string;
  /** Full path as served, e.g. `/api/v1/users/{userId}` or `/health`. */
  path: string;
  /** Alternatives; each lists the permission keys that must all be held. Empty array: public. */
  security: string[][];
  /** Authentication is optional: an anonymous alternative (`{}`) stands beside bearer auth (e.g. logout). */
  optionalAuth: boolean;
  hasJsonBody: boolean;
  idempotent: boolean;
  /**
   * `x-denied-audit` of the operation: a caller refused by the route permission key (403) is audited with this
   * action (04 §4.6 denied rows, e.g. `attendance.correction_resolve_denied`), the entity id taken from `pathParam`.
   */
  deniedAudit?: { action: string; entityType: string; pathParam: string } | null;
}

export function loadBundledSpec(): Json {
  return JSON.parse(readFileSync(BUNDLE_PATH, 'utf8')) as Json;
}

/**
 * The validator only knows the root `servers`; our platform routes declare their own (`servers: [{url: /}]`).
 * The runtime copy therefore has one server `/` and every path prefixed with its effective server.
 */
export function toRuntimeSpec(spec: Json): Json {
  const rootBase = String(spec.servers?.[0]?.url ?? '/').replace(/\/$/, '');
  const paths: Json = {};
  for (const [p, item] of Object.entries<Json>(spec.paths)) {
    const { servers, ...rest } = item;
    const base = servers?.[0]?.url !== undefined ? String(servers[0].url).replace(/\/$/, '') : rootBase;
    paths[`${base}${p}` || '/'] = rest;
  }
  return { ...spec, servers: [{ url: '/' }], paths };
}

export function listOperations(runtimeSpec: Json): OperationInfo[] {
  const ops: OperationInfo[] = [];
  for (const [p, item] of Object.entries<Json>(runtimeSpec.paths)) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const security = (op.security ?? runtimeSpec.security ?? []) as Record<string, string[]>[];
      ops.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path: p,
        security: security.filter((s) => Object.keys(s).length > 0).map((s) => Object.values(s).flat()),
        optionalAuth: security.length > 1 && security.some((s) => Object.keys(s).length === 0),
        hasJsonBody: Boolean(op.requestBody?.content?.['application/json']),
        idempotent: ((op.parameters ?? []) as Json[]).some((prm) => prm.$ref === '#/components/parameters/IdempotencyKey' || prm.name === 'Idempotency-Key'),
        deniedAudit: op['x-denied-audit'] ? { ...(op['x-denied-audit'] as { action: string; entityType: string; pathParam: string }) } : null,
      });
    }
  }
  return ops;
}

/** Compiled once: path template → regex, for the 404/405/415 checks that precede body parsing. */
export class RouteTable {
  readonly #routes: { regex: RegExp; methods: Map<string, OperationInfo> }[] = [];

  constructor(operations: OperationInfo[]) {
    const byPath = new Map<string, Map<string, OperationInfo>>();
    for (const op of operations) {
      const methods = byPath.get(op.path) ?? new Map<string, OperationInfo>();
      methods.set(op.method, op);
      byPath.set(op.path, methods);
    }
    // Static segments before parameters, as the validator orders them (`/users/me` before `/users/{userId}`).
    // Code-point order: '~' (0x7E) sorts after every path character. `localeCompare` put it *before* letters.
    const key = (p: string) => p.replace(/\{/g, '~');
    const sorted = [...byPath.entries()].sort(([a], [b]) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    for (const [p, methods] of sorted) {
      const pattern = p.split('/').map((seg) => (seg.startsWith('{') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
      this.#routes.push({ regex: new RegExp(`^${pattern}/?$`), methods });
    }
  }

  /** The operation for a path and method; `allow` lists the methods when only the path matched. */
  match(pathname: string, method: string): { operation?: OperationInfo; allow?: string[] } {
    for (const route of this.#routes) {
      if (!route.regex.test(pathname)) continue;
      const operation = route.methods.get(method) ?? (method === 'HEAD' ? route.methods.get('GET') : undefined);
      if (operation) return { operation };
      return { allow: [...route.methods.keys()] };
    }
    return {};
  }
}
