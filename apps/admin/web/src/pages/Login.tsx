import { type FormEvent, useState } from 'react';
import { login, type Me } from '../api/session';

/** The only page without a session. The password goes to the admin app, which asks the hub. */
export function LoginPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      const result = await login(String(form.get('username') ?? ''), String(form.get('password') ?? ''));
      if (result.ok) onSignedIn(result.me);
      else setError(result.message);
    } catch {
      setError('the dashboard cannot reach its server');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <h1 id="login-title">Kiki Hub admin</h1>
        <label className="field">
          <span>Username</span>
          <input name="username" autoComplete="username" required maxLength={200} autoFocus />
        </label>
        <label className="field">
          <span>Password</span>
          <input name="password" type="password" autoComplete="current-password" required maxLength={1024} />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
