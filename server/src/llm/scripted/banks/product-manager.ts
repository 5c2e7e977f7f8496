import { defineBank } from './types.js';

export const productManagerBank = defineBank('product-manager', 'pm', {
  discovery: {
    keywords: ['user research', 'interview', 'customer', 'problem', 'persona', 'jobs to be done', 'pain point', 'hypothesis', 'prototype', 'validate', 'survey', 'usability', 'feedback', 'insight', 'segment', 'assumption', 'user', 'need', 'churn', 'observation'],
    questions: [
      [1, "To start, tell me about a product you love and one thing you'd change about it."],
      [2, 'How do you run a customer interview so that you learn about real problems rather than collect feature requests?'],
      [2, 'How do you tell the difference between what customers say they want and what they actually need?'],
      [3, "You're told to build a feature that a large customer demands. How do you find out whether it's worth building?"],
      [3, 'How would you validate a new product idea in two weeks without writing production code?'],
      [4, "Usage of a core feature dropped 15% over a quarter and nobody knows why. How would you investigate?"],
      [5, "You're entering a market segment where your team has no customers yet. How do you structure discovery to decide what to build first?"],
    ],
  },
  prioritization: {
    keywords: ['roadmap', 'impact', 'effort', 'rice', 'value', 'strategy', 'vision', 'trade-off', 'opportunity cost', 'okr', 'goal', 'bet', 'scope', 'mvp', 'priority', 'backlog', 'focus', 'sequencing', 'risk', 'dependencies'],
    questions: [
      [1, "Tell me about a product decision you're proud of. What were you choosing between?"],
      [2, 'How do you prioritize a backlog when everything is labelled urgent?'],
      [2, 'Which prioritization frameworks have you used, and where do they fall short?'],
      [3, 'You have capacity for one of three projects: a revenue feature, a reliability fix and a request from sales. How do you decide?'],
      [3, 'How do you say no to a feature request from an executive?'],
      [4, 'Build a one-year strategy for a mature product whose growth has stalled. Where do you start?'],
      [5, 'A competitor just launched a feature that your sales team says is costing deals. How do you decide whether to match it, leapfrog it or ignore it?'],
    ],
  },
  'product-metrics': {
    keywords: ['metric', 'north star', 'kpi', 'retention', 'activation', 'conversion', 'funnel', 'cohort', 'churn', 'engagement', 'dau', 'mau', 'a/b test', 'dashboard', 'baseline', 'leading indicator', 'lagging indicator', 'segment', 'ltv', 'counter-metric'],
    questions: [
      [1, "Tell me about a metric you've tracked closely in a past role. Why did it matter?"],
      [2, "What's the difference between a leading and a lagging indicator? Give an example for a subscription product."],
      [2, 'How would you define success for a new onboarding flow?'],
      [3, 'Daily active users went up 10% but revenue is flat. What could explain that, and what would you look at?'],
      [3, 'How would you choose a north-star metric for a food-delivery app, and which counter-metrics would you pair with it?'],
      [4, "Retention of the newest signup cohort dropped sharply. Walk me through how you'd diagnose it with data."],
      [5, 'Design the metrics framework for a marketplace that balances buyer satisfaction, seller earnings and platform revenue. How do you handle the tensions between them?'],
    ],
  },
  execution: {
    keywords: ['scope', 'deadline', 'milestone', 'sprint', 'agile', 'spec', 'requirements', 'mvp', 'launch', 'risk', 'dependency', 'trade-off', 'engineering', 'design', 'qa', 'release', 'rollout', 'feature flag', 'retrospective', 'estimate'],
    questions: [
      [1, 'Tell me about a launch you were part of. What was your role, and how did it go?'],
      [2, 'What goes into a good product spec, and what do you deliberately leave out?'],
      [2, 'How do you work with engineers on estimates without turning them into promises?'],
      [3, 'Halfway through a project, the team realizes it will miss the deadline by a month. What do you do?'],
      [3, "How would you plan the rollout of a change that affects every user's checkout experience?"],
      [4, 'A launch went out, and a critical bug is affecting 5% of users during your busiest week. Walk me through the next 48 hours.'],
      [5, "You're leading a program across four teams with hard external deadlines. How do you structure planning, dependencies and risk so that it lands?"],
    ],
  },
  stakeholders: {
    keywords: ['stakeholder', 'alignment', 'communication', 'executive', 'sales', 'marketing', 'engineering', 'design', 'conflict', 'influence', 'trust', 'expectation', 'update', 'feedback', 'negotiate', 'escalate', 'transparency', 'decision', 'consensus', 'buy-in'],
    questions: [
      [1, 'Tell me about a colleague from another function you loved working with. What made the collaboration work?'],
      [2, 'How do you keep stakeholders informed without drowning them in updates?'],
      [2, 'How do you handle a disagreement about scope with your engineering lead?'],
      [3, "Sales promised a customer a feature that isn't on the roadmap. How do you handle it?"],
      [3, 'How do you get buy-in for a decision that one influential stakeholder opposes?'],
      [4, 'Two executives want conflicting outcomes from your team this quarter. How do you resolve it?'],
      [5, 'You inherit a product area where trust between product, engineering and sales has broken down. What do you do in your first 90 days?'],
    ],
  },
});
