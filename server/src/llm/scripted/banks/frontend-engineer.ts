import { defineBank } from './types.js';

export const frontendEngineerBank = defineBank('frontend-engineer', 'fe', {
  javascript: {
    keywords: ['closure', 'promise', 'async', 'await', 'event loop', 'this', 'prototype', 'typescript', 'type', 'generic', 'union', 'narrowing', 'immutable', 'scope', 'hoisting', 'microtask', 'module', 'strict', 'null', 'undefined', 'abortcontroller'],
    questions: [
      [1, 'To start, tell me about a frontend project you enjoyed building. What was it, and which part are you proudest of?'],
      [2, "Explain what a closure is, and give an example where you've relied on one in real code."],
      [2, "What's the difference between == and ===, and between null and undefined? How does TypeScript help you avoid the traps?"],
      [3, "Explain the event loop: in what order do a setTimeout callback, a resolved promise's then-callback and synchronous code run, and why?"],
      [3, "How would you type a TypeScript function that accepts either a user id or a user object and returns the user's display name? What does a discriminated union give you here?"],
      [4, 'A search box fires a request on every keystroke, and sometimes older results overwrite newer ones. How do you fix it properly?'],
      [5, 'How would you design the types of a form library in TypeScript so that field names, values and validation errors are all checked at compile time?'],
    ],
  },
  'ui-architecture': {
    keywords: ['component', 'state', 'props', 'react', 'vue', 'hook', 'hooks', 'context', 'redux', 'store', 'render', 're-render', 'composition', 'server state', 'cache', 'controlled', 'uncontrolled', 'side effect', 'useeffect', 'memo', 'design system'],
    questions: [
      [1, 'Tell me about a UI you built that users really liked. What made it work?'],
      [2, 'How do you decide whether a piece of state should live in a component, be lifted to a parent, or go into a global store?'],
      [2, "What's the difference between controlled and uncontrolled form inputs, and when would you pick each?"],
      [3, 'A component tree re-renders far too often and the page feels sluggish. How do you find out why and fix it?'],
      [3, 'How would you structure data fetching in a large single-page app so that loading, errors and caching are handled consistently?'],
      [4, "You're building a shared design system used by five product teams. How do you design component APIs that are flexible without becoming impossible to maintain?"],
      [5, 'Design the frontend architecture of a real-time collaborative dashboard with live updates, optimistic edits and offline support.'],
    ],
  },
  'web-performance': {
    keywords: ['bundle', 'code splitting', 'lazy', 'lcp', 'cls', 'inp', 'core web vitals', 'lighthouse', 'cache', 'cdn', 'compression', 'image', 'render blocking', 'critical path', 'hydration', 'ssr', 'prefetch', 'tree shaking', 'main thread', 'long task', 'devtools', 'virtualization'],
    questions: [
      [1, 'Tell me about a time a page or app you worked on felt slow. What did you notice first?'],
      [2, 'What are the Core Web Vitals, and which one have you found hardest to improve?'],
      [2, 'How would you reduce the JavaScript bundle size of an app that has grown to 2 MB?'],
      [3, "A landing page has a poor Largest Contentful Paint on mobile. Walk me through how you'd diagnose and improve it."],
      [3, 'How do you render a list of 10,000 rows without freezing the browser?'],
      [4, 'Compare client-side rendering, server-side rendering and static generation for a content-heavy site with logged-in personalization. What would you choose, and why?'],
      [5, 'Interaction latency spikes on low-end Android devices only. How do you find the long tasks responsible and restructure the work so the UI stays responsive?'],
    ],
  },
  accessibility: {
    keywords: ['aria', 'screen reader', 'keyboard', 'focus', 'contrast', 'semantic', 'alt text', 'wcag', 'label', 'role', 'tab order', 'landmark', 'heading', 'reduced motion', 'voiceover', 'nvda', 'axe', 'usability', 'user research', 'live region'],
    questions: [
      [1, 'Tell me about an app or site you think gets the details of its user experience right. What does it do well?'],
      [2, 'What makes a button accessible, and why is a clickable div not the same thing?'],
      [2, 'How do you check that a new feature is usable with only a keyboard?'],
      [3, 'How would you build an accessible modal dialog? Talk about focus, keyboard handling and what a screen reader announces.'],
      [3, "Screen-reader users don't notice the error messages on your checkout form. How do you fix that?"],
      [4, "You're asked to make a large existing app WCAG AA compliant within a quarter. How do you plan, prioritize and prevent regressions?"],
      [5, 'Design an accessible custom autocomplete (combobox) component: which roles, states and keyboard interactions does it need, and how would you test it?'],
    ],
  },
  'frontend-testing': {
    keywords: ['unit test', 'integration test', 'end-to-end', 'e2e', 'jest', 'vitest', 'testing library', 'playwright', 'cypress', 'mock', 'snapshot', 'flaky', 'ci', 'lint', 'eslint', 'type check', 'coverage', 'visual regression', 'storybook', 'fixture'],
    questions: [
      [1, 'Tell me about the tools in your usual frontend workflow. What do you rely on every day, and why?'],
      [2, 'What kinds of frontend tests do you write, and how do you decide what to test at which level?'],
      [2, "What's the problem with testing a component's implementation details, and how do you avoid it?"],
      [3, 'Your end-to-end suite is flaky and the team has started ignoring failures. How do you fix the situation?'],
      [3, 'How would you test a component that fetches data and shows loading, error and success states?'],
      [4, 'How would you set up CI for a frontend monorepo with several apps and shared packages so that it stays fast as it grows?'],
      [5, 'A refactor of the state layer touches 200 components. What testing and rollout strategy gives you the confidence to ship it?'],
    ],
  },
});
