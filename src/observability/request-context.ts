import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Context, context as otel, propagation } from '@opentelemetry/api';

/** What a log line written during a request says of it. */
export interface RequestContext {
  /** Set by useRequestId once the request's id is known. */
  requestId?: string;
}

/**
 * The request each log line is written for, whoever writes it (the upload's line, Yoga's own
 * logger, a plugin's): the logger's mixin reads it, so no caller passes the id along.
 */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/**
 * Runs each request of a node:http listener in a context of its own, under the trace its
 * `traceparent` names (W3C Trace Context; a no-op without a tracing SDK), so that a router's
 * trace continues here. The caller's baggage is dropped, whatever OTEL_PROPAGATORS extracts it
 * from: the SDK's propagators would otherwise send it on to VOD with every attempt.
 */
export function inRequestContext(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => otel.with(traceContextOf(req), () => requestContext.run({}, () => listener(req, res)));
}

/**
 * The trace context a request's headers carry, without their baggage: client-controlled
 * name=value pairs (any number, any size) that the gateway has no use for and must not pass on to
 * the vendor. Every propagator that carries baggage (W3C `baggage`, Jaeger's `uberctx-*`, …) reads
 * and writes the one baggage entry of the context, so deleting it stops them all.
 */
function traceContextOf(req: IncomingMessage): Context {
  return propagation.deleteBaggage(propagation.extract(otel.active(), req.headers));
}
