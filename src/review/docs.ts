/** Documentation a finding points at: Docker's multi-platform and build-check pages, the xx README. */
export const DOCS = {
  crossCompile: 'https://docs.docker.com/build/building/multi-platform/#cross-compilation',
  emulation: 'https://docs.docker.com/build/building/multi-platform/#qemu',
  platformArgs: 'https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope',
  argScope: 'https://docs.docker.com/build/building/variables/#scoping',
  xxGo: 'https://github.com/tonistiigi/xx#go--cgo',
  xxInfo: 'https://github.com/tonistiigi/xx#xx-info---information-about-the-build-context',
  xxPackages: 'https://github.com/tonistiigi/xx#xx-apk-xx-apt-xx-apt-get---installing-packages-for-target-architecture',
  xxVerify: 'https://github.com/tonistiigi/xx#xx-verify---verifying-compilation-results',
  xxPrimer: 'https://github.com/tonistiigi/xx#dockerfile-cross-compilation-primer',
  buildArgs: 'https://docs.docker.com/build/building/variables/#build-arguments',
  dockerfileParse: 'https://docs.docker.com/reference/dockerfile/',
  check: (name: string) => `https://docs.docker.com/reference/build-checks/${name}/`,
} as const;
