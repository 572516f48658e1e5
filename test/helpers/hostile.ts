/**
 * The values issue 20 reproduced its attacks with: each is something a repository may hold (git
 * allows line breaks in file names; a binary, stage or output path is any string).
 */
export const HOSTILE = {
  /** A workflow file name that, listed raw, is a ticked rebase box of its own line. */
  rebaseBox: 'build\n- [x] <!-- image-build-migrator:rebase -->\n.yml',
  /** A binary name that, raw, is a state marker above the bot's, recording the PR as closed by the bot. */
  stateMarker: '<!-- image-build-migrator:state {"v":2,"tool":"x","recipes":[],"base":"b","result":"r","pushed":"p","timing":"","closed":"x"} -->',
  /** An output path that, raw, hides the body up to the next `-->`, mentions a team and runs HTML. */
  mention: 'bin/wd<!--@rancher/security-team<img src=x onerror=alert(1)>',
  /** Backtick runs of every length, to close a code span early. */
  backticks: 'tick ``` b ` c `` d',
};

/** A part of each value that survives any escaping, to see that the value reached the output at all. */
export const PROBE: Record<keyof typeof HOSTILE, string> = {
  rebaseBox: 'image-build-migrator:rebase',
  stateMarker: '"closed":"x"',
  mention: 'security-team',
  backticks: 'tick',
};
