import type { Models } from '../models/index.js';

/** What every repository function needs: the connection's models and a clock (injectable for lease tests). */
export interface RepoContext {
  models: Models;
  now: () => Date;
}
