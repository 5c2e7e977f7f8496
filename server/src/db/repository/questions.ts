import { parseOrThrow } from '../../../../shared/errors.js';
import { nodeIdSchema } from '../../../../shared/interview.js';
import { dbCall } from '../errors.js';
import type { RepoContext } from './context.js';

/**
 * A restarted process releases the turn leases its previous incarnation held
 * (same node name, other boot id): that process is dead, so a reconnecting
 * candidate need not wait for the lease to run out. Returns how many it freed.
 */
export async function releaseLeasesOfPreviousBoot(
  ctx: RepoContext,
  nodeName: string,
  currentNode: string,
): Promise<number> {
  const name = parseOrThrow(nodeIdSchema, nodeName, 'node name');
  const me = parseOrThrow(nodeIdSchema, currentNode, 'node id');
  const prefix = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}#`);
  return dbCall(async () => {
    const res = await ctx.models.Interview.updateMany(
      { 'turn.state': { $eq: 'generating' }, 'turn.node': { $regex: prefix, $ne: me } },
      { $set: { 'turn.leaseUntil': new Date(0) } },
    );
    return res.modifiedCount;
  });
}

/** Sessions whose turn is still marked generating (start-up recovery and tests). */
export async function findGenerating(ctx: RepoContext, limit = 500): Promise<Array<{ clientSessionId: string }>> {
  return dbCall(async () =>
    ctx.models.Interview.find({ 'turn.state': { $eq: 'generating' }, status: { $in: ['active', 'paused'] } }, { clientSessionId: 1 })
      .limit(limit)
      .lean<Array<{ clientSessionId: string }>>(),
  );
}
