// git smart HTTP through `git http-backend`; shared with the local GitHub in scripts/local-github/.
export * from '../../scripts/local-github/git-http.ts';
