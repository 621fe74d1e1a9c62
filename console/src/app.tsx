import { useEffect, useState } from 'preact/hooks';
import { whenSignedOut } from './api.ts';
import { SignInPage } from './pages/sign-in.tsx';
import { PAGES } from './pages.tsx';
import { currentPath, match, navigate, usePath } from './router.ts';
import { currentSession, type Session, signIn, signOut, takeLinkFromLocation } from './session.ts';
import { Link, Problem } from './ui.tsx';

export function App() {
  const [session, setSession] = useState<Session | undefined | null>(null);
  const [error, setError] = useState<Error>();
  const path = usePath();

  useEffect(() => {
    whenSignedOut(() => setSession(undefined));
    const link = takeLinkFromLocation();
    (link
      ? signIn({ link }).catch((e: Error) => {
          setError(e);
          return undefined;
        })
      : currentSession()
    ).then((s) => {
      setSession(s);
      if (s?.tenant && currentPath() === '/') navigate(`/tenants/${encodeURIComponent(s.tenant)}/setup`, true);
    });
  }, []);

  if (session === null) return <p aria-live="polite">Loading…</p>;
  if (session === undefined) {
    return (
      <SignInPage
        error={error}
        onSignedIn={(s) => {
          setError(undefined);
          setSession(s);
          if (s.tenant) navigate(`/tenants/${encodeURIComponent(s.tenant)}/setup`, true);
        }}
      />
    );
  }

  const visible = PAGES.filter((p) => !session.tenant || p.setup);
  let found: { page: (typeof PAGES)[number]; params: Record<string, string> } | undefined;
  for (const page of visible) {
    const params = match(page.path, path);
    // A setup session sees its own tenant's pages only: another tenant's name in the path finds nothing.
    if (params && !(session.tenant && params['name'] !== undefined && params['name'] !== session.tenant)) {
      found = { page, params };
      break;
    }
  }
  const tenant = session.tenant ?? found?.params['name'];
  if (found) document.title = `${found.page.title}${tenant ? ` · ${tenant}` : ''} · scimd console`;

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <strong>scimd console</strong>
        <nav aria-label="Main">
          {!session.tenant && (
            <>
              <Link to="/" current={path === '/'}>
                Tenants
              </Link>
              <Link to="/audit" current={path === '/audit'}>
                Audit log
              </Link>
            </>
          )}
        </nav>
        <span class="who">{session.tenant ? `Setup for ${session.tenant}` : `Signed in as ${session.actor}`}</span>
        <button type="button" onClick={() => signOut().finally(() => setSession(undefined))}>
          Sign out
        </button>
      </header>
      {tenant && (
        <nav aria-label={`Tenant ${tenant}`} class="tenant-nav">
          <span class="tenant-name">{tenant}</span>
          {visible
            .filter((p) => p.tenantNav)
            .map((p) => {
              const to = p.path.replace(':name', encodeURIComponent(tenant));
              return (
                <Link key={p.path} to={to} current={path === to}>
                  {p.title}
                </Link>
              );
            })}
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        {found ? (
          <found.page.component {...found.params} />
        ) : (
          <Problem error={new Error('This page does not exist, or this session may not see it.')} />
        )}
      </main>
    </>
  );
}
