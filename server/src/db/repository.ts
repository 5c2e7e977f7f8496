/** The data layer's entry point; the implementation lives in ./repository/. */
export * from './repository/index.js';
