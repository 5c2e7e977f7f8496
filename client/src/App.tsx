import { Link, Route, Switch } from 'wouter';
import { InterviewPage, WithStoredSession } from './pages/InterviewPage.js';
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

/** Routes: /, /interview/:id, /results/:id, /recruiter (and /qa when the server runs the simulator). */
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
