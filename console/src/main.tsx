import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { CorrelationPage } from './correlation.js';
import { DeadLetters } from './dead-letters.js';
import { forgetSession, savedSession, signIn, type Session } from './api.js';
import { Operations } from './operations.js';
import { OrderPage } from './order.js';
import { Orders } from './orders.js';
import { Problem, useProblem } from './problem.js';
import { Throughput } from './throughput.js';

/**
 * The page the address's fragment names: `#/orders` (the default), `#/orders/<id>`,
 * `#/correlations/<id>`, `#/operations`, `#/dead-letters`, `#/throughput`.
 */
type Route =
  | { readonly page: 'orders' }
  | { readonly page: 'order'; readonly orderId: string }
  | { readonly page: 'correlation'; readonly correlationId: string }
  | { readonly page: 'operations' }
  | { readonly page: 'dead-letters' }
  | { readonly page: 'throughput' };

/** The pages named by a fragment of their own. */
const PAGES: Record<string, Route> = { '#/operations': { page: 'operations' }, '#/dead-letters': { page: 'dead-letters' }, '#/throughput': { page: 'throughput' } };

function routeOf(hash: string): Route {
  const order = /^#\/orders\/([0-9a-fA-F-]{36})$/.exec(hash);
  if (order) return { page: 'order', orderId: order[1]! };
  // What a correlation id may be (letters, digits, `._:-`), as its link writes it.
  const correlation = /^#\/correlations\/([A-Za-z0-9][A-Za-z0-9._:-]{0,127})$/.exec(hash);
  if (correlation) return { page: 'correlation', correlationId: correlation[1]! };
  return PAGES[hash] ?? { page: 'orders' };
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.hash));
  useEffect(() => {
    const changed = () => setRoute(routeOf(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** Signs the admin in, then shows the console's pages. */
function Console() {
  const [session, setSession] = useState<Session | undefined>(savedSession);
  const route = useRoute();
  if (!session) return <SignIn onSignedIn={setSession} />;
  const signOut = () => {
    forgetSession();
    setSession(undefined);
  };
  const current = (page: Route['page']) => (route.page === page ? { 'aria-current': 'page' as const } : {});
  return (
    <>
      <header>
        <h1>Agora operations console</h1>
        <nav aria-label="Pages">
          <a href="#/orders" {...current('orders')}>
            Orders
          </a>
          <a href="#/operations" {...current('operations')}>
            Projections
          </a>
          <a href="#/dead-letters" {...current('dead-letters')}>
            Dead letters
          </a>
          <a href="#/throughput" {...current('throughput')}>
            Throughput
          </a>
        </nav>
        <span class="who">{session.email}</span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        {route.page === 'order' ? (
          <OrderPage session={session} orderId={route.orderId} onUnauthorized={signOut} />
        ) : route.page === 'correlation' ? (
          <CorrelationPage session={session} correlationId={route.correlationId} onUnauthorized={signOut} />
        ) : route.page === 'operations' ? (
          <Operations session={session} onUnauthorized={signOut} />
        ) : route.page === 'dead-letters' ? (
          <DeadLetters session={session} onUnauthorized={signOut} />
        ) : route.page === 'throughput' ? (
          <Throughput session={session} onUnauthorized={signOut} />
        ) : (
          <Orders session={session} onUnauthorized={signOut} />
        )}
      </main>
    </>
  );
}

function SignIn({ onSignedIn }: { readonly onSignedIn: (session: Session) => void }) {
  const { problem, failed, clear } = useProblem();
  const [busy, setBusy] = useState(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    clear();
    try {
      onSignedIn(await signIn(String(form.get('email')), String(form.get('password'))));
    } catch (error) {
      failed(error);
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Agora operations console</h1>
      <form onSubmit={submit}>
        <label>
          Email <input name="email" type="email" autocomplete="username" required />
        </label>
        <label>
          Password <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <Problem problem={problem} />
      </form>
    </main>
  );
}

const root = document.getElementById('console')!;
// The page's own "Loading" line goes: Preact renders beside what it did not render itself.
root.replaceChildren();
render(<Console />, root);
