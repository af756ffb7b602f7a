import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorCall } from './calls.js';

/** An answer, and what the call record says of it. */
export interface Answer {
  status: number;
  text: string;
  type: string;
  /** The VOD code it carries (the call record's `code`). */
  code?: number;
  /** Why a check failed (the call record's `why`). */
  why?: string;
}

export const json = (value: unknown, record: Pick<Answer, 'code' | 'why'> = {}): Answer => ({
  status: 200,
  text: JSON.stringify(value),
  type: 'application/json; charset=utf-8',
  ...record,
});

export const plain = (status: number, text: string): Answer => ({ status, text, type: 'text/plain; charset=utf-8' });

/**
 * Sends the answer and notes it in the call. An answer sent before the body was read whole hangs up
 * instead of draining the rest.
 */
export function send(
  res: ServerResponse,
  call: EmulatorCall | undefined,
  answer: Answer,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  if (call) {
    call.status = answer.status;
    if (answer.code !== undefined) call.code = answer.code;
    if (answer.why !== undefined) call.why = answer.why;
  }
  res.writeHead(answer.status, {
    'content-type': answer.type,
    ...headers,
    'content-length': Buffer.byteLength(answer.text),
  });
  res.end(answer.text);
  if (res.getHeader('connection') === 'close') res.once('finish', () => res.socket?.destroySoon());
}

/** Ends the connection without an answer. */
export function drop(req: IncomingMessage, call: EmulatorCall): void {
  call.outcome = 'dropped';
  req.socket.destroy();
}
