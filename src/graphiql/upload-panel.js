// GraphiQL with files: a panel to choose a file for an `Upload` variable, and a fetcher that sends
// the operation as a GraphQL multipart request (operations, map, file part) when that variable is
// used, with the CSRF header; plain JSON otherwise. Served as-is to the browser.
(() => {
  const panel = document.createElement('form');
  panel.id = 'upload-panel';
  panel.setAttribute('aria-label', 'File upload');
  panel.innerHTML =
    '<strong>Upload</strong>' +
    '<label>variable path <input id="upload-path" value="file" size="12" spellcheck="false" aria-label="variable path of the file"></label>' +
    '<input id="upload-file" type="file" accept="image/jpeg,image/png,image/gif,image/webp,image/bmp" aria-label="file to upload">' +
    '<button id="upload-clear" type="button">Clear</button>' +
    '<span id="upload-status" role="status"></span>';
  document.body.insertBefore(panel, document.body.firstChild);

  const fileInput = panel.querySelector('#upload-file');
  const pathInput = panel.querySelector('#upload-path');
  const status = panel.querySelector('#upload-status');

  function describe() {
    const file = fileInput.files?.[0];
    status.textContent = file
      ? `${file.name} (${file.size} bytes) goes to $${pathInput.value.trim()} as a multipart request`
      : 'no file chosen: operations go as JSON';
  }
  fileInput.addEventListener('change', describe);
  pathInput.addEventListener('input', describe);
  panel.querySelector('#upload-clear').addEventListener('click', () => {
    fileInput.value = '';
    describe();
  });
  panel.addEventListener('submit', (event) => {
    event.preventDefault();
  });
  describe();

  /** Sets `value` at a dotted path (`file`, `input.files.0`) of `target`, making objects on the way. */
  function setPath(target, path, value) {
    const keys = path.split('.');
    let node = target;
    for (let i = 0; i < keys.length - 1; i++) {
      if (node[keys[i]] === null || typeof node[keys[i]] !== 'object')
        node[keys[i]] = /^\d+$/.test(keys[i + 1]) ? [] : {};
      node = node[keys[i]];
    }
    node[keys[keys.length - 1]] = value;
  }

  function withoutContentType(headers) {
    const copy = {};
    Object.keys(headers || {}).forEach((name) => {
      if (name.toLowerCase() !== 'content-type') copy[name] = headers[name];
    });
    return copy;
  }

  window.VodCoverUpload = {
    fetcher: (endpoint) => (params, options) => {
      const headers = withoutContentType(options?.headers);
      const file = fileInput.files?.[0];
      const path = pathInput.value.trim();
      const variable = path.split('.')[0];
      const usesFile = Boolean(file && variable && new RegExp(`\\$${variable}\\b`).test(params.query || ''));
      let request;
      if (usesFile) {
        const variables = JSON.parse(JSON.stringify(params.variables || {}));
        setPath(variables, path, null);
        const form = new FormData();
        form.append(
          'operations',
          JSON.stringify({ query: params.query, operationName: params.operationName, variables: variables }),
        );
        form.append('map', JSON.stringify({ 0: [`variables.${path}`] }));
        form.append('0', file, file.name);
        headers['x-graphql-yoga-csrf'] = 'graphiql';
        request = { method: 'POST', body: form, headers: headers, credentials: 'same-origin' };
      } else {
        headers['content-type'] = 'application/json';
        headers.accept = 'application/graphql-response+json, application/json';
        request = { method: 'POST', body: JSON.stringify(params), headers: headers, credentials: 'same-origin' };
      }
      return fetch(endpoint, request).then((response) => response.json());
    },
  };
})();
