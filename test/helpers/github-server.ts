// The OpenAPI-checked fake GitHub lives in scripts/local-github/ so that `npm run demo` can use it too.
export * from '../../scripts/local-github/api-server.ts';
