import { useEffect, useState } from 'react';
import { fetchMe, logout, type Me } from './api/session';
import { Link, navigate, useLocation } from './lib/router';
import { AuditPage } from './pages/Audit';
import { EvictionsPage } from './pages/Evictions';
import { LoginPage } from './pages/Login';
import { OverviewPage } from './pages/Overview';
import { QueuesPage } from './pages/Queues';
import { RegionPage } from './pages/Region';
import { StoragePage } from './pages/Storage';

const NAV = [
  { to: '/', label: 'Overview' },
  { to: '/evictions', label: 'Evictions' },
  { to: '/storage', label: 'Storage' },
  { to: '/audit', label: 'Audit log' },
  { to: '/queue-health', label: 'Queues', hubAdmin: true },
];

const KEY = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;

function Page({ me, path }: { me: Me; path: string }) {
  const region = /^\/regions\/([^/]+)$/.exec(path)?.[1];
  if (path === '/') return <OverviewPage me={me} />;
  if (region && KEY.test(region)) return <RegionPage key={region} region={region} />;
  if (path === '/evictions') return <EvictionsPage />;
  if (path === '/storage') return <StoragePage />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/queue-health' && me.role === 'HUB_ADMIN') return <QueuesPage />;
  return (
    <>
      <h1>Not found</h1>
      <p>
        There is no such page. <Link to="/">Back to the overview</Link>.
      </p>
    </>
  );
}

/** Layout and session: the login page without a session, the dashboard with one. */
export function App() {
  const { path, search } = useLocation();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    void fetchMe().then(setMe);
  }, []);
  useEffect(() => {
    if (me === null && path !== '/login') navigate(`/login?next=${encodeURIComponent(path)}`, true);
    if (me && path === '/login') navigate(safeNext(search.get('next')), true);
  }, [me, path, search]);
  useEffect(() => {
    const title = NAV.find((n) => n.to === path)?.label ?? (path.startsWith('/regions/') ? 'Region' : path === '/login' ? 'Sign in' : 'Kiki Hub');
    document.title = `${title} · Kiki Hub admin`;
  }, [path]);
  if (me === undefined) return null;
  if (!me || path === '/login') return <LoginPage onSignedIn={setMe} />;
  const signOut = async () => {
    await logout();
    window.location.assign('/login');
  };
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Kiki Hub admin</span>
        <nav aria-label="Pages">
          <ul>
            {NAV.filter((n) => !n.hubAdmin || me.role === 'HUB_ADMIN').map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={path === n.to ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {me.username} <span className="muted small">({me.role === 'HUB_ADMIN' ? 'hub admin' : `region admin · ${me.regions.length}`})</span>
          </span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page me={me} path={path} />
      </main>
    </>
  );
}

/** Only same-site paths after login (no open redirect to another origin). */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && next !== '/login' ? next : '/';
}
