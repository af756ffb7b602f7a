/**
 * The README and docs/ as a reader follows them: the README stays a front door (at most 500
 * lines, a contents list), and every relative link, anchor included, leads somewhere.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const documents = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const textOf = (path: string) => readFileSync(join(root, path), 'utf8');

/** GitHub's anchor for a heading: lower-cased, punctuation but `-` and `_` dropped, spaces as `-`. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown file's headings (outside code blocks), as GitHub makes them. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  let inCode = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) inCode = !inCode;
    const heading = !inCode && /^#{1,6} (.+)$/.exec(line);
    if (heading) anchors.add(anchorOf(heading[1]!));
  }
  return anchors;
}

describe('the README', () => {
  const readme = textOf('README.md');

  it('is at most 500 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(500);
  });

  it('lists its contents, linking each of its sections', () => {
    const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => anchorOf(m[1]!)).filter((a) => a !== 'contents');
    const contents = readme.slice(
      readme.indexOf('## Contents'),
      readme.indexOf('\n## ', readme.indexOf('## Contents') + 1),
    );
    expect(sections.filter((anchor) => !contents.includes(`](#${anchor})`))).toEqual([]);
  });
});

describe('the documents’ links', () => {
  it('computes GitHub’s anchors', () => {
    expect(anchorOf('What is refused, and how')).toBe('what-is-refused-and-how');
    expect(anchorOf('`createGateway`: a server of its own')).toBe('creategateway-a-server-of-its-own');
    expect(anchorOf('Fitting photos (`COVER_FIT=on`)')).toBe('fitting-photos-cover_fiton');
  });

  it.each(documents)('%s: every relative link names a file that exists, and a heading there', (path) => {
    const broken: string[] = [];
    const text = textOf(path).replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [file, anchor] = target!.split('#') as [string, string | undefined];
      const resolved = file === '' ? join(root, path) : join(root, dirname(path), file);
      if (!existsSync(resolved)) {
        broken.push(`${target}: no ${relative(root, resolved)}`);
        continue;
      }
      if (anchor !== undefined && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor))
        broken.push(`${target}: no such heading in ${relative(root, resolved)}`);
    }
    expect(broken).toEqual([]);
  });
});
