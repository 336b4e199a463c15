/**
 * Body parsers for JSON and HTML forms that refuse text which is not UTF-8 with a 400 naming the field,
 * instead of turning the bad bytes into U+FFFD (stored, while the answer echoed something else). JSON keeps
 * Fastify's own parser (prototype-poisoning checks included) for valid input; form bodies are parsed here with
 * the rules of `fast-querystring` that @fastify/formbody used (`+` is a space, repeated names become a list,
 * a malformed `%` escape is kept as typed, a null-prototype object), plus the UTF-8 check on every escape.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isUtf8 } from 'node:buffer';
import { AppError, type FieldProblem } from './errors.ts';

const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

function encodingProblems(fields: Iterable<string>): AppError {
  const problems: FieldProblem[] = [...new Set(fields)].map((field) => ({
    field,
    message: 'validation.encoding',
  }));
  return new AppError('VALIDATION', {
    fields: problems.length ? problems : [{ field: '(body)', message: 'validation.encoding' }],
  });
}

/** Paths (as `a.b.0`) of the strings holding U+FFFD in a value decoded leniently from bytes that were not UTF-8. */
function replacedPaths(value: unknown, path: string[] = [], found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes('\uFFFD')) found.push(path.join('.') || '(body)');
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key.includes('\uFFFD')) found.push([...path, key].join('.'));
      replacedPaths(inner, [...path, key], found);
    }
  }
  return found;
}

/** One name or value of a form body: `+` → space, `%XX` → its byte, then the bytes must be UTF-8. */
function decodeFormPart(part: Buffer): string | undefined {
  const latin1 = part.toString('latin1').replace(/\+/g, ' ');
  const bytes = Buffer.from(
    latin1.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  );
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

export function parseFormBody(body: Buffer): Record<string, string | string[]> {
  const form = Object.create(null) as Record<string, string | string[]>;
  const bad: string[] = [];
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf(0x26, start); // &
    if (end === -1) end = body.length;
    const pair = body.subarray(start, end);
    start = end + 1;
    if (pair.length === 0) continue;
    const equals = pair.indexOf(0x3d); // =
    const rawName = equals === -1 ? pair : pair.subarray(0, equals);
    const name = decodeFormPart(rawName);
    const value = equals === -1 ? '' : decodeFormPart(pair.subarray(equals + 1));
    if (name === undefined || value === undefined) {
      bad.push(name ?? lenient.decode(rawName).replace(/\uFFFD/g, '?'));
      continue;
    }
    const existing = form[name];
    form[name] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  if (bad.length) throw encodingProblems(bad);
  return form;
}

export function registerBodyParsers(app: FastifyInstance, limits: { formBytes: number }): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: Buffer, done) => {
      if (isUtf8(body)) return json(request, body.toString('utf8'), done);
      let paths: string[] = [];
      try {
        paths = replacedPaths(JSON.parse(lenient.decode(body)));
      } catch {
        // Not JSON either: the body as a whole is named.
      }
      done(encodingProblems(paths), undefined);
    },
  );
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer', bodyLimit: limits.formBytes },
    (_request: FastifyRequest, body: Buffer, done) => {
      try {
        done(null, parseFormBody(body));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}
