import { describe, it } from 'vitest';
import { GOOD, expectNoRule, expectRule } from './helpers.ts';

describe('native-go-after-wrap', () => {
  it('fires on go generate and go run after the wrap', () => {
    const text = GOOD.replace('RUN xx-go --wrap && \\', 'RUN xx-go --wrap && go generate ./... && go run ./hack/gen && \\');
    expectRule(text, 'native-go-after-wrap', [8, 8], 'error');
  });

  it('fires on go install of a versioned tool in a child stage of the wrap', () => {
    const text = GOOD.replace('FROM scratch', 'FROM builder AS gen\nRUN go install sigs.k8s.io/controller-tools/cmd/controller-gen@v0.14.0 && controller-gen object paths=./...\nFROM scratch');
    expectRule(text, 'native-go-after-wrap', [12], 'error');
  });

  it('only warns on go install of a local package and make codegen', () => {
    const text = GOOD.replace('RUN xx-verify', 'RUN go install ./cmd/widgetd && make generate\nRUN xx-verify');
    // `go install ./cmd/x` builds the repository's own binary: a compile, not a native tool.
    expectRule(text, 'native-go-after-wrap', [10], 'warning');
  });

  it('is silent when codegen runs before the wrap, or is given the build arch', () => {
    const text = GOOD.replace('ARG TARGETPLATFORM\n', 'RUN go generate ./... && go install golang.org/x/tools/cmd/stringer@v0.20.0\nARG TARGETPLATFORM\n');
    expectNoRule(text, 'native-go-after-wrap');
    const explicit = GOOD.replace('RUN xx-verify', 'ARG BUILDARCH\nRUN GOARCH=$BUILDARCH CGO_ENABLED=0 go run ./hack/gen\nRUN xx-verify');
    expectNoRule(explicit, 'native-go-after-wrap');
  });
});
