import { defineBank } from './types.js';

export const dataScientistBank = defineBank('data-scientist', 'ds', {
  statistics: {
    keywords: ['distribution', 'mean', 'median', 'variance', 'standard deviation', 'p-value', 'confidence interval', 'hypothesis', 'null hypothesis', 'bayesian', 'prior', 'regression', 'correlation', 'causation', 'sample size', 'bias', 'outlier', 'normal', 'central limit', 'significance', 'confounder'],
    questions: [
      [1, 'To start, tell me about an analysis or model you worked on that changed a decision. What was the question?'],
      [2, 'Explain the difference between correlation and causation with an example from work or everyday life.'],
      [2, 'When would you report a median instead of a mean?'],
      [3, 'Explain what a p-value is to a product manager, and what it is not.'],
      [3, 'You have a dataset with heavy outliers. How do you decide whether to remove, cap or keep them?'],
      [4, 'Sales rose 8% in the regions where we ran a campaign. How would you estimate how much of that the campaign actually caused?'],
      [5, "Explain Simpson's paradox, and describe how you'd guard against it when reporting a metric broken down by segments."],
    ],
  },
  experimentation: {
    keywords: ['a/b test', 'control', 'treatment', 'randomization', 'randomize', 'sample size', 'power', 'significance', 'minimum detectable effect', 'novelty effect', 'guardrail', 'metric', 'peeking', 'sequential', 'variance reduction', 'cuped', 'holdout', 'sample ratio mismatch', 'p-value', 'confidence interval'],
    questions: [
      [1, "Tell me about an experiment you've run, in product, in marketing or even in your own life. What did you learn?"],
      [2, 'How would you decide how long to run an A/B test?'],
      [2, 'What is a guardrail metric, and which guardrails would you set for a test of a new checkout flow?'],
      [3, 'An A/B test shows a significant lift after two days, and the team wants to ship. What do you check first?'],
      [3, 'The treatment group has 52% of users instead of the expected 50%. What could cause that, and what do you do?'],
      [4, "Legal constraints mean you can't randomize users for a pricing change. How would you still measure its impact?"],
      [5, 'Design an experimentation strategy for a two-sided marketplace where treating buyers affects sellers in the control group.'],
    ],
  },
  'machine-learning': {
    keywords: ['overfitting', 'underfitting', 'regularization', 'cross-validation', 'training', 'test set', 'validation', 'feature', 'precision', 'recall', 'auc', 'roc', 'gradient boosting', 'random forest', 'neural network', 'leakage', 'bias-variance', 'hyperparameter', 'drift', 'embedding', 'xgboost'],
    questions: [
      [1, "Tell me about a machine-learning model you've built or used. What problem did it solve?"],
      [2, 'What is overfitting, and how do you detect and prevent it?'],
      [2, 'When would you choose precision over recall as the metric that matters? Give an example.'],
      [3, 'Your model scores 0.95 AUC offline but performs poorly in production. What are the likely causes?'],
      [3, 'How would you approach a classification problem where only 1% of the examples are positive?'],
      [4, "Design a model to predict customer churn: which features, which model family, how you'd validate it, and how the business would act on it."],
      [5, 'How would you monitor a production model for data drift and concept drift, and decide when to retrain it?'],
    ],
  },
  'data-wrangling': {
    keywords: ['sql', 'join', 'group by', 'window function', 'cte', 'null', 'duplicate', 'pandas', 'dataframe', 'etl', 'pipeline', 'schema', 'data quality', 'missing values', 'index', 'aggregate', 'dbt', 'spark', 'parquet', 'partition', 'deduplicate'],
    questions: [
      [1, "Tell me about the messiest dataset you've had to work with. What made it messy?"],
      [2, "What's the difference between an inner join and a left join, and how can a join accidentally multiply rows?"],
      [2, 'How do you handle missing values in a dataset before analysis?'],
      [3, "Describe, in words or in SQL, a query that returns each customer's most recent order and its total."],
      [3, 'Two dashboards report different revenue for the same month. How do you find out why?'],
      [4, 'How would you design a pipeline that builds a daily metrics table reliably, including late-arriving data and backfills?'],
      [5, 'Your analysis query over a 5 TB event table takes hours. How do you make it fast, from data layout to query design?'],
    ],
  },
  'insight-communication': {
    keywords: ['stakeholder', 'audience', 'story', 'visualization', 'chart', 'dashboard', 'recommendation', 'executive', 'summary', 'uncertainty', 'confidence', 'decision', 'context', 'simplify', 'narrative', 'business impact', 'caveat', 'trade-off', 'action', 'metric'],
    questions: [
      [1, 'Tell me about a time you explained a technical result to someone without a technical background. How did it go?'],
      [2, 'How do you choose the right chart for a result you want to present?'],
      [2, 'How do you communicate the uncertainty in an estimate to a decision-maker without losing them?'],
      [3, 'Your analysis contradicts what a senior stakeholder strongly believes. How do you present it?'],
      [3, 'How would you design a dashboard for an executive team so that it actually gets used?'],
      [4, 'You have five minutes with the CEO to recommend retiring a popular feature, based on your analysis. How do you structure those five minutes?'],
      [5, 'A metric you own was reported wrongly for three months, and decisions were made on it. How do you handle the correction, the communication and the prevention?'],
    ],
  },
});
