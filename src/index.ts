/**
 * vod-cover-gateway as a library: the gateway, its parts others reuse, and their option types.
 * Importing it starts nothing; `createGateway(…).listen()` does.
 */
export { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
export { createCoverUploads, type CoverUploads, type CoverUploadsOptions } from './cover-uploads.js';
export type { CoverContext } from './plugins/use-cover-context.js';
export type { ResolverMap } from './schema/schema-parts.js';
export type { GatewayContext } from './schema/context.js';
export {
  useStreamingUploads,
  type StreamingUploadsContext,
  type StreamingUploadsOptions,
} from './plugins/use-streaming-uploads.js';
export type { UploadRequest } from './multipart/upload-request.js';
export {
  useAuthentication,
  type AuthenticatedCaller,
  type AuthenticationContext,
  type AuthenticationOptions,
} from './auth/use-authentication.js';
export type { JwtOptions } from './auth/jwt-verifier.js';
export { UPLOAD_SCOPE, type AuthorizeUpload } from './auth/upload-policy.js';
export { ROUTER_SIGNATURE_EXTENSION, withFilesAsEmpty } from './auth/router-signature.js';
export type {
  SetCoverFailure,
  SetCoverInput,
  SetCoverResult,
  SetCoverSuccess,
  OwnedVodClient,
  VodClient,
  VodClientBaseOptions,
  VodCredentials,
  CredentialsProvider,
  ExpiringCredentials,
} from './vod/vod-client.js';
export { fileCredentials, type CredentialFiles, type FileCredentialsOptions } from './vod/credentials.js';
export type { VodApi } from './vod/vod-api.js';
export { createLegacyVodClient, type LegacyVodClientOptions } from './vod/legacy/client.js';
export { createApi3VodClient, type Api3VodClientOptions } from './vod/api3/client.js';
export {
  VodAbortedError,
  VodBadResponseError,
  VodConnectionError,
  VodCredentialsError,
  VodHttpStatusError,
  VodTimeoutError,
  VodTransportError,
  type TransportErrorCode,
} from './vod/errors.js';

export {
  DEV_CREDENTIAL,
  startVodEmulator,
  type EmulatorCall,
  type EmulatorCredential,
  type VodEmulator,
  type VodEmulatorOptions,
} from './emulator/server.js';
export type { CoverRecord, CoverStore } from './ledger/cover-store.js';
export { openSqliteCoverStore } from './ledger/sqlite-cover-store.js';
export {
  openPostgresCoverStore,
  type PostgresCoverStore,
  type PostgresLedgerOptions,
} from './ledger/postgres-cover-store.js';
export type { UploadClaims } from './ledger/upload-claims.js';
