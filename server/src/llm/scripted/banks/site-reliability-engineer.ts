import { defineBank } from './types.js';

export const siteReliabilityEngineerBank = defineBank('site-reliability-engineer', 'sre', {
  slos: {
    keywords: ['slo', 'sli', 'sla', 'error budget', 'availability', 'latency', 'percentile', 'nines', 'burn rate', 'reliability', 'user journey', 'objective', 'target', 'policy', 'toil', 'alerting', 'measurement', 'window', 'customer', 'trade-off'],
    questions: [
      [1, "To get started, tell me about a system you've helped keep running. What did 'reliable' mean for its users?"],
      [2, "What's the difference between an SLI, an SLO and an SLA?"],
      [2, 'How would you choose an availability target for an internal API that other teams depend on?'],
      [3, 'Explain error budgets. What should happen when a team exhausts its error budget?'],
      [3, 'How would you define latency SLIs for a checkout flow, and why use percentiles rather than averages?'],
      [4, 'Design burn-rate alerting for a 99.9% SLO so that you catch both fast and slow burns without paging people for noise.'],
      [5, "A product with 40 microservices has no SLOs. How would you introduce them across the organization, and how do you handle dependencies between services' targets?"],
    ],
  },
  observability: {
    keywords: ['metrics', 'logs', 'traces', 'tracing', 'prometheus', 'grafana', 'opentelemetry', 'dashboard', 'alert', 'cardinality', 'histogram', 'percentile', 'golden signals', 'sampling', 'correlation id', 'structured logging', 'span', 'exemplar', 'saturation', 'error rate'],
    questions: [
      [1, 'Tell me about a dashboard or an alert that saved you during an incident. What did it show?'],
      [2, 'What are the four golden signals, and why those four?'],
      [2, 'How do metrics, logs and traces complement each other? When would you reach for each?'],
      [3, 'Your on-call rotation gets 30 pages a week, and most are not actionable. How do you fix the alerting?'],
      [3, 'Why is high label cardinality a problem for a metrics system, and how do you avoid it?'],
      [4, 'How would you roll out distributed tracing across a large polyglot system, and how would you decide on sampling?'],
      [5, 'Design an observability platform for 500 services that keeps costs under control while still letting engineers debug rare problems.'],
    ],
  },
  'incident-response': {
    keywords: ['incident', 'on-call', 'page', 'incident commander', 'severity', 'mitigation', 'mitigate', 'rollback', 'communication', 'status page', 'postmortem', 'blameless', 'root cause', 'timeline', 'runbook', 'escalation', 'customer impact', 'action item', 'triage', 'contributing factor'],
    questions: [
      [1, 'Tell me about an incident you were involved in. What happened, and what was your part?'],
      [2, "What's the first thing you do when you get paged at 3 a.m. for a service you don't know well?"],
      [2, 'What makes a postmortem useful rather than a formality?'],
      [3, 'During an incident, why should you mitigate before finding the root cause? Give an example.'],
      [3, 'How do you run communication during a major incident involving customers, executives and several engineering teams?'],
      [4, 'The same class of incident has happened three times this year despite postmortems. What do you do differently?'],
      [5, "Design an incident management process for a company growing from 50 to 500 engineers: roles, severity levels, tooling, and how you'd measure that it works."],
    ],
  },
  infrastructure: {
    keywords: ['terraform', 'ansible', 'kubernetes', 'docker', 'container', 'ci/cd', 'pipeline', 'infrastructure as code', 'immutable', 'deployment', 'helm', 'cloud', 'aws', 'gcp', 'automation', 'configuration', 'drift', 'rollback', 'blue-green', 'canary'],
    questions: [
      [1, 'Tell me about a piece of automation you wrote that saved people a lot of time.'],
      [2, 'What does infrastructure as code give you, and which problems does it not solve?'],
      [2, 'How would you explain the difference between a container and a virtual machine?'],
      [3, 'A Kubernetes pod keeps restarting with CrashLoopBackOff. How do you debug it?'],
      [3, 'Compare blue-green and canary deployments. When would you use each?'],
      [4, 'Someone changed production infrastructure by hand, and now Terraform wants to destroy and recreate a database. How do you handle it, and how do you prevent it from happening again?'],
      [5, 'Design a deployment platform that lets 100 teams ship many times a day safely, including secrets, rollbacks and multi-region releases.'],
    ],
  },
  capacity: {
    keywords: ['capacity', 'load test', 'autoscaling', 'headroom', 'utilization', 'saturation', 'throughput', 'latency', 'cpu', 'memory', 'bottleneck', 'forecast', 'queueing', 'cost', 'benchmark', 'profiling', 'cache', 'scale', 'quota', 'peak'],
    questions: [
      [1, "Tell me about a traffic spike or a busy day you've had to prepare a system for."],
      [2, 'How do you decide how much headroom a service needs?'],
      [2, 'Which signals tell you a service is approaching saturation before it fails?'],
      [3, 'How would you load test a service before a big launch, and what would make the results misleading?'],
      [3, 'Autoscaling reacts too slowly to a sudden spike, and the service falls over. What are your options?'],
      [4, 'Cloud costs grew 60% this year while traffic grew 20%. How do you find and remove the waste without hurting reliability?'],
      [5, 'Build a capacity plan for a service expecting 10x traffic over 18 months. Which models, measurements and risks go into it?'],
    ],
  },
});
