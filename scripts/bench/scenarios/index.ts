import type { Scenario } from '../harness.js';
import { storeScenario } from './store.js';

/** Every named scenario, in the order `npm run bench` runs them. Add new ones here. */
export const scenarios: readonly Scenario[] = [storeScenario];
