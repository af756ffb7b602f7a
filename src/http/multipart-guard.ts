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
  const { promise: bodyAccepted, resolve: settle } = Promise.withResolvers<boolean>();
  const watch: PartsWatch = {
    maxFiles: options.maxFiles,
    refusal: undefined,
    operations: undefined,
    declared: undefined,
    failed: false,
    settle,
  };
  const pipe = req.pipe.bind(req);
  req.pipe = <T extends NodeJS.WritableStream>(destination: T, pipeOptions?: { end?: boolean }): T => {
    guardParser(watch, destination as unknown as Writable);
    return pipe(destination, pipeOptions);
  };
  // A request that ends or breaks before the parser closes settles too.
  req.once('close', () => {
    if (!req.complete) settle(false);
  });
  return { refusal: () => watch.refusal, bodyAccepted };
}

/** What the guard has seen of one request's parts so far. */
interface PartsWatch {
  readonly maxFiles: number;
  refusal: MultipartRefusal | undefined;
  /** The `operations` field, once it came. */
  operations: string | undefined;
  /** The file parts `map` declares, once it came and was valid. */
  declared: Set<string> | undefined;
  /** The parser emitted an error. */
  failed: boolean;
  readonly settle: (accepted: boolean) => void;
}

/** Refuses the request: the parser emits an error carrying the kind's HTTP status (see above). */
type Refuse = (kind: MultipartRefusal['kind'], message: string) => boolean;

/** Puts the guard in front of the parser's events. */
function guardParser(watch: PartsWatch, parser: Writable): void {
  const emit = parser.emit.bind(parser) as (event: string | symbol, ...args: unknown[]) => boolean;
  const refuse: Refuse = (kind, message) => {
    watch.refusal ??= { kind, message };
    return emit('error', Object.assign(new Error(message), { status: REQUEST_REFUSALS[kind].status }));
  };
  parser.emit = ((event: string | symbol, ...args: unknown[]): boolean =>
    screen(watch, event, args, refuse) ?? emit(event, ...args)) as typeof parser.emit;
  parser.on('error', () => undefined);
}

/** What `emit` returns for an event the library must not see, or undefined to pass the event on. */
function screen(watch: PartsWatch, event: string | symbol, args: unknown[], refuse: Refuse): boolean | undefined {
  if (watch.refusal) {
    // Nothing after a refusal reaches the library; a file part is drained so the parser goes on.
    if (event === 'file') (args[1] as Readable).on('error', () => undefined).resume();
    return event === 'field' || event === 'file' ? false : undefined;
  }
  if (event === 'field') return screenField(watch, args[0] as string, args[1] as string, refuse);
  if (event === 'file') return screenFile(watch, args[0] as string, args[1] as Readable, refuse);
  if (event === 'filesLimit') {
    // busboy skips a file part past the limit without a 'file' event: the request sends more than it declared.
    return refuse(
      'multipart-too-large',
      `Only the file parts that 'map' declares are accepted (at most ${watch.maxFiles}); this request sends more.`,
    );
  }
  if (event === 'error') watch.failed = true;
  if (event === 'close') watch.settle(!watch.failed);
  return undefined;
}

function screenField(watch: PartsWatch, name: string, value: string, refuse: Refuse): boolean | undefined {
  if (name === 'operations') watch.operations = value;
  if (name !== 'map') return undefined;
  if (watch.operations === undefined)
    return refuse('bad-multipart', `The 'operations' field must come before 'map' (${SPEC}).`);
  const fields = parseBoth(watch.operations, value);
  // Unreadable JSON: the library refuses it with its own message.
  if (!fields) return undefined;
  const problem = checkMultipartMap(fields.operations, fields.map, watch.maxFiles);
  if (problem) return refuse(problem.kind, problem.message);
  watch.declared = new Set(Object.keys(fields.map as object));
  return undefined;
}

function screenFile(watch: PartsWatch, name: string, stream: Readable, refuse: Refuse): boolean | undefined {
  stream.on('error', () => undefined);
  if (!watch.declared) {
    stream.resume();
    return refuse(
      'bad-multipart',
      `Missing multipart field 'map': 'operations', then 'map', must come before the file parts (${SPEC}).`,
    );
  }
  if (!watch.declared.has(name)) {
    stream.resume();
    return refuse(
      'multipart-too-large',
      `Only the file parts that 'map' declares are accepted; part ${JSON.stringify(name)} is not one of them.`,
    );
  }
  return undefined;
}

function parseBoth(operations: string, map: string): { operations: unknown; map: unknown } | undefined {
  try {
    return { operations: JSON.parse(operations), map: JSON.parse(map) };
  } catch {
    return undefined;
  }
}
