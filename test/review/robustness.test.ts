import { describe, expect, it } from 'vitest';
import { df, review, show } from './helpers.ts';

describe('odd but valid input', () => {
  const cases: Record<string, string> = {
    'index refs and unnamed stages': df`
      FROM --platform=$BUILDPLATFORM golang:1.22
      RUN go build -o /x .
      FROM alpine
      COPY --from=0 /x /x
    `,
    'exec form RUN and ONBUILD': df`
      FROM --platform=$BUILDPLATFORM golang:1.22 AS b
      RUN ["go", "build", "-o", "/x", "."]
      ONBUILD RUN echo $TARGETARCH
      FROM alpine
      COPY --from=b /x /x
    `,
    'escape directive': '# escape=`\nFROM alpine\nRUN echo a `\n    b\n',
    'pure mirror (P14)': 'FROM upstream/thing:v1.2.3\n',
    'stage copying from an external image': 'FROM alpine\nCOPY --from=busybox:1.36 /bin/busybox /bin/\n',
    'empty RUN lines and comments only': 'FROM alpine\n# nothing\nRUN true\n',
    'FROM a stage that is an index': 'FROM golang:1.22\nFROM 0\n',
    'heredoc with tabs stripped': 'FROM alpine\nRUN <<-EOT\n\techo hi\n\tEOT\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`${name}: reviewed without throwing`, () => {
      expect(() => review(text)).not.toThrow();
      expect(() => review(text.replace(/\n/g, '\r\n'))).not.toThrow();
    });
  }

  it('an index COPY --from counts as reaching the target', () => {
    expect(review(cases['index refs and unnamed stages']!).map((f) => f.rule)).toContain('cross-setup-missing');
  });

  it('a parse error is one finding with its line', () => {
    const findings = review('FROM alpine\nRUN true\nCOPPY a b\n');
    expect(show(findings)).toBe('3:0 error parse: unknown instruction "COPPY"');
  });

  it('a file without FROM is a parse error', () => {
    expect(review('ARG X=1\n').map((f) => f.rule)).toEqual(['parse']);
  });
});
