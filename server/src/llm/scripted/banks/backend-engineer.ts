import { defineBank } from './types.js';

export const backendEngineerBank = defineBank('backend-engineer', 'be', {
  'api-design': {
    keywords: ['rest', 'endpoint', 'http', 'status code', 'idempotent', 'idempotency', 'pagination', 'cursor', 'versioning', 'graphql', 'grpc', 'schema', 'contract', 'openapi', 'backward compatible', 'rate limit', 'authentication', 'oauth', 'etag', 'retry', 'webhook', 'json'],
    questions: [
      [1, "To get us started, tell me about an API or service you built that you're proud of. Who used it, and what made it work well for them?"],
      [2, 'How do you decide between PUT, PATCH and POST when designing an endpoint that updates a resource?'],
      [2, "Walk me through how you'd paginate a list endpoint that returns millions of records. What would you choose, and why?"],
      [3, 'A mobile client retries a payment request after a timeout. How would you design the API so the customer is never charged twice?'],
      [3, 'You need to make a breaking change to a public API that hundreds of integrations depend on. How do you roll it out?'],
      [4, 'Design the rate limiting for a multi-tenant public API: where does it live, which algorithm do you use, and what do clients see when they hit the limit?'],
      [5, 'How would you design a webhook delivery system that third parties can trust, covering ordering, retries, signatures and replay protection?'],
    ],
  },
  'data-modeling': {
    keywords: ['index', 'primary key', 'foreign key', 'normalization', 'normalize', 'denormalize', 'transaction', 'isolation', 'acid', 'schema', 'migration', 'query plan', 'explain', 'join', 'sharding', 'partition', 'replica', 'postgres', 'postgresql', 'mysql', 'mongodb', 'constraint', 'n+1', 'orm', 'lock'],
    questions: [
      [1, "Tell me about a database you've worked with a lot. What do you like about it, and what has bitten you?"],
      [2, 'When would you add an index to a table, and what does it cost you?'],
      [2, 'Explain the trade-offs between normalizing a schema and denormalizing it for reads. Give an example from your work if you can.'],
      [3, 'A query that used to take 20 ms now takes 4 seconds after the table grew. How do you investigate and fix it?'],
      [3, "How would you change a column's type on a large, busy production table without downtime?"],
      [4, 'Two requests read a balance, subtract from it and write it back at the same time. What goes wrong, and what are your options at the database level to prevent it?'],
      [5, "Your single primary database is approaching its write limit. Walk me through how you'd choose between vertical scaling, read replicas, partitioning and sharding, and how you'd execute the change."],
    ],
  },
  'system-design': {
    keywords: ['cache', 'caching', 'load balancer', 'queue', 'kafka', 'horizontal', 'scale', 'replica', 'shard', 'latency', 'throughput', 'cdn', 'microservice', 'monolith', 'event', 'eventual consistency', 'availability', 'bottleneck', 'stateless', 'redis', 'consistency'],
    questions: [
      [1, "Tell me about the architecture of the most interesting system you've worked on. What were its main parts?"],
      [2, 'When would you introduce a cache in front of a service, and how do you keep it from serving stale data?'],
      [2, "What's the difference between scaling a service vertically and horizontally, and what has to be true of the service to scale it horizontally?"],
      [3, 'Design a URL shortener that handles 10,000 redirects per second. What are the key components, and where would it break first?'],
      [3, 'When would you put a message queue between two services, and what new problems does that introduce?'],
      [4, 'Design a notification system that sends email, SMS and push messages to 50 million users, with per-user preferences and no duplicate sends.'],
      [5, 'Design a globally distributed collaborative document editor. How do you handle concurrent edits, offline clients and regional outages?'],
    ],
  },
  concurrency: {
    keywords: ['thread', 'lock', 'mutex', 'race condition', 'deadlock', 'async', 'event loop', 'await', 'parallel', 'contention', 'atomic', 'profiling', 'profiler', 'flame graph', 'latency', 'p99', 'throughput', 'memory', 'garbage collection', 'connection pool', 'backpressure', 'benchmark'],
    questions: [
      [1, 'Tell me about a time you made something noticeably faster. What was slow, and how did you find out?'],
      [2, "What is a race condition? Describe one you've seen, or could imagine, in a web backend."],
      [2, 'How do you decide whether an endpoint is slow because of CPU, I/O or waiting on locks?'],
      [3, "Your service's p99 latency doubled after a deploy, but the average barely moved. How do you track down the cause?"],
      [3, "Explain how a connection pool works and what happens when it's too small or too large."],
      [4, 'A worker pool processes jobs from a queue, and occasionally two workers process the same job. How would you diagnose this and make processing safe?'],
      [5, 'How would you design backpressure through a pipeline of three services, where the last one is a slow third-party API with a strict rate limit?'],
    ],
  },
  reliability: {
    keywords: ['log', 'logs', 'logging', 'metrics', 'tracing', 'alert', 'monitoring', 'retry', 'timeout', 'circuit breaker', 'idempotent', 'rollback', 'postmortem', 'root cause', 'reproduce', 'canary', 'feature flag', 'graceful', 'health check', 'on-call', 'incident', 'bisect'],
    questions: [
      [1, 'Tell me about a bug that was memorable to track down. What made it tricky?'],
      [2, 'What do you log in a backend service, and what do you make sure never to log?'],
      [2, 'How do you choose timeouts and retry policies when one service calls another?'],
      [3, "A production endpoint fails for about 1% of requests with no obvious pattern. Walk me through how you'd find the cause."],
      [3, 'How would you roll out a risky change to a critical service so that you can detect problems and undo it quickly?'],
      [4, 'A downstream dependency is degraded, your service starts failing too, and then it takes down its own callers. How do you stop this cascade, now and in future?'],
      [5, 'Design how a service should behave during a partial regional outage of its database: what it serves, what it refuses, and how it recovers without losing writes.'],
    ],
  },
});
