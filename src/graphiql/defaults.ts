import type { YogaServerOptions } from 'graphql-yoga';
import { renderGraphiqlPage } from './page.js';

/** GraphiQL is on outside production (NODE_ENV), unless said otherwise. */
export const graphiqlByDefault = (): boolean => process.env['NODE_ENV'] !== 'production';

const TITLE = 'vod-cover-gateway';

const DEFAULT_QUERY = `# Upload a cover: choose a file above (it goes to the \`file\` variable as a
# GraphQL multipart request), then run. \`query { uploadLimits { … } }\` says what is accepted.
mutation UploadVideoCover($fileId: ID!, $file: Upload!) {
  uploadVideoCover(fileId: $fileId, file: $file) {
    __typename
    ... on UploadVideoCoverSuccess { fileId url sha1 size width height transformed instant }
    ... on UploadVideoCoverError { code reason message canRetry }
  }
}
`;

// A string where the file goes: GraphiQL's variables editor marks `null` (and a missing value) as
// the wrong type for `Upload!`; the panel's fetcher puts the chosen file there.
const DEFAULT_VARIABLES = `{
  "fileId": "9031868222807461771",
  "file": "the file chosen above"
}`;

/** Yoga's GraphiQL options: the upload mutation in the first tab, every asset from this service (page.ts). */
export function graphiqlOptions(
  enabled: boolean,
): Pick<YogaServerOptions<object, object>, 'graphiql' | 'renderGraphiQL'> {
  return {
    graphiql: enabled
      ? { title: TITLE, defaultQuery: DEFAULT_QUERY, defaultEditorToolsVisibility: 'variables' }
      : false,
    renderGraphiQL: () => renderGraphiqlPage({ title: TITLE, query: DEFAULT_QUERY, variables: DEFAULT_VARIABLES }),
  };
}
