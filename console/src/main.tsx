import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { forgetSession, savedSession, signIn, type Session } from './api.js';
import { Operations } from './operations.js';
import { OrderPage } from './order.js';
import { Orders } from './orders.js';
import { Problem, useProblem } from './problem.js';
import { Throughput } from './throughput.js';

/** The page the address's fragment names: `#/orders` (the default), `#/orders/<id>`, `#/operations`, `#/throughput`. */
type Route = { readonly page: 'orders' } | { readonly page: 'order'; readonly orderId: string } | { readonly page: 'operations' } | { readonly page: 'throughput' };

function routeOf(hash: string): Route {
  const order = /^#\/orders\/([0-9a-fA-F-]{36})$/.exec(hash);
  if (order) return { page: 'order', orderId: order[1]! };
  if (hash === '#/operations') return { page: 'operations' };
  return hash === '#/throughput' ? { page: 'throughput' } : { page: 'orders' };
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
            Projections and parked events
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
        ) : route.page === 'operations' ? (
          <Operations session={session} onUnauthorized={signOut} />
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
