import type { IncomingMessage } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import { checkMultipartMap } from '../multipart/multipart-map.js';
import { REQUEST_REFUSALS } from './request-refusals.js';

/** Why a multipart request is refused as a whole: the kind of refusal, and what is wrong. */
export interface MultipartRefusal {
  kind: 'bad-multipart' | 'multipart-too-large';
  message: string;
}

/** What the guard learns of one multipart request as its parser reads it. */
export interface MultipartGuard {
  /** Set once the request is refused (a bad `map`, a file part it does not declare, …). */
  refusal(): MultipartRefusal | undefined;
  /**
   * Settles when the parser has read the whole body: true when every part was as declared, false
   * when the request was refused or could not be read. A cover is sent on only after true.
   */
  bodyAccepted: Promise<boolean>;
}

const SPEC = 'GraphQL multipart request spec';

/**
 * Stands between the request and graphql-upload-minimal's busboy parser (it sees the parser when
 * the library pipes the request into it) and checks each field and part before the library acts
 * on it:
 * - `map` is checked against `operations` ({@link checkMultipartMap}) before the library places a
 *   single upload: its own path walk stops only at `__proto__` and `constructor`, so a path such as
 *   `hasOwnProperty.call` overwrote shared built-ins, and `variables.f.resolve` crashed the process;
 * - a file part before `map`, or one that `map` does not declare, refuses the request (413 for an
 *   extra file), with a message that says what is missing;
 * - every 'error' the parser emits is heard: the library listens `once`, then destroys the parser,
 *   which can emit a second error ("Unexpected end of form"); one nobody hears crashes the process.
 * A refusal reaches the library as a parser error carrying an HTTP `status`, so its promise and
 * every upload still waiting reject the way they do for any unreadable body.
 */
export function guardMultipartParser(req: IncomingMessage, options: { maxFiles: number }): MultipartGuard {
  let refusal: MultipartRefusal | undefined;
  let operations: string | undefined;
  let declared: Set<string> | undefined;
  let failed = false;
  const { promise: bodyAccepted, resolve: settle } = Promise.withResolvers<boolean>();

  const pipe = req.pipe.bind(req);
  req.pipe = <T extends NodeJS.WritableStream>(destination: T, pipeOptions?: { end?: boolean }): T => {
    const parser = destination as unknown as Writable;
    const emit = parser.emit.bind(parser) as (event: string | symbol, ...args: unknown[]) => boolean;
    const refuse = (kind: MultipartRefusal['kind'], message: string): boolean => {
      refusal ??= { kind, message };
      return emit('error', Object.assign(new Error(message), { status: REQUEST_REFUSALS[kind].status }));
    };
    parser.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
      if (refusal) {
        // Nothing after a refusal reaches the library; a file part is drained so the parser goes on.
        if (event === 'file') (args[1] as Readable).on('error', () => undefined).resume();
        if (event === 'field' || event === 'file') return false;
      } else if (event === 'field') {
        const [name, value] = args as [string, string];
        if (name === 'operations') operations = value;
        if (name === 'map') {
          if (operations === undefined)
            return refuse('bad-multipart', `The 'operations' field must come before 'map' (${SPEC}).`);
          const fields = parseBoth(operations, value);
          // Unreadable JSON: the library refuses it with its own message.
          if (fields) {
            const problem = checkMultipartMap(fields.operations, fields.map, options.maxFiles);
            if (problem) return refuse(problem.kind, problem.message);
            declared = new Set(Object.keys(fields.map as object));
          }
        }
      } else if (event === 'file') {
        const [name, stream] = args as [string, Readable];
        stream.on('error', () => undefined);
        if (!declared) {
          stream.resume();
          return refuse(
            'bad-multipart',
            `Missing multipart field 'map': 'operations', then 'map', must come before the file parts (${SPEC}).`,
          );
        }
        if (!declared.has(name)) {
          stream.resume();
          return refuse(
            'multipart-too-large',
            `Only the file parts that 'map' declares are accepted; part ${JSON.stringify(name)} is not one of them.`,
          );
        }
      } else if (event === 'filesLimit') {
        // busboy skips a file part past the limit without a 'file' event: the request sends more than it declared.
        return refuse(
          'multipart-too-large',
          `Only the file parts that 'map' declares are accepted (at most ${options.maxFiles}); this request sends more.`,
        );
      } else if (event === 'error') {
        failed = true;
      } else if (event === 'close') {
        settle(!refusal && !failed);
      }
      return emit(event, ...args);
    }) as typeof parser.emit;
    parser.on('error', () => undefined);
    return pipe(destination, pipeOptions);
  };
  // A request that ends or breaks before the parser closes settles too.
  req.once('close', () => {
    if (!req.complete) settle(false);
  });
  return { refusal: () => refusal, bodyAccepted };
}

function parseBoth(operations: string, map: string): { operations: unknown; map: unknown } | undefined {
  try {
    return { operations: JSON.parse(operations), map: JSON.parse(map) };
  } catch {
    return undefined;
  }
}
