import { describe, expect, it } from 'vitest';
import { ListFormatError, parseCloneScript, parseDependenciesMarkdown } from '../../src/discovery/ecm-lists.ts';

// Written for these tests in the shape described in docs/architecture.md, "The repository list" (not copied).
const MARKDOWN = `# RKE2 dependencies

Some words about the list.

## Hardened chart images

- rancher/image-build-alpha
- \`rancher/image-build-beta\`
* [rancher/image-build-gamma](https://github.com/rancher/image-build-gamma)
- rancher/other-thing  (not image-build)

\`\`\`
- rancher/image-build-in-a-code-block
\`\`\`

## Mirrored chart images

- mirrored-alpha-node
- mirrored-beta-controller

## Other

- rancher/image-build-delta
`;

describe('parseDependenciesMarkdown', () => {
  it('reads the bullets of the chosen section only, with their lines', () => {
    expect(parseDependenciesMarkdown(MARKDOWN, 'Hardened chart images')).toEqual([
      { value: 'rancher/image-build-alpha', line: 7 },
      { value: 'rancher/image-build-beta', line: 8 },
      { value: 'rancher/image-build-gamma', line: 9 },
      { value: 'rancher/other-thing', line: 10 },
    ]);
  });

  it('matches the section title loosely and reads CRLF files', () => {
    const crlf = MARKDOWN.replace(/\n/g, '\r\n');
    expect(parseDependenciesMarkdown(crlf, '  hardened  CHART images ').map((e) => e.value)).toHaveLength(4);
    expect(parseDependenciesMarkdown(MARKDOWN, 'Other').map((e) => e.value)).toEqual(['rancher/image-build-delta']);
  });

  it('says which sections exist when the one asked for does not', () => {
    expect(() => parseDependenciesMarkdown(MARKDOWN, 'Hardened images', 'x/y:docs/list.md')).toThrow(
      'x/y:docs/list.md: no "## Hardened images" section (sections found: Hardened chart images, Mirrored chart images, Other)',
    );
  });
});

const SCRIPT = `#!/bin/sh
# Clone every image-build repository next to this one.
set -e

# REPOS="commented/out"
REPOS="rancher/image-build-alpha
rancher/image-build-beta
    rancher/image-build-gamma
"

for repo in $REPOS; do
  git clone "https://github.com/\${repo}.git"
done
`;

describe('parseCloneScript', () => {
  it('splits the REPOS string as the shell would, ignoring commented assignments', () => {
    expect(parseCloneScript(SCRIPT)).toEqual([
      { value: 'rancher/image-build-alpha', line: 6 },
      { value: 'rancher/image-build-beta', line: 7 },
      { value: 'rancher/image-build-gamma', line: 8 },
    ]);
  });

  it('understands +=, single quotes, export and arrays', () => {
    expect(parseCloneScript(`export REPOS='a/b c/d'\nREPOS+=" e/f"\n`).map((e) => e.value)).toEqual(['a/b', 'c/d', 'e/f']);
    expect(parseCloneScript(`REPOS=(\n  a/b # first\n  "c/d"\n)\n`).map((e) => e.value)).toEqual(['a/b', 'c/d']);
    expect(parseCloneScript(`REPOS=a/b\n`).map((e) => e.value)).toEqual(['a/b']);
  });

  it('refuses expansions instead of guessing, and reports a missing variable', () => {
    expect(() => parseCloneScript('REPOS="a/b $(curl evil)"\n', 'REPOS', 'f.sh')).toThrow(/f\.sh:1: the list uses a shell expansion/);
    expect(() => parseCloneScript('OTHER="a/b"\n', 'REPOS', 'f.sh')).toThrow(ListFormatError);
    expect(() => parseCloneScript('REPOS="a/b\n', 'REPOS', 'f.sh')).toThrow(/unterminated/);
  });
});
