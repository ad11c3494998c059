import type { TypedDocumentString } from '../gql/graphql';

/** A GraphQL error as the hub sends it: `extensions.code` is what the UI branches on. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Sends one operation through the admin app's /graphql (the session cookie travels, the hub token stays server-side). */
export async function request<R, V>(document: TypedDocumentString<R, V>, variables: V): Promise<R> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: document.toString(), variables }),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError('the dashboard cannot reach its server', 'NETWORK');
  }
  if (res.status === 401) {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    throw new ApiError('your session ended: sign in again', 'UNAUTHENTICATED');
  }
  const body = (await res.json().catch(() => null)) as { data?: R; errors?: { message: string; extensions?: { code?: string } }[] } | null;
  const err = body?.errors?.[0];
  if (err) throw new ApiError(err.message, err.extensions?.code ?? 'ERROR');
  if (!body?.data) throw new ApiError(`the server answered HTTP ${res.status}`, 'ERROR');
  return body.data;
}
