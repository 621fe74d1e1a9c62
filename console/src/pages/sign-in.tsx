import { useState } from 'preact/hooks';
import { type Session, signIn } from '../session.ts';
import { Problem } from '../ui.tsx';

export function SignInPage(props: { error: Error | undefined; onSignedIn: (session: Session) => void }) {
  const [error, setError] = useState<Error | undefined>(props.error);
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" class="sign-in">
      <h1>Sign in to the scimd console</h1>
      <p>
        Use the one-time link scimd printed on its first start (or <code>npx scimd console-link</code>), or an admin token: the value of{' '}
        <code>SCIMD_ADMIN_TOKEN</code> or one from <code>npx scimd admin-tokens create</code>. The token is exchanged for a session and not
        kept by this page.
      </p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget as HTMLFormElement;
          const input = form.elements.namedItem('token') as HTMLInputElement;
          setBusy(true);
          try {
            const session = await signIn({ token: input.value });
            input.value = '';
            props.onSignedIn(session);
          } catch (err) {
            setError(err as Error);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          Admin token
          <input name="token" type="password" autoComplete="off" required />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <Problem error={error} />
    </main>
  );
}
