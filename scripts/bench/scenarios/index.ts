import type { Scenario } from '../harness.js';
import { capacityScenario } from './capacity.js';
import { cycleScenario } from './cycle.js';
import { fanoutScenario, multinodeScenario } from './fanout.js';
import { firstTokenScenario } from './firstToken.js';
import { framesScenario } from './frames.js';
import { memoryScenario } from './memory.js';
import { statsScenario } from './stats.js';
import { storeScenario } from './store.js';
import { voiceTurnScenario } from './voiceTurn.js';

/** Every named scenario, in the order `npm run bench` runs them. Add new ones here. */
export const scenarios: readonly Scenario[] = [storeScenario, cycleScenario, firstTokenScenario, fanoutScenario, framesScenario, multinodeScenario, capacityScenario, memoryScenario, statsScenario, voiceTurnScenario];
