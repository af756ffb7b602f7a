import { DateTimeResolver } from 'graphql-scalars';
import { builder } from './builder.js';

/** `scalar DateTime`: an RFC 3339 date-time in UTC, e.g. 2026-11-27T12:00:00.000Z. */
builder.addScalarType('DateTime', DateTimeResolver, {});
