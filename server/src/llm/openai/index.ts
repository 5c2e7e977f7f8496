export { createOpenAiInterviewer, type OpenAiInterviewer, type OpenAiInterviewerOptions } from './interviewer.js';
export type { BreakerOptions, BreakerState } from './breaker.js';
export { DEFAULT_PRICING, priceFor, usageOf, type ModelPrice, type PricingTable } from './pricing.js';
export { abortError, isAbortError } from './errors.js';
