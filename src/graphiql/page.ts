import { GRAPHIQL_ASSETS_PATH } from './assets.js';

/** What the GraphiQL page opens with. */
export interface GraphiqlPageOptions {
  title: string;
  endpoint: string;
  /** The first tab's operation. */
  query: string;
  /** The first tab's variables, as JSON text. */
  variables: string;
}

/**
 * GraphiQL (Yoga's build) with the upload panel, every asset from this service: Yoga's default
 * page loads its script, CSS and editor workers from a public CDN and shows nothing offline.
 */
export function renderGraphiqlPage(options: GraphiqlPageOptions): string {
  const asset = (name: string) => `${GRAPHIQL_ASSETS_PATH}${name}`;
  const opts = JSON.stringify({ ...options, defaultQuery: options.query }).replaceAll('<', '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(options.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset('graphiql.css')}">
<style>
  html, body { height: 100%; margin: 0; }
  body { display: flex; flex-direction: column; }
  #root { flex: 1; min-height: 0; }
  #root > .graphiql-container { height: 100%; }
  #upload-panel { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; padding: 6px 12px;
    font: 13px system-ui, sans-serif; background: #f4f6f8; border-bottom: 1px solid #d0d7de; }
  #upload-panel input[type=text], #upload-panel #upload-path { font: 13px ui-monospace, monospace; }
  #upload-status { color: #57606a; }
  #upload-panel figure { display: flex; align-items: center; gap: 6px; margin: 0; }
  #upload-panel figure[hidden] { display: none; }
  #upload-panel figure img { max-height: 48px; max-width: 96px; border: 1px solid #d0d7de; }
  #upload-panel figcaption { color: #57606a; }
  #upload-progress { width: 120px; }
</style>
</head>
<body class="no-focus-outline">
<div id="root">Loading ${escapeHtml(options.title)}…</div>
<script>
  // Monaco's workers, from this service.
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_moduleId, label) {
      return { editorWorkerService: '${asset('editor.worker.js')}', json: '${asset('json.worker.js')}', graphql: '${asset('graphql.worker.js')}' }[label];
    },
  };
</script>
<script src="${asset('yoga-graphiql.umd.js')}"></script>
<script src="${asset('upload-panel.js')}"></script>
<script>
  var opts = ${opts};
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), Object.assign({}, opts, { fetcher: VodCoverUpload.fetcher(opts.endpoint) }));
</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
