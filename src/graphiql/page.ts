import { GRAPHIQL_ASSETS_DIR } from './assets.js';

/** What the GraphiQL page opens with. */
export interface GraphiqlPageOptions {
  title: string;
  /** The first tab's operation. */
  query: string;
  /** The first tab's variables, as JSON text. */
  variables: string;
}

/**
 * GraphiQL (Yoga's build) with the upload panel, every asset from this service: Yoga's default
 * page loads its script, CSS and editor workers from a public CDN and shows nothing offline. The
 * page is served at the GraphQL endpoint, so it takes that from its own location, and its assets
 * from below it: mounted under any path (a host's `/api/graphql`), it still finds both.
 */
export function renderGraphiqlPage(options: GraphiqlPageOptions): string {
  const opts = JSON.stringify({
    title: options.title,
    query: options.query,
    variables: options.variables,
    defaultQuery: options.query,
  }).replaceAll('<', '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(options.title)}</title>
<link rel="icon" href="data:,">
<style>
${PAGE_STYLE}
</style>
</head>
<body class="no-focus-outline">
<div id="root">Loading ${escapeHtml(options.title)}…</div>
<script>
${bootScript(opts)}
</script>
</body>
</html>
`;
}

/** The editor fills the page below the upload panel. */
const PAGE_STYLE = `  html, body { height: 100%; margin: 0; }
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
  #upload-progress { width: 120px; }`;

/** Finds the endpoint and the assets from the page's own location, loads GraphiQL and the panel. */
function bootScript(opts: string): string {
  return `  // The endpoint is where this page is; its assets are below it (graphiql/assets.ts).
  var endpoint = location.pathname;
  while (endpoint.length > 1 && endpoint.charAt(endpoint.length - 1) === '/') endpoint = endpoint.slice(0, -1);
  var assets = endpoint + '/${GRAPHIQL_ASSETS_DIR}';
  // Monaco's workers, from this service.
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_moduleId, label) {
      return assets + { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' }[label];
    },
  };
  var css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = assets + 'graphiql.css';
  document.head.appendChild(css);
  function load(name) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = assets + name;
      script.onload = resolve;
      script.onerror = function () { reject(new Error('GraphiQL could not load ' + script.src)); };
      document.head.appendChild(script);
    });
  }
  var opts = Object.assign(${opts}, { endpoint: endpoint });
  load('yoga-graphiql.umd.js')
    .then(function () { return load('upload-panel.js'); })
    .then(function () {
      YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), Object.assign({}, opts, { fetcher: VodCoverUpload.fetcher(endpoint) }));
    })
    .catch(function (error) { document.getElementById('root').textContent = error.message; });`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
