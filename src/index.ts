/**
 * vod-cover-gateway as a library: the gateway, its parts others reuse, and their option types.
 * Importing it starts nothing; `createGateway(…).listen()` does.
 */
export { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
export type { GatewayContext } from './context.js';
export {
  useStreamingUploads,
  type StreamingUploadsContext,
  type StreamingUploadsOptions,
} from './plugins/use-streaming-uploads.js';
export type { UploadRequest } from './http/upload-request.js';
export {
  useAuthentication,
  type AuthenticatedCaller,
  type AuthenticationContext,
  type AuthenticationOptions,
} from './auth/use-authentication.js';
export type { JwtOptions } from './auth/jwt-verifier.js';
export { UPLOAD_SCOPE, type AuthorizeUpload } from './auth/upload-policy.js';
export { ROUTER_SIGNATURE_EXTENSION, withFilesAsEmpty } from './auth/router-signature.js';
export {
  createVodClient,
  type SmallFileUploadFailure,
  type SmallFileUploadInput,
  type SmallFileUploadResult,
  type SmallFileUploadSuccess,
  type VodClient,
  type VodClientOptions,
} from './vod/client.js';
export { createApi3VodClient, type Api3VodClientOptions } from './vod/api3-client.js';
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
