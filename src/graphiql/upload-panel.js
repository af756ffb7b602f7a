// GraphiQL with files: a panel to choose a file for an `Upload` variable, and a fetcher that sends
// the operation as a GraphQL multipart request (operations, map, file part) when that variable is
// used, with the CSRF header; plain JSON otherwise. The panel previews the chosen image (size in
// bytes and pixels), shows the upload's progress, and after a success the stored cover next to it.
// Served as-is to the browser.
(() => {
  const panel = document.createElement('form');
  panel.id = 'upload-panel';
  panel.setAttribute('aria-label', 'File upload');
  panel.innerHTML =
    '<strong>Upload</strong>' +
    '<label>variable path <input id="upload-path" value="file" size="12" spellcheck="false" aria-label="variable path of the file"></label>' +
    '<input id="upload-file" type="file" accept="image/*" aria-label="file to upload">' +
    '<button id="upload-clear" type="button">Clear</button>' +
    '<progress id="upload-progress" max="1" value="0" hidden aria-label="upload progress"></progress>' +
    '<span id="upload-status" role="status"></span>' +
    '<figure id="upload-chosen" hidden><img alt="the chosen image"><figcaption></figcaption></figure>' +
    '<figure id="upload-stored" hidden><img alt="the stored cover"><figcaption></figcaption></figure>';
  document.body.insertBefore(panel, document.body.firstChild);

  const fileInput = panel.querySelector('#upload-file');
  const pathInput = panel.querySelector('#upload-path');
  const status = panel.querySelector('#upload-status');
  const progress = panel.querySelector('#upload-progress');
  const chosen = panel.querySelector('#upload-chosen');
  const stored = panel.querySelector('#upload-stored');
  let preview;

  function describe() {
    const file = fileInput.files?.[0];
    status.textContent = file
      ? `goes to $${pathInput.value.trim()} as a multipart request`
      : 'no file chosen: operations go as JSON';
  }

  /** The chosen image, small, with its name, bytes and (once decoded) pixels. */
  function showChosen() {
    const file = fileInput.files?.[0];
    if (preview) URL.revokeObjectURL(preview);
    preview = undefined;
    stored.hidden = true;
    chosen.hidden = !file;
    if (!file) return;
    preview = URL.createObjectURL(file);
    const img = chosen.querySelector('img');
    const caption = chosen.querySelector('figcaption');
    caption.textContent = `${file.name}: ${file.size} bytes`;
    img.onload = () => {
      caption.textContent = `${file.name}: ${file.size} bytes, ${img.naturalWidth} × ${img.naturalHeight}`;
    };
    img.onerror = () => {
      caption.textContent = `${file.name}: ${file.size} bytes (no preview in this browser)`;
    };
    img.src = preview;
  }

  /** After a success: the cover as VOD serves it, from its url. */
  function showStored(result) {
    const member = result?.data && Object.values(result.data).find((v) => v && typeof v === 'object' && v.url);
    if (!member) return;
    const img = stored.querySelector('img');
    const caption = stored.querySelector('figcaption');
    caption.textContent = `stored: ${member.size ?? '?'} bytes`;
    img.onload = () => {
      caption.textContent = `stored: ${member.size ?? '?'} bytes, ${img.naturalWidth} × ${img.naturalHeight}`;
    };
    img.src = member.url;
    stored.hidden = false;
  }

  fileInput.addEventListener('change', () => {
    describe();
    showChosen();
  });
  pathInput.addEventListener('input', describe);
  panel.querySelector('#upload-clear').addEventListener('click', () => {
    fileInput.value = '';
    describe();
    showChosen();
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

  /** POSTs the form with XMLHttpRequest, which (unlike fetch) reports upload progress. */
  function sendForm(endpoint, form, headers) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', endpoint);
      xhr.withCredentials = false;
      for (const name of Object.keys(headers)) xhr.setRequestHeader(name, headers[name]);
      progress.hidden = false;
      progress.value = 0;
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) progress.value = event.loaded / event.total;
        status.textContent = `uploading: ${event.loaded} of ${event.total} bytes`;
      };
      xhr.upload.onload = () => {
        progress.value = 1;
        status.textContent = 'sent; waiting for the answer';
      };
      xhr.onload = () => {
        progress.hidden = true;
        describe();
        try {
          resolve(JSON.parse(xhr.responseText));
        } catch {
          reject(new Error(`HTTP ${xhr.status}: ${xhr.responseText.slice(0, 200)}`));
        }
      };
      xhr.onerror = () => {
        progress.hidden = true;
        status.textContent = 'the upload failed (network)';
        reject(new Error('network error'));
      };
      xhr.send(form);
    });
  }

  window.VodCoverUpload = {
    fetcher: (endpoint) => (params, options) => {
      const headers = withoutContentType(options?.headers);
      const file = fileInput.files?.[0];
      const path = pathInput.value.trim();
      const variable = path.split('.')[0];
      const usesVariable = Boolean(variable && new RegExp(`\\$${variable}\\b`).test(params.query || ''));
      // Without a file the operation cannot be what the user means: say so instead of sending it.
      if (usesVariable && !file && typeof params.variables?.[variable] === 'string')
        return Promise.resolve({
          errors: [{ message: `Choose a file in the upload bar above: it goes to $${path}.` }],
        });
      if (usesVariable && file) {
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
        return sendForm(endpoint, form, headers).then((result) => {
          showStored(result);
          return result;
        });
      }
      headers['content-type'] = 'application/json';
      headers.accept = 'application/graphql-response+json, application/json';
      const request = { method: 'POST', body: JSON.stringify(params), headers: headers, credentials: 'same-origin' };
      return fetch(endpoint, request).then((response) => response.json());
    },
  };
})();
