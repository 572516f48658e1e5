/**
 * One glob dialect for the paths the tool matches: build-context files against `.dockerignore`,
 * a pull request's changed files against the review action's `paths`.
 *
 * A path glob as `.dockerignore` (Go's filepath.Match per path element) and GitHub Actions'
 * `paths:` filters write it: `*` and `?` stay inside one folder, `**` spans any number of them,
 * `[...]` is a character class (`[!...]` or `[^...]` negated) and `\` escapes the next character.
 *
 * The same dialect without `**` is a shell's glob (`install -s bin/*`) and COPY's source pattern
 * (Go's filepath.Match): `globstar: false` makes `**` two `*`s, inside one folder. Repository
 * names match case-insensitively, as GitHub compares them (`ignoreCase`).
 */
export function globToRegExp(glob: string, o: { globstar?: boolean; ignoreCase?: boolean } = {}): RegExp {
  const globstar = o.globstar ?? true;
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (globstar && c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/^\^/, '!');
        re += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`.replace(/\\/g, '\\\\');
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      i++;
      re += escape(glob[i]!);
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`, o.ignoreCase ? 'i' : '');
}

const escape = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
