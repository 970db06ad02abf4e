import { render } from 'preact';
import { useState } from 'preact/hooks';
import { forgetSession, savedSession, signIn, type Session } from './api.js';
import { Orders } from './orders.js';

/** Signs the admin in, then shows the console's pages. */
function Console() {
  const [session, setSession] = useState<Session | undefined>(savedSession);
  if (!session) return <SignIn onSignedIn={setSession} />;
  const signOut = () => {
    forgetSession();
    setSession(undefined);
  };
  return (
    <>
      <header>
        <h1>Agora operations console</h1>
        <span class="who">{session.email}</span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <Orders session={session} onUnauthorized={signOut} />
      </main>
    </>
  );
}

function SignIn({ onSignedIn }: { readonly onSignedIn: (session: Session) => void }) {
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setProblem(undefined);
    try {
      onSignedIn(await signIn(String(form.get('email')), String(form.get('password'))));
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
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
        {problem && (
          <p role="alert" class="problem">
            {problem}
          </p>
        )}
      </form>
    </main>
  );
}

const root = document.getElementById('console')!;
// The page's own "Loading" line goes: Preact renders beside what it did not render itself.
root.replaceChildren();
render(<Console />, root);
