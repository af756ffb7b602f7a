/**
 * The source text of a top-level member's value in a JSON object text that `JSON.parse` already
 * accepted (so the scan can trust its shape), or undefined when the object has no such member.
 * As with `JSON.parse`, the last of duplicate names wins. Used to keep a number that does not fit
 * in a double (VOD's 17–19-digit ids) digit for digit.
 */
export function rawTopLevelMember(json: string, name: string): string | undefined {
  let i = skipSpace(json, 0);
  if (json[i] !== '{') return undefined;
  i = skipSpace(json, i + 1);
  let found: string | undefined;
  while (json[i] === '"') {
    const nameEnd = endOfString(json, i);
    const memberName = JSON.parse(json.slice(i, nameEnd)) as string;
    i = skipSpace(json, skipSpace(json, nameEnd) + 1);
    const valueEnd = endOfValue(json, i);
    if (memberName === name) found = json.slice(i, valueEnd);
    i = skipSpace(json, valueEnd);
    if (json[i] === ',') i = skipSpace(json, i + 1);
  }
  return found;
}

function skipSpace(json: string, i: number): number {
  while (json[i] === ' ' || json[i] === '\t' || json[i] === '\n' || json[i] === '\r') i++;
  return i;
}

/** Index just past the string starting at `i` (a quote). */
function endOfString(json: string, i: number): number {
  for (let j = i + 1; ; j++) {
    if (json[j] === '\\') j++;
    else if (json[j] === '"') return j + 1;
  }
}

/** Index just past the value starting at `i`. */
function endOfValue(json: string, i: number): number {
  const first = json[i];
  if (first === '"') return endOfString(json, i);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let j = i; ; j++) {
      const c = json[j];
      if (c === '"') j = endOfString(json, j) - 1;
      else if (c === '{' || c === '[') depth++;
      else if ((c === '}' || c === ']') && --depth === 0) return j + 1;
    }
  }
  let j = i;
  while (j < json.length && !',}] \t\n\r'.includes(json[j]!)) j++;
  return j;
}
