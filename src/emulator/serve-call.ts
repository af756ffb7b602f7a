import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Answer, drop, plain, send } from './answer.js';
import type { EmulatorCall } from './calls.js';
import type { Fault } from './faults.js';
import { type ReadBody, readBody } from './read-body.js';

/** What one API's side of the emulator does with a call; the faults are played the same way around it. */
export interface ProtocolSide<Prepared> {
  /** Before the body: what the request's head says (into the call record) and how much of the body to read. */
  prepare(req: IncomingMessage, call: EmulatorCall): { prepared: Prepared; keep: number; cap: number; sha1?: boolean };
  /** Once the body is read, before any fault acts: what it says it sends (into the call record). */
  noteBody?(body: ReadBody, call: EmulatorCall): void;
  /** The answer of an `answer` or `api3-error` fault in this API's shape, or undefined for a fault it ignores. */
  faultAnswer(fault: Extract<Fault, { kind: 'answer' | 'api3-error' }>): Answer | undefined;
  /** The answer to a call past the emulator's rate, in this API's shape. */
  rateLimited(): Answer;
  /** Most body bytes read of a call past the rate before the emulator hangs up. */
  maxBody: number;
  /** Checks the request and stores the cover: the answer. */
  process(req: IncomingMessage, body: ReadBody, prepared: Prepared, call: EmulatorCall): Answer;
}

/** A call as it arrives: its record, its fault, and whether it is past the emulator's rate. */
export interface Arrival {
  call: EmulatorCall;
  fault: Fault | undefined;
  /** Answered as the API answers a call past its rate, unchecked, with no fault played. */
  overRate: boolean;
}

/**
 * One call to either API, with its fault: the fault table, in the order a call meets it. A call
 * past the rate meets none of it: its body is read, then it is refused unchecked. Before the
 * upload is processed (nothing stored): `drop` (without `afterStore`), `status`, `malformed`,
 * `body`, `answer` / `api3-error`. After (the cover stored): `drop` with `afterStore`, `delay`.
 */
export async function serveCall<P>(
  req: IncomingMessage,
  res: ServerResponse,
  { call, fault, overRate }: Arrival,
  side: ProtocolSide<P>,
  timers: Set<NodeJS.Timeout>,
): Promise<void> {
  res.once('close', () => (call.endedAt = performance.now()));
  if (overRate) return refuseOverRate(req, res, call, side);
  if (fault) call.fault = fault.kind;
  const { prepared, keep, cap, sha1 } = side.prepare(req, call);
  const body = await readBody(req, { keep, cap, ...(sha1 ? { sha1 } : {}) });
  call.bytesReceived = body.size;
  if (body.aborted) {
    call.outcome = 'client-aborted';
    return;
  }
  // Past the cap we stopped reading: answer, then hang up rather than swallow the rest.
  if (body.overflow) res.setHeader('connection', 'close');
  side.noteBody?.(body, call);

  if (fault?.kind === 'drop' && !fault.afterStore) return drop(req, call);
  if (fault?.kind === 'status')
    return send(
      res,
      call,
      plain(fault.status, 'upstream fault injected by the emulator\n'),
      fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter },
    );
  if (fault?.kind === 'malformed')
    return send(res, call, { status: 200, text: '<html>not json', type: 'application/json' });
  if (fault?.kind === 'body') return send(res, call, { status: 200, text: fault.body, type: 'application/json' });
  const injected = fault?.kind === 'answer' || fault?.kind === 'api3-error' ? side.faultAnswer(fault) : undefined;
  if (injected) return send(res, call, injected);

  const answer = side.process(req, body, prepared, call);
  if (fault?.kind === 'drop') return drop(req, call);
  if (fault?.kind === 'delay') {
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(res, call, answer);
    }, fault.ms);
    timers.add(timer);
    return;
  }
  send(res, call, answer);
}

/** Reads the body (so that the connection stays usable), then answers the rate refusal. */
async function refuseOverRate<P>(
  req: IncomingMessage,
  res: ServerResponse,
  call: EmulatorCall,
  side: ProtocolSide<P>,
): Promise<void> {
  const body = await readBody(req, { keep: 0, cap: side.maxBody });
  call.bytesReceived = body.size;
  if (body.aborted) {
    call.outcome = 'client-aborted';
    return;
  }
  if (body.overflow) res.setHeader('connection', 'close');
  send(res, call, { ...side.rateLimited(), why: 'rate limit' });
}
