// Third-party tools over the served OpenAPI document: redocly's recommended lint, and a client generated with
// openapi-typescript that calls every operation through openapi-fetch, type-checked with no casts and run against the server.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers.js';

type Declared = { $ref?: string; content?: Record<string, unknown>; headers?: Record<string, unknown> };
type Doc = { paths: Record<string, Record<string, { operationId?: string; responses: Record<string, Declared> }>>; components: Record<string, Record<string, Declared>> };

const ROOT = resolve(import.meta.dirname, '../..');
let s: TestServer;
let doc: Doc;
let dir: string;

beforeAll(async () => {
  s = await startServer();
  doc = (await s.call(null, 'GET', '/v1/openapi.json')).json() as Doc;
  dir = mkdtempSync(join(tmpdir(), 'tix-openapi-'));
  // the generated client resolves openapi-fetch the way an installed one would
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

type LintReport = { totals: { errors: number; warnings: number; ignored: number }; problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }> };

/** `redocly lint` over a document, with the repository's redocly.yaml (the recommended rules). */
function lint(document: unknown, name: string): Promise<LintReport> {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(document));
  const cli = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
  return new Promise((done, fail) => {
    // exit code 1 means problems were found: the JSON report says which
    execFile(process.execPath, [cli, 'lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format=json'], { env, cwd: dir }, (err, stdout, stderr) => {
      try {
        done(JSON.parse(stdout) as LintReport);
      } catch {
        fail(new Error(`redocly lint gave no report (${err?.message ?? 'no error'}): ${stderr}`));
      }
    });
  });
}

describe('redocly lint, recommended rules', () => {
  it('finds no error and no warning in the served document', async () => {
    const report = await lint(doc, 'openapi.json');
    expect(report.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} (${p.location[0]?.pointer})`)).toEqual([]);
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
  }, 60_000);

  it('reports the faults it is run to catch', async () => {
    const broken = structuredClone(doc) as Doc & { servers?: unknown };
    delete broken.servers;
    delete broken.paths['/v1/tickets/{id}']!.get!.operationId;
    const report = await lint(broken, 'broken.json');
    expect(report.problems.map((p) => p.ruleId)).toEqual(expect.arrayContaining(['no-empty-servers', 'operation-operationId']));
  }, 60_000);
});

/** Calls every operation once, as a program written against the generated types would; returns what each answered. */
const CLIENT = `
import createClient from 'openapi-fetch';
import type { components, paths } from './api.js';

type Problem = components['schemas']['Problem'];
export type Answer = { operation: string; status: number; type: string | null; headers: string[] };

export async function everyOperation(baseUrl: string, token: string): Promise<Answer[]> {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: 'Bearer ' + token } });
  const answers: Answer[] = [];
  const seen = (operation: string, r: { response: Response }) => {
    const headers: string[] = [];
    r.response.headers.forEach((_value, name) => headers.push(name));
    answers.push({ operation, status: r.response.status, type: r.response.headers.get('content-type'), headers });
  };
  const must = <T>(operation: string, r: { data?: T; error?: Problem; response: Response }): T => {
    seen(operation, r);
    if (r.data === undefined) throw new Error(operation + ': ' + r.response.status + ' ' + (r.error ? r.error.code + ' ' + r.error.detail : ''));
    return r.data;
  };

  const health = must('get /v1/health', await client.GET('/v1/health'));
  const version: string = health.version;
  const me = must('get /v1/me', await client.GET('/v1/me'));
  const role: 'admin' | 'agent' | 'requester' = me.role;

  const opening = {
    params: { header: { 'Idempotency-Key': 'open-1' } },
    body: { subject: 'Printer on fire', description: 'Smoke from tray 2 since this morning.', priority: 'urgent' as const, justification: 'the office is being evacuated', tags: ['hardware'] },
  };
  const opened = await client.POST('/v1/tickets', opening);
  const ticket = must('post /v1/tickets', opened);
  const retried = await client.POST('/v1/tickets', opening);
  if (must('post /v1/tickets', retried).id !== ticket.id || retried.response.headers.get('Idempotent-Replayed') !== 'true') throw new Error('the retry was not a replay');
  const etag: string | null = opened.response.headers.get('ETag');
  const id: number = ticket.id;
  must('get /v1/tickets', await client.GET('/v1/tickets', { params: { query: { q: 'status:new', limit: 10 } } }));
  must('get /v1/tickets/{id}', await client.GET('/v1/tickets/{id}', { params: { path: { id } } }));
  must('patch /v1/tickets/{id}', await client.PATCH('/v1/tickets/{id}', { params: { path: { id }, header: { 'If-Match': etag ?? '*' } }, body: { tags: ['hardware', 'fire'], level: 2 } }));
  const stale = await client.PATCH('/v1/tickets/{id}', { params: { path: { id }, header: { 'If-Match': etag ?? '*' } }, body: { tags: ['stale'] } });
  seen('patch /v1/tickets/{id}', stale);
  const refused: Problem['code'] | undefined = stale.error?.code;
  if (refused !== 'precondition_failed') throw new Error('a stale If-Match was taken: ' + refused);

  must('post /v1/tickets/{id}/triage', await client.POST('/v1/tickets/{id}/triage', { params: { path: { id } }, body: { team: 'support', type: 'incident', assignee: 'me' } }));
  must('post /v1/tickets/{id}/priority', await client.POST('/v1/tickets/{id}/priority', { params: { path: { id } }, body: { priority: 'high', reason: 'fire is out, printer still broken' } }));
  must('post /v1/tickets/{id}/assign', await client.POST('/v1/tickets/{id}/assign', { params: { path: { id } }, body: { assignee: null } }));
  must('post /v1/tickets/{id}/status', await client.POST('/v1/tickets/{id}/status', { params: { path: { id } }, body: { status: 'pending_customer', note: 'asked for the model number' } }));
  const escalated = must('post /v1/tickets/{id}/escalate', await client.POST('/v1/tickets/{id}/escalate', { params: { path: { id } }, body: { reason: 'firmware bug overheats the fuser', estimated_resolution: '2026-12-24' } }));
  const cp = escalated.escalation;
  if (cp === null) throw new Error('no escalation');
  must('get /v1/escalations', await client.GET('/v1/escalations', { params: { query: { state: 'all' } } }));
  must('get /v1/events', await client.GET('/v1/events', { params: { query: { after: 0, limit: 10, ticket: id } } }));
  must('get /v1/escalations/{id}', await client.GET('/v1/escalations/{id}', { params: { path: { id: cp } } }));
  const advanced = must('post /v1/escalations/{id}/advance', await client.POST('/v1/escalations/{id}/advance', { params: { path: { id: cp } }, body: { to: 'resolved', note: 'patched firmware' } }));
  const state: components['schemas']['EscalationState'] = advanced.state;

  const comment = must('post /v1/tickets/{id}/comments', await client.POST('/v1/tickets/{id}/comments', {
    params: { path: { id } },
    body: { body: 'Photo of the tray attached.', public: true, attachments: [{ name: 'tray.txt', data: 'dHJheSAy' }] },
  }));
  const file = comment.attachments[0];
  if (!file) throw new Error('no attachment');
  must('get /v1/tickets/{id}/comments', await client.GET('/v1/tickets/{id}/comments', { params: { path: { id } } }));
  const download = await client.GET('/v1/attachments/{id}', { params: { path: { id: file.id } }, parseAs: 'blob' });
  const blob: Blob = must('get /v1/attachments/{id}', download);
  if ((await blob.text()) !== 'tray 2') throw new Error('the attachment came back changed');
  must('get /v1/tickets/{id}/events', await client.GET('/v1/tickets/{id}/events', { params: { path: { id } } }));

  must('post /v1/tickets/{id}/close', await client.POST('/v1/tickets/{id}/close', { params: { path: { id } }, body: { resolution: 'firmware 2.1 installed' } }));
  const reopened = must('post /v1/tickets/{id}/reopen', await client.POST('/v1/tickets/{id}/reopen', { params: { path: { id } }, body: { comment: 'it caught fire again' } }));
  const status: components['schemas']['Status'] = reopened.status;

  const batch = must('post /v1/batch', await client.POST('/v1/batch', {
    params: { query: { return: 'minimal' } },
    body: { operations: [{ op: 'comment', id, body: { body: 'batched note' } }, { op: 'priority', id, body: { priority: 'low', reason: 'workaround in place now' } }] },
  }));
  const failed: Problem[] = batch.results.flatMap((r) => (r.error ? [r.error] : []));
  if (failed.length) throw new Error('batch: ' + failed.map((p) => p.detail).join('; '));

  const users = must('get /v1/users', await client.GET('/v1/users'));
  const first: string | undefined = users.items[0]?.login;
  const user = must('post /v1/users', await client.POST('/v1/users', { body: { login: 'pat', name: 'Pat', role: 'agent' } }));
  const issued = must('post /v1/users/{id}/tokens', await client.POST('/v1/users/{id}/tokens', { params: { path: { id: user.id } }, body: { name: 'laptop' } }));
  const secret: string = issued.token;
  const revoked = await client.DELETE('/v1/tokens/{id}', { params: { path: { id: issued.id } } });
  seen('delete /v1/tokens/{id}', revoked);
  if (revoked.error) throw new Error('revoke: ' + revoked.error.detail);

  void [version, role, state, status, first, secret];
  return answers;
}
`;

/** Type assertions, non-null assertions and `any`: the ways around a type check. */
function escapes(file: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isAsExpression(node) && !(ts.isTypeReferenceNode(node.type) && node.type.getText(file) === 'const')) found.push(node.getText(file));
    else if (ts.isTypeAssertionExpression(node) || ts.isNonNullExpression(node)) found.push(node.getText(file));
    else if (node.kind === ts.SyntaxKind.AnyKeyword) found.push('any');
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (/@ts-(ignore|expect-error|nocheck)/.test(file.text)) found.push('@ts- comment');
  return found;
}

describe('a client generated with openapi-typescript, called through openapi-fetch', () => {
  let compiled: ts.Diagnostic[] = [];
  let program: ts.Program;
  beforeAll(async () => {
    writeFileSync(join(dir, 'api.ts'), astToString(await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0])));
    writeFileSync(join(dir, 'client.ts'), CLIENT);
    program = ts.createProgram([join(dir, 'client.ts')], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      outDir: dir,
    });
    compiled = [...ts.getPreEmitDiagnostics(program)];
  }, 120_000);

  it('calls every operation of the document', () => {
    const called = new Set([...CLIENT.matchAll(/client\.(GET|POST|PATCH|DELETE)\('([^']+)'/g)].map((m) => `${m[1]!.toLowerCase()} ${m[2]}`));
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect([...called].sort()).toEqual(operations.sort());
  });

  it('type-checks with no casts', () => {
    expect(escapes(program.getSourceFile(join(dir, 'client.ts'))!)).toEqual([]);
    expect(compiled.map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)).toEqual([]);
  });

  it('finds what the no-cast check and the type check are meant to catch', () => {
    const sneaky = ts.createSourceFile('x.ts', 'const a = b as string; const c = <number>d; const e = f!; let g: any;', ts.ScriptTarget.ES2022);
    expect(escapes(sneaky)).toEqual(['b as string', '<number>d', 'f!', 'any']);
    // a priority change without its reason is refused by the generated types, as by the server
    writeFileSync(join(dir, 'wrong.ts'), "import createClient from 'openapi-fetch';\nimport type { paths } from './api.js';\nawait createClient<paths>().POST('/v1/tickets/{id}/priority', { params: { path: { id: 1 } }, body: { priority: 'high' } });\n");
    const wrong = ts.createProgram([join(dir, 'wrong.ts')], program.getCompilerOptions(), undefined, program);
    expect(ts.getPreEmitDiagnostics(wrong).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n')).toMatch(/reason/);
  });

  it('runs against the server, and every answer has a status, content type and headers the document declares', async () => {
    const js = ts.transpileModule(CLIENT, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    writeFileSync(join(dir, 'client.mjs'), js);
    const url = await s.app.listen({ port: 0, host: '127.0.0.1' });
    const { everyOperation } = (await import(pathToFileURL(join(dir, 'client.mjs')).href)) as { everyOperation(baseUrl: string, token: string): Promise<Array<{ operation: string; status: number; type: string | null; headers: string[] }>> };
    const answers = await everyOperation(url, s.tokens.get('root')!);
    const known = new Set(Object.keys(doc.components.headers!).map((h) => h.toLowerCase()));
    const undeclared = answers.flatMap(({ operation, status, type, headers }) => {
      const [method, path] = operation.split(' ') as [string, string];
      let r = doc.paths[path]?.[method]?.responses[String(status)];
      if (r?.$ref) r = doc.components.responses![r.$ref.split('/').pop()!];
      if (!r) return [`${operation}: status ${status}`];
      const declared = new Set(Object.keys(r.headers ?? {}).map((h) => h.toLowerCase()));
      return [
        // a body's content type must be declared; an empty answer (204) has none
        ...(type !== null && !Object.keys(r.content ?? {}).includes(type.split(';')[0]!.trim()) ? [`${operation} ${status}: content type ${type}`] : []),
        ...headers.filter((h) => known.has(h) && !declared.has(h)).map((h) => `${operation} ${status}: header ${h}`),
      ];
    });
    expect(undeclared).toEqual([]);
    expect(answers.some((a) => a.headers.includes('etag'))).toBe(true);
    expect(new Set(answers.map((a) => a.operation)).size).toBe(Object.values(doc.paths).flatMap((ops) => Object.keys(ops)).length);
  }, 60_000);
});
