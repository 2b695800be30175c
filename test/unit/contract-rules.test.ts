/**
 * Rules every operation of the bundled contract (generated/openapi.json) must follow (00, 05 §11), and the
 * handler registry ↔ contract parity that stops startup when broken.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { assertRegistryMatchesContract, createHandlers, createServices } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createDbPool, type Db } from '../../src/db/pool.ts';
import { BUNDLE_PATH, listOperations, loadBundledSpec, toRuntimeSpec, type OperationInfo } from '../../src/http/operations.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { TEST_SECRET, testEnv } from '../helpers/harness.ts';

type Json = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const ENVELOPE_REF = '#/components/schemas/ErrorEnvelope';
const CAMEL = /^[a-z][a-zA-Z0-9]*$/;

function types(schema: Json): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return typeof schema.type === 'string' ? [schema.type] : [];
}

const isObjectSchema = (schema: Json) => types(schema).includes('object') || (schema.type === undefined && schema.properties !== undefined);
const isStringBounded = (s: Json) => s.maxLength !== undefined || s.enum !== undefined || s.const !== undefined || s.format !== undefined;

interface Operation {
  where: string;
  op: Json;
  params: Json[];
}

/** The rules of 00 and 05 §11 as checks over one bundled document; each returns the list of violations. */
function contractRules(spec: Json) {
  /** Follows local `$ref`s (`#/components/...`) to their target. */
  function deref(node: Json | undefined): Json | undefined {
    let current = node;
    const seen = new Set<string>();
    while (current && typeof current.$ref === 'string') {
      const ref: string = current.$ref;
      if (!ref.startsWith('#/')) throw new Error(`only local $refs in the bundle: ${ref}`);
      if (seen.has(ref)) throw new Error(`$ref cycle at ${ref}`);
      seen.add(ref);
      current = ref
        .slice(2)
        .split('/')
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<Json | undefined>((acc, key) => acc?.[key], spec);
    }
    return current;
  }

  /** Every schema reachable from `root` (each visited once), with a readable location. */
  function walkSchemas(root: Json | undefined, where: string, visit: (schema: Json, at: string) => void, seen = new Set<Json>()): void {
    const schema = deref(root);
    if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
    seen.add(schema);
    visit(schema, where);
    for (const [name, sub] of Object.entries<Json>(schema.properties ?? {})) walkSchemas(sub, `${where}.${name}`, visit, seen);
    if (schema.items) walkSchemas(schema.items, `${where}[]`, visit, seen);
    for (const sub of schema.prefixItems ?? []) walkSchemas(sub, `${where}[n]`, visit, seen);
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') walkSchemas(schema.additionalProperties, `${where}{}`, visit, seen);
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
      (schema[key] ?? []).forEach((sub: Json, i: number) => walkSchemas(sub, `${where}/${key}[${i}]`, visit, seen));
    }
    if (schema.not) walkSchemas(schema.not, `${where}/not`, visit, seen);
  }

  const operations: Operation[] = [];
  for (const [p, item] of Object.entries<Json>(spec.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((prm: Json) => deref(prm)!);
      operations.push({ where: `${method.toUpperCase()} ${p}`, op, params });
    }
  }

  return {
    deref,
    operations,

    operationIdsSummariesTags(): string[] {
      const declared = new Set(((spec.tags ?? []) as Json[]).map((t) => t.name as string));
      const problems: string[] = [];
      const ids = new Map<string, string>();
      for (const { where, op } of operations) {
        const id = op.operationId;
        if (typeof id !== 'string' || !CAMEL.test(id)) problems.push(`${where}: operationId ${String(id)} is not camelCase`);
        else if (ids.has(id)) problems.push(`${where}: operationId ${id} also used by ${ids.get(id)}`);
        else ids.set(id, where);
        if (typeof op.summary !== 'string' || op.summary.trim() === '') problems.push(`${where}: no summary`);
        if (!Array.isArray(op.tags) || op.tags.length !== 1) problems.push(`${where}: needs exactly one tag, has ${JSON.stringify(op.tags)}`);
        else if (!declared.has(op.tags[0])) problems.push(`${where}: tag ${op.tags[0]} is not declared`);
      }
      return problems;
    },

    errorResponsesUseEnvelope(): string[] {
      const problems: string[] = [];
      const envelopeError = JSON.stringify(deref(deref({ $ref: ENVELOPE_REF })?.properties?.error));
      for (const { where, op } of operations) {
        const statuses = Object.keys(op.responses ?? {});
        if (!statuses.some((s) => /^4/.test(s))) problems.push(`${where}: no 4xx response`);
        for (const [status, raw] of Object.entries<Json>(op.responses ?? {})) {
          if (!/^[45]/.test(status)) continue;
          const content = (deref(raw)?.content ?? {}) as Json;
          const schema = content['application/json']?.schema as Json | undefined;
          const others = Object.keys(content).filter((type) => type !== 'application/json');
          if (others.length > 0) problems.push(`${where} ${status}: extra media types ${others.join(', ')}`);
          // getReadiness's 503 is `{status:"not_ready", error}` (05 §10): the envelope's `error` object plus `status`.
          if (status === '503' && op.operationId === 'getReadiness') {
            if (JSON.stringify(deref(deref(schema)?.properties?.error)) !== envelopeError) problems.push(`${where} 503: error is not the envelope's error object`);
            continue;
          }
          if (schema?.$ref !== ENVELOPE_REF) problems.push(`${where} ${status}: not the ErrorEnvelope`);
        }
      }
      return problems;
    },

    requestBodiesClosed(): string[] {
      const problems: string[] = [];
      for (const { where, op } of operations) {
        for (const [type, media] of Object.entries<Json>(deref(op.requestBody)?.content ?? {})) {
          walkSchemas(media.schema, `${where} body(${type})`, (schema, at) => {
            if (isObjectSchema(schema) && schema.additionalProperties !== false) problems.push(`${at}: additionalProperties is not false`);
          });
        }
      }
      return problems;
    },

    stringsBounded(): string[] {
      const problems: string[] = [];
      const check = (schema: Json, at: string) => {
        if (types(schema).includes('string') && !isStringBounded(schema)) problems.push(`${at}: unbounded string`);
      };
      for (const [name, schema] of Object.entries<Json>(spec.components?.schemas ?? {})) walkSchemas(schema, `#/components/schemas/${name}`, check);
      for (const { where, op, params } of operations) {
        for (const prm of params) walkSchemas(prm.schema, `${where} ${prm.in}.${prm.name}`, check);
        for (const [type, media] of Object.entries<Json>(deref(op.requestBody)?.content ?? {})) walkSchemas(media.schema, `${where} body(${type})`, check);
        for (const [status, raw] of Object.entries<Json>(op.responses ?? {})) {
          const response = deref(raw) ?? {};
          for (const [type, media] of Object.entries<Json>(response.content ?? {})) walkSchemas(media.schema, `${where} ${status}(${type})`, check);
          for (const [header, h] of Object.entries<Json>(response.headers ?? {})) walkSchemas(deref(h)?.schema, `${where} ${status} header ${header}`, check);
        }
      }
      return problems;
    },

    pathSegmentsKebabCase(): string[] {
      const problems: string[] = [];
      for (const p of Object.keys(spec.paths ?? {})) {
        for (const segment of p.split('/').filter(Boolean)) {
          const param = /^\{(.+)\}$/.exec(segment);
          if (param) {
            if (!CAMEL.test(param[1]!)) problems.push(`${p}: parameter {${param[1]}} is not camelCase`);
            else if (param[1] === 'id') problems.push(`${p}: bare {id}; name it {<thing>Id}`);
            continue;
          }
          // `openapi.json` is the one file-like segment the spec itself names (GET /api/v1/openapi.json).
          if (p === '/openapi.json') continue;
          if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(segment)) problems.push(`${p}: segment "${segment}" is not kebab-case`);
        }
      }
      return problems;
    },

    queryParametersBounded(): string[] {
      const problems: string[] = [];
      for (const { where, params } of operations) {
        for (const prm of params.filter((x) => x.in === 'query')) {
          const at = `${where} query.${prm.name}`;
          if (!CAMEL.test(prm.name)) problems.push(`${at}: name is not camelCase`);
          if (!prm.schema) problems.push(`${at}: no schema`);
          walkSchemas(prm.schema, at, (schema, loc) => {
            const t = types(schema);
            const enumerated = schema.enum !== undefined || schema.const !== undefined;
            if (t.includes('integer') || t.includes('number')) {
              const hasMin = schema.minimum !== undefined || schema.exclusiveMinimum !== undefined;
              const hasMax = schema.maximum !== undefined || schema.exclusiveMaximum !== undefined;
              if (!enumerated && (!hasMin || !hasMax)) problems.push(`${loc}: number without minimum and maximum`);
            }
            if (t.includes('string') && !isStringBounded(schema)) problems.push(`${loc}: unbounded string`);
            if (t.includes('array') && schema.maxItems === undefined) problems.push(`${loc}: array without maxItems`);
            if (t.includes('object')) problems.push(`${loc}: object-valued query parameter`);
            if (t.length === 0 && !enumerated && !schema.anyOf && !schema.oneOf && !schema.allOf) problems.push(`${loc}: no type`);
          });
        }
      }
      return problems;
    },
  };
}

const spec = JSON.parse(readFileSync(BUNDLE_PATH, 'utf8')) as Json;
const rules = contractRules(spec);

describe('contract rules (generated/openapi.json)', function () {
  it('is OpenAPI 3.1 with the versioned server and at least the platform operations', function () {
    expect(spec.openapi).to.equal('3.1.0');
    expect(spec.servers[0].url).to.equal('/api/v1');
    expect(rules.operations.map((o) => o.op.operationId)).to.include.members(['getRoot', 'getHealth', 'getReadiness', 'getOpenApi', 'getDocs']);
  });

  it('every operation has a unique camelCase operationId, a summary and exactly one declared tag', function () {
    expect(rules.operationIdsSummariesTags()).to.deep.equal([]);
  });

  it('every 4xx/5xx response uses the ErrorEnvelope schema', function () {
    expect(rules.errorResponsesUseEnvelope()).to.deep.equal([]);
  });

  it('the ErrorEnvelope is {error:{code,message,details,requestId}} with no extra properties', function () {
    const envelope = rules.deref({ $ref: ENVELOPE_REF })!;
    expect(envelope.required).to.deep.equal(['error']);
    expect(envelope.additionalProperties).to.equal(false);
    const error = rules.deref(envelope.properties.error)!;
    expect(error.required).to.have.members(['code', 'message', 'details', 'requestId']);
    expect(error.additionalProperties).to.equal(false);
    expect(error.properties.code.enum).to.have.members([
      'AUTH_ERROR',
      'PERMISSION_ERROR',
      'NOT_FOUND',
      'CONFLICT',
      'VALIDATION_ERROR',
      'RATE_LIMIT_ERROR',
      'INTERNAL_ERROR',
      'API_ERROR',
    ]);
  });

  it('every request-body object schema (nested objects and array items too) has additionalProperties: false', function () {
    expect(rules.requestBodiesClosed()).to.deep.equal([]);
  });

  it('every string schema has maxLength or enum/const/format', function () {
    expect(rules.stringsBounded()).to.deep.equal([]);
  });

  it('every path segment is kebab-case (parameters are {camelCaseId})', function () {
    expect(rules.pathSegmentsKebabCase()).to.deep.equal([]);
  });

  it('every query parameter schema is bounded (numbers min+max, strings length/enum/format, arrays maxItems)', function () {
    expect(rules.queryParametersBounded()).to.deep.equal([]);
  });

  it('path-level servers are only "/" (the platform routes)', function () {
    for (const [p, item] of Object.entries<Json>(spec.paths)) {
      if (item.servers === undefined) continue;
      expect(item.servers.map((s: Json) => s.url), p).to.deep.equal(['/']);
    }
  });
});

describe('contract rules catch violations (a deliberately broken document)', function () {
  const envelope = { $ref: ENVELOPE_REF };
  const errorResponse = { description: 'error', content: { 'application/json': { schema: envelope } } };
  const broken = contractRules({
    openapi: '3.1.0',
    tags: [{ name: 'Widgets' }],
    paths: {
      '/widgets': {
        post: {
          operationId: 'create_widget',
          summary: 'Create',
          tags: ['Widgets', 'Extra'],
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } },
            { name: 'q', in: 'query', schema: { type: 'string' } },
            { name: 'ids', in: 'query', schema: { type: 'array', items: { type: 'string', format: 'uuid' } } },
            { name: 'sort', in: 'query', schema: { type: 'string', enum: ['name', '-name'] } },
          ],
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    name: { type: 'string' },
                    meta: { type: 'object', properties: { note: { type: 'string', maxLength: 10 } } },
                    parts: { type: 'array', maxItems: 5, items: { type: 'object', properties: { sku: { type: 'string', maxLength: 20 } } } },
                    ok: { type: 'object', additionalProperties: false, properties: { at: { type: 'string', format: 'date-time' } } },
                  },
                },
              },
            },
          },
          responses: {
            '201': { description: 'ok' },
            '404': errorResponse,
            '422': { description: 'bad', content: { 'application/json': { schema: { type: 'object', properties: { message: { type: 'string', maxLength: 5 } } } } } },
          },
        },
        get: { operationId: 'listWidgets', tags: ['Unknown'], responses: { '200': { description: 'ok' } } },
      },
      '/widget_parts/{id}': {
        get: { operationId: 'listWidgets', summary: 'Dup', tags: ['Widgets'], responses: { '404': errorResponse } },
      },
      '/TimeLogs': {
        get: { operationId: 'listTimeLogs', summary: 'Logs', tags: ['Widgets'], responses: { '404': errorResponse } },
      },
    },
    components: {
      schemas: {
        ErrorEnvelope: { type: 'object', additionalProperties: false, required: ['error'], properties: { error: { type: 'object' } } },
      },
    },
  });

  it('flags operationId casing and duplicates, missing summaries, tag count and undeclared tags', function () {
    expect(broken.operationIdsSummariesTags()).to.have.members([
      'POST /widgets: operationId create_widget is not camelCase',
      'POST /widgets: needs exactly one tag, has ["Widgets","Extra"]',
      'GET /widgets: no summary',
      'GET /widgets: tag Unknown is not declared',
      'GET /widget_parts/{id}: operationId listWidgets also used by GET /widgets',
    ]);
  });

  it('flags error responses without the envelope and operations without a 4xx', function () {
    expect(broken.errorResponsesUseEnvelope()).to.have.members(['POST /widgets 422: not the ErrorEnvelope', 'GET /widgets: no 4xx response']);
  });

  it('flags open request-body objects, nested and in array items', function () {
    expect(broken.requestBodiesClosed()).to.have.members([
      'POST /widgets body(application/json).meta: additionalProperties is not false',
      'POST /widgets body(application/json).parts[]: additionalProperties is not false',
    ]);
  });

  it('flags unbounded strings in bodies, parameters and responses', function () {
    expect(broken.stringsBounded()).to.have.members([
      'POST /widgets query.q: unbounded string',
      'POST /widgets body(application/json).name: unbounded string',
    ]);
  });

  it('flags non-kebab-case segments and bare {id}', function () {
    expect(broken.pathSegmentsKebabCase()).to.have.members([
      '/widget_parts/{id}: segment "widget_parts" is not kebab-case',
      '/widget_parts/{id}: bare {id}; name it {<thing>Id}',
      '/TimeLogs: segment "TimeLogs" is not kebab-case',
    ]);
  });

  it('flags unbounded query parameters', function () {
    expect(broken.queryParametersBounded()).to.have.members([
      'POST /widgets query.limit: number without minimum and maximum',
      'POST /widgets query.q: unbounded string',
      'POST /widgets query.ids: array without maxItems',
    ]);
  });
});

describe('handler registry ↔ contract parity', function () {
  const contractOps = (): OperationInfo[] => listOperations(toRuntimeSpec(loadBundledSpec()));
  let db: Db;

  before(async function () {
    db = await createDbPool(await createTestDatabase(), { statementTimeoutMs: 5_000 });
  });

  after(async function () {
    await db?.end();
  });

  it('the real registry has exactly one handler per contract operation', function () {
    const config = loadConfig(testEnv('postgresql://unused@127.0.0.1/unused'));
    const services = createServices({ config, db, clock: systemClock, logger: createLogger('silent'), secretKey: TEST_SECRET });
    const registry = createHandlers(services) as Record<string, unknown>;
    const operations = contractOps();
    expect(Object.keys(registry).sort()).to.deep.equal(operations.map((o) => o.operationId).sort());
    for (const id of Object.keys(registry)) expect(registry[id], id).to.be.a('function');
    expect(() => assertRegistryMatchesContract(operations, registry)).not.to.throw();
  });

  it('operation ids are unique across the runtime contract', function () {
    const ids = contractOps().map((o) => o.operationId);
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('throws naming a missing handler', function () {
    const operations: OperationInfo[] = [
      { operationId: 'getHealth', method: 'GET', path: '/health', security: [], hasJsonBody: false, idempotent: false, optionalAuth: false },
      { operationId: 'listWidgets', method: 'GET', path: '/api/v1/widgets', security: [], hasJsonBody: false, idempotent: false, optionalAuth: false },
    ];
    expect(() => assertRegistryMatchesContract(operations, { getHealth: () => undefined })).to.throw(/Missing handlers: \[listWidgets\]/);
    // A non-function under the right name is no handler either.
    expect(() => assertRegistryMatchesContract(operations, { getHealth: () => undefined, listWidgets: 'nope' })).to.throw(/listWidgets/);
  });

  it('throws naming an orphan handler (no operation in the contract)', function () {
    const operations: OperationInfo[] = [{ operationId: 'getHealth', method: 'GET', path: '/health', security: [], hasJsonBody: false, idempotent: false, optionalAuth: false }];
    expect(() => assertRegistryMatchesContract(operations, { getHealth: () => undefined, deleteEverything: () => undefined })).to.throw(
      /handlers without an operation: \[deleteEverything\]/,
    );
  });

  it('the real contract minus one handler, plus one orphan, names both', function () {
    const config = loadConfig(testEnv('postgresql://unused@127.0.0.1/unused'));
    const services = createServices({ config, db, clock: systemClock, logger: createLogger('silent'), secretKey: TEST_SECRET });
    const { getReadiness: _, ...rest } = createHandlers(services) as Record<string, unknown>;
    let message = '';
    try {
      assertRegistryMatchesContract(contractOps(), { ...rest, getWeather: () => undefined });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.include('getReadiness').and.include('getWeather');
  });
});
