import type { Phase } from '../../../shared/plan.js';
import type { InterviewStatus } from '../../../shared/interview.js';

const PHASE_LABEL: Record<Phase, string> = { warmup: 'Warm-up', standard: 'Core questions', advanced: 'Advanced' };

export const STATUS_LABEL: Record<InterviewStatus, string> = {
  created: 'Not started',
  active: 'In progress',
  paused: 'Paused',
  ended_pending_webhook: 'Ended — saving',
  completed: 'Completed',
  abandoned: 'Abandoned',
  orphaned: 'Orphaned call',
};

export function phaseLabel(phase: Phase): string {
  return PHASE_LABEL[phase];
}

interface ProgressProps {
  progress: { number: number; phase: Phase } | null;
  status: InterviewStatus | null;
}

export function Progress({ progress, status }: ProgressProps) {
  return (
    <p className="progress" data-testid="progress">
      <span>
        {progress ? (
          <>
            Question <strong>{progress.number}</strong> · {PHASE_LABEL[progress.phase]}
          </>
        ) : (
          'No question yet'
        )}
      </span>
      {status && <span className={`pill pill-${status}`}>{STATUS_LABEL[status]}</span>}
    </p>
  );
}
