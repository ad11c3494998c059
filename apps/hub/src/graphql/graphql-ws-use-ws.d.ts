// graphql-ws publishes `graphql-ws/use/ws` through package "exports", which the repo's
// node10 module resolution does not read; the runtime (Node, vitest) resolves it fine.
declare module 'graphql-ws/use/ws' {
  export * from 'graphql-ws/dist/use/ws';
}
