// The @actions/core runtime is exported separately so the CLI never loads it.
export * from './action-runtime';
