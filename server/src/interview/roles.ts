import type { RoleProfile } from '../llm/port.js';

/**
 * The roles Candor can interview for (GET /api/roles). Skill ids are what the
 * plan records in `asked[].skill` and what question banks and scores refer to,
 * so renaming one orphans stored interviews: add new ids instead.
 */
export const ROLES: readonly RoleProfile[] = [
  {
    id: 'backend-engineer',
    title: 'Backend Engineer',
    description: 'Designs, builds and operates the APIs, data stores and services behind a product.',
    skills: [
      { id: 'api-design', name: 'API design' },
      { id: 'data-modeling', name: 'Databases & data modeling' },
      { id: 'system-design', name: 'System design & scalability' },
      { id: 'concurrency', name: 'Concurrency & performance' },
      { id: 'reliability', name: 'Reliability & debugging' },
    ],
  },
  {
    id: 'frontend-engineer',
    title: 'Frontend Engineer',
    description: 'Builds fast, accessible and maintainable user interfaces for the web.',
    skills: [
      { id: 'javascript', name: 'JavaScript & TypeScript' },
      { id: 'ui-architecture', name: 'Component & state architecture' },
      { id: 'web-performance', name: 'Web performance' },
      { id: 'accessibility', name: 'Accessibility & UX' },
      { id: 'frontend-testing', name: 'Testing & tooling' },
    ],
  },
  {
    id: 'data-scientist',
    title: 'Data Scientist',
    description: 'Turns data into decisions with statistics, experiments and machine-learning models.',
    skills: [
      { id: 'statistics', name: 'Statistics & probability' },
      { id: 'experimentation', name: 'Experimentation & A/B testing' },
      { id: 'machine-learning', name: 'Machine learning' },
      { id: 'data-wrangling', name: 'SQL & data wrangling' },
      { id: 'insight-communication', name: 'Communicating insights' },
    ],
  },
  {
    id: 'product-manager',
    title: 'Product Manager',
    description: 'Finds the problems worth solving and leads a team to ship and measure the solutions.',
    skills: [
      { id: 'discovery', name: 'Customer discovery' },
      { id: 'prioritization', name: 'Prioritization & strategy' },
      { id: 'product-metrics', name: 'Metrics & analytics' },
      { id: 'execution', name: 'Execution & delivery' },
      { id: 'stakeholders', name: 'Stakeholder management' },
    ],
  },
  {
    id: 'site-reliability-engineer',
    title: 'Site Reliability Engineer',
    description: 'Keeps production fast and available through automation, observability and calm incident response.',
    skills: [
      { id: 'slos', name: 'SLOs & error budgets' },
      { id: 'observability', name: 'Monitoring & observability' },
      { id: 'incident-response', name: 'Incident response' },
      { id: 'infrastructure', name: 'Infrastructure & automation' },
      { id: 'capacity', name: 'Capacity & performance' },
    ],
  },
];

const BY_ID = new Map(ROLES.map((role) => [role.id, role]));

export function findRole(id: string): RoleProfile | undefined {
  return BY_ID.get(id);
}
