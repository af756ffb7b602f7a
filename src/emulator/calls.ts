import type { Fault } from './faults.js';

/** One call to an upload endpoint (either API), as the emulator saw it. */
export interface EmulatorCall {
  seq: number;
  path: string;
  /** What the call ended with: an answer, a client that went away, or a connection the emulator dropped. */
  outcome: 'answered' | 'client-aborted' | 'dropped';
  /** HTTP status sent (0 when none was). */
  status: number;
  /** VOD code answered, when the answer was JSON (API 3.0: 0 or 2 for a success, -1 for an error). */
  code?: number;
  fault?: Fault['kind'];
  videoFileId?: string;
  sha1?: string;
  bytesReceived: number;
  /** When the call arrived, and when its connection's answer ended (`performance.now()` ms). */
  receivedAt: number;
  endedAt?: number;
  /** Why a check failed, for test failure messages. */
  why?: string;
  /** The caller's `x-request-id`, as a real VOD's logs would hold it. */
  requestId?: string;
  /** The caller's W3C `traceparent`. */
  traceparent?: string;
}

/**
 * The calls so far, the latest `max` of them kept (trimmed in steps: one shift per `max / 2`
 * calls), so that a long-running emulator (`npm start`, the bench's upstream) does not grow
 * without end; `count` counts them all.
 */
export class CallLog {
  readonly calls: EmulatorCall[] = [];
  count = 0;

  constructor(readonly max: number) {}

  /** A new record for a call arriving now. */
  open(path: string, headers: { requestId?: string; traceparent?: string } = {}): EmulatorCall {
    const call: EmulatorCall = {
      seq: ++this.count,
      path,
      ...(headers.requestId === undefined ? {} : { requestId: headers.requestId }),
      ...(headers.traceparent === undefined ? {} : { traceparent: headers.traceparent }),
      outcome: 'answered',
      status: 0,
      bytesReceived: 0,
      receivedAt: performance.now(),
    };
    this.calls.push(call);
    if (this.calls.length > this.max * 1.5) this.calls.splice(0, this.calls.length - this.max);
    return call;
  }

  clear(): void {
    this.calls.length = 0;
    this.count = 0;
  }
}
