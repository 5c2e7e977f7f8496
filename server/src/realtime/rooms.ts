/** Room names. Candidate sockets of a session join `session:<id>`, its watchers `watch:<id>`. */
export const sessionRoom = (clientSessionId: string) => `session:${clientSessionId}`;
export const watchRoom = (clientSessionId: string) => `watch:${clientSessionId}`;
/** Recruiters subscribed to the live session list. */
export const SESSIONS_ROOM = 'sessions';
/** Every /monitor socket of one recruiter (on every node): what revocation disconnects. */
export const recruiterRoom = (recruiterId: string) => `recruiter:${recruiterId}`;
