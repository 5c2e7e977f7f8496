import { Link, Route, Switch } from 'wouter';
import { InterviewPage, WithStoredSession } from './pages/InterviewPage.js';
import { OpeningPage } from './pages/OpeningPage.js';
import { QaPage } from './pages/QaPage.js';
import { RecruiterPage } from './pages/RecruiterPage.js';
import { ResultsPage } from './pages/ResultsPage.js';
import { StartPage } from './pages/StartPage.js';

function NotFound() {
  return (
    <main className="page">
      <h1>Page not found</h1>
      <Link href="/">Back to the start</Link>
    </main>
  );
}

/** Routes: /, /o/:slug (an opening's candidate link), /interview/:id, /results/:id, /recruiter, /qa (simulator only). */
export function App() {
  return (
    <Switch>
      <Route path="/">
        <StartPage />
      </Route>
      <Route path="/interview/:clientSessionId">{(params) => <InterviewPage key={params.clientSessionId} clientSessionId={params.clientSessionId} />}</Route>
      <Route path="/results/:clientSessionId">
        {(params) => (
          <WithStoredSession key={params.clientSessionId} clientSessionId={params.clientSessionId}>
            {(session) => <ResultsPage session={session} />}
          </WithStoredSession>
        )}
      </Route>
      <Route path="/o/:slug">{(params) => <OpeningPage key={params.slug} slug={params.slug} />}</Route>
      <Route path="/recruiter">
        <RecruiterPage />
      </Route>
      <Route path="/qa">
        <QaPage />
      </Route>
      <Route>
        <NotFound />
      </Route>
    </Switch>
  );
}
