export { ScriptedInterviewer, DEFAULT_TOKEN_DELAY_MS } from './interviewer.js';
export type { ComposedQuestion, ScriptedInterviewerOptions } from './interviewer.js';
export { BANKS, bankFor } from './banks/index.js';
export type { BankQuestion, QuestionBank } from './banks/index.js';
