/** A `map` field that cannot be accepted, with the kind of refusal it gets (src/http/request-refusals.ts). */
export interface MapProblem {
  kind: 'bad-multipart' | 'multipart-too-large';
  message: string;
}

/**
 * Checks a GraphQL multipart request's `map` against its `operations` before any file part is
 * placed (GraphQL multipart request spec): each path must lead, through the operations' own
 * properties (array indexes in range), to a `null` leaf, the place a file stands for, and no place
 * may be named twice. Anything else (a path into a prototype, into a built-in, past a leaf) is
 * refused, whatever its names: a blocklist of names cannot know every shared object a path reaches.
 */
export function checkMultipartMap(operations: unknown, map: unknown, maxFiles: number): MapProblem | undefined {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    return {
      kind: 'bad-multipart',
      message: "The 'map' field must be a JSON object of file part names to arrays of paths.",
    };
  }
  const entries = Object.entries(map as Record<string, unknown>);
  if (entries.length > maxFiles) {
    return {
      kind: 'multipart-too-large',
      message: `The 'map' field names ${entries.length} files; at most ${maxFiles} is accepted.`,
    };
  }
  const taken = new Set<string>();
  for (const [part, paths] of entries) {
    if (!Array.isArray(paths) || paths.length === 0) {
      return {
        kind: 'bad-multipart',
        message: `The 'map' entry of part ${JSON.stringify(part)} must be a non-empty array of paths.`,
      };
    }
    for (const path of paths as unknown[]) {
      if (typeof path !== 'string' || !leadsToNull(operations, path)) {
        return {
          kind: 'bad-multipart',
          message: `The 'map' path ${JSON.stringify(path)} of part ${JSON.stringify(part)} is not a null value of 'operations' (a file's place is a variable set to null).`,
        };
      }
      if (taken.has(path))
        return { kind: 'bad-multipart', message: `The 'map' path ${JSON.stringify(path)} is named twice.` };
      taken.add(path);
    }
  }
  return undefined;
}

function leadsToNull(operations: unknown, path: string): boolean {
  let value: unknown = operations;
  for (const key of path.split('.')) {
    if (Array.isArray(value)) {
      if (!/^(0|[1-9][0-9]*)$/.test(key) || Number(key) >= value.length) return false;
    } else if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) {
      return false;
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value === null;
}
